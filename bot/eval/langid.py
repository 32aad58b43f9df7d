"""``python -m bot eval langid --cases FILE.jsonl``: our language detection vs raw (seeded) langdetect.

Each case line is {"text", "lang"} with one of kefu.yml's codes (optionally "hint": a channel locale). The
baseline is langdetect as shipped (all 55 profiles, seeded), its zh-cn/zh-tw mapped to zh-CN/zh-TW; any other
answer it gives outside the case's code counts as wrong. Prints a table, then one JSON line (the last line).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # the rasa import below pulls in TensorFlow's chatter

SHORT = 20  # characters: the "short chat message"
LENGTH_BUCKETS = (f"<={SHORT}", f">{SHORT}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", required=True, type=Path, help="JSONL file of {text, lang[, hint]} lines")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N cases")
    parser.add_argument("--errors", type=int, default=0, help="print up to N of our mistakes")


def load_cases(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        case = json.loads(line)
        if not isinstance(case.get("text"), str) or not isinstance(case.get("lang"), str):
            raise ValueError(f"{path}:{number}: a case needs string fields 'text' and 'lang'")
        cases.append(case)
        if limit is not None and len(cases) >= limit:
            break
    return cases


def langdetect_baseline(text: str) -> str | None:
    """Raw langdetect (full profiles, seeded) mapped to our codes; None when it finds nothing."""
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    from bot.nlu.language import SEED

    DetectorFactory.seed = SEED
    try:
        code = detect(text)
    except LangDetectException:
        return None
    return {"zh-cn": "zh-CN", "zh-tw": "zh-TW"}.get(code, code)


def _bucket(text: str) -> str:
    return LENGTH_BUCKETS[0] if len(text.strip()) <= SHORT else LENGTH_BUCKETS[1]


def _rate(right: int, total: int) -> float | None:
    return round(right / total, 4) if total else None


def score(cases: list[dict[str, Any]], predictions: list[str | None]) -> dict[str, Any]:
    """Accuracy overall, per gold language and per length bucket."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for case, predicted in zip(cases, predictions):
        ok = predicted == case["lang"]
        for key in ("all", "lang:" + case["lang"], "len:" + _bucket(case["text"])):
            total[key] += 1
            right[key] += ok
    languages = sorted(k[5:] for k in total if k.startswith("lang:"))
    return {
        "accuracy": _rate(right["all"], total["all"]),
        "per_language": {lang: _rate(right["lang:" + lang], total["lang:" + lang]) for lang in languages},
        "by_length": {b: _rate(right["len:" + b], total["len:" + b]) for b in LENGTH_BUCKETS},
    }


def _fmt(value: float | None) -> str:
    return "   -  " if value is None else f"{value * 100:6.2f}"


def run(args: argparse.Namespace) -> int:
    from bot.nlu.language import _detect, detect_language, warm_up

    if not args.cases.is_file():
        print(json.dumps({"cases": 0, "error": f"no such file: {args.cases}"}))
        return 2
    cases = load_cases(args.cases, args.limit)
    if not cases:
        print(json.dumps({"cases": 0, "error": f"no cases in {args.cases}"}))
        return 1
    warm_up()
    _detect.cache_clear()  # time the work, not the cache
    ours: list[str | None] = []
    started = time.perf_counter()
    for case in cases:
        ours.append(detect_language(case["text"], hint=case.get("hint")).lang)
    ms_per_case = (time.perf_counter() - started) * 1000 / len(cases)
    baseline = [langdetect_baseline(case["text"]) for case in cases]
    mine, raw = score(cases, ours), score(cases, baseline)

    counts = Counter(case["lang"] for case in cases)
    buckets = Counter(_bucket(case["text"]) for case in cases)
    print(f"{args.cases}: {len(cases)} cases, {ms_per_case:.3f} ms per case (ours)")
    print(f"{'':12} {'n':>6} {'ours %':>7} {'langdetect %':>13}")
    for lang, acc in mine["per_language"].items():
        print(f"{lang:12} {counts[lang]:6d} {_fmt(acc):>7} {_fmt(raw['per_language'][lang]):>13}")
    for bucket in LENGTH_BUCKETS:
        label = f"len {bucket}"
        print(f"{label:12} {buckets[bucket]:6d} {_fmt(mine['by_length'][bucket]):>7} "
              f"{_fmt(raw['by_length'][bucket]):>13}")
    print(f"{'all':12} {len(cases):6d} {_fmt(mine['accuracy']):>7} {_fmt(raw['accuracy']):>13}")

    confusions: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    for case, predicted in zip(cases, ours):
        if predicted != case["lang"]:
            pair = (case["lang"], str(predicted))
            confusions[pair] += 1
            examples[pair].append(case["text"])
    if confusions:
        print("our most frequent confusions (gold -> ours): " + ", ".join(
            f"{gold}->{pred} {n}" for (gold, pred), n in confusions.most_common(8)))
    shown = 0
    for case, predicted in zip(cases, ours):
        if shown >= args.errors:
            break
        if predicted != case["lang"]:
            print(f"  {case['lang']:>5} -> {predicted!s:5} {case['text'][:100]!r}")
            shown += 1

    summary = {
        "cases": len(cases),
        "accuracy": mine["accuracy"],
        "per_language": mine["per_language"],
        "by_length": mine["by_length"],
        "langdetect": raw,
        "ms_per_case": round(ms_per_case, 3),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0
