"""``python -m bot eval faq --cases FILE.jsonl [--oos FILE.jsonl]``: how well the trained bot finds FAQ topics.

Cases are ``{"text", "lang", "faq_id"}``; out-of-scope lines are ``{"text", "lang"}``. Every text goes through
the latest trained model's NLU graph (as on the live server) and the bot's own answer decision
(``bot.faq.decision.answered_topic``). The last output line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from bot.eval.common import TrainedNlu, rate, read_cases
from bot.faq.decision import answered_topic


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", type=Path, required=True, help='JSONL of {"text", "lang", "faq_id"}')
    parser.add_argument("--oos", type=Path, help='JSONL of out-of-scope {"text", "lang"}')
    parser.add_argument("--model", type=Path, help="trained model (default: newest in models/)")
    parser.add_argument("--limit", type=int, help="evaluate only the first N cases of each file")
    parser.add_argument("--errors", type=int, default=0, help="print up to N misses")


def run(args: argparse.Namespace) -> int:
    cases = read_cases(args.cases, ("text", "lang", "faq_id"), args.limit)
    oos = read_cases(args.oos, ("text", "lang"), args.limit) if args.oos else []
    nlu = TrainedNlu(args.model)
    started = time.perf_counter()

    per_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # lang -> [top1 hits, total]
    top1 = top3 = answered = answered_right = 0
    reciprocal = 0.0
    misses = []
    for case in cases:
        parsed = nlu.parse(case["text"])
        ranked = [entry["id"] for entry in (parsed.get("faq") or {}).get("ranking", [])]
        hit = bool(ranked) and ranked[0] == case["faq_id"]
        top1 += hit
        top3 += case["faq_id"] in ranked[:3]
        reciprocal += 1 / (ranked.index(case["faq_id"]) + 1) if case["faq_id"] in ranked else 0.0
        per_lang[case["lang"]][0] += hit
        per_lang[case["lang"]][1] += 1
        topic = answered_topic(parsed)
        answered += topic is not None
        answered_right += topic == case["faq_id"]
        if not hit:
            misses.append((case, ranked[:3], (parsed.get("intent") or {}).get("name")))

    oos_rejected = 0
    oos_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    oos_misses = []
    for case in oos:
        parsed = nlu.parse(case["text"])
        rejected = answered_topic(parsed) is None
        oos_rejected += rejected
        oos_lang[case["lang"]][0] += rejected
        oos_lang[case["lang"]][1] += 1
        if not rejected:
            oos_misses.append((case, answered_topic(parsed)))
    seconds = time.perf_counter() - started

    for case, ranked, intent in misses[: args.errors]:
        print(f"MISS [{case['lang']}] {case['text']!r}: want {case['faq_id']}, got {ranked} (intent {intent})")
    for case, topic in oos_misses[: args.errors]:
        print(f"OOS ANSWERED [{case['lang']}] {case['text']!r} -> {topic}")
    total = len(cases)
    result = {
        "model": str(nlu.model_path),
        "cases": total,
        "top1": rate(top1, total),
        "top3": rate(top3, total),
        "mrr": round(reciprocal / total, 4) if total else 0.0,
        "answered": rate(answered, total),
        "answered_correct": rate(answered_right, answered),
        "per_language": {lang: rate(h, n) for lang, (h, n) in sorted(per_lang.items())},
        "ms_per_message": round(1000 * seconds / max(1, total + len(oos)), 1),
    }
    if oos:
        result.update(
            oos_cases=len(oos),
            oos_rejected=rate(oos_rejected, len(oos)),
            oos_rejected_per_language={lang: rate(h, n) for lang, (h, n) in sorted(oos_lang.items())},
            in_scope_answered=rate(answered, total),
        )
    print(f"{'lang':<8}{'top1':>8}{'n':>6}")
    for lang, (h, n) in sorted(per_lang.items()):
        print(f"{lang:<8}{rate(h, n):>8.3f}{n:>6}")
    print(json.dumps(result, ensure_ascii=False))
    return 0
