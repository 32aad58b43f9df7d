"""Write language-ID case files (JSONL lines {"text", "lang"}) for ``python -m bot eval langid --cases``.

Usage: python eval/prepare_langid.py [OUT_DIR]   (default /tmp/kefu-eval; never inside the repo: the shared
data's licences are not ours, so the cases are generated where they are used).

Sources, both under ../shared/eval (see each folder's SOURCE.md), restricted to kefu.yml's languages:
- lingua_langid_testdata: one file per length (lingua-single-words, lingua-word-pairs, lingua-sentences);
  lingua names files by ISO 639-1 code (en.txt, zh.txt ...). For zh/ja the "words" are single characters and
  two-character fragments of sentences, so those rows test script handling rather than word-level ID.
- xsid_multilingual_intent: the "# text =" lines of <lang>.test.conll (xsid.jsonl), standard languages only
  (the German dialect sets de-ba, de-muc, de-st and gsw are left out). xSID's Japanese is tokenised with
  spaces between words; the spaces between CJK characters are removed, as shoppers do not type them.

Chinese labels. lingua has a single "zh" set and xSID a single "zh" set; both are Simplified Chinese corpora:
checked with data/language.yml's one-script character lists, lingua's zh sentences are 728 of 729 with
simplified-only characters and none with traditional-only ones alone, xSID's zh 448 of 500 simplified and 0
traditional (the rest have no script-specific character). So every zh line is labelled zh-CN, except a line
that has traditional-only characters and no simplified-only one, labelled zh-TW (1 single word in lingua).
Script-neutral lines (e.g. the single character 工) stay zh-CN as their corpus says: a detector has to guess
them, which is what a shopper's script-neutral message asks of it too. The script counts are printed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from bot.settings import get_settings  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"
LINGUA = SHARED / "lingua_langid_testdata"
XSID = SHARED / "xsid_multilingual_intent"
LINGUA_KINDS = ("single-words", "word-pairs", "sentences")
_CJK = r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]"
_CJK_SPACE = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")


def _zh_sets() -> tuple[set[str], set[str]]:
    data = yaml.safe_load((ROOT / "data" / "language.yml").read_text(encoding="utf-8"))
    return set(data["simplified_only"].replace(" ", "")), set(data["traditional_only"].replace(" ", ""))


def _zh_label(text: str, simplified: set[str], traditional: set[str], stats: Counter[str]) -> str:
    has_s = any(ch in simplified for ch in text)
    has_t = any(ch in traditional for ch in text)
    stats["simplified" if has_s and not has_t else "traditional" if has_t and not has_s else
          "mixed" if has_s else "neutral"] += 1
    return "zh-TW" if has_t and not has_s else "zh-CN"


def _source_codes() -> dict[str, list[str]]:
    """Our codes by their source file name (zh-CN and zh-TW both come from zh)."""
    by_file: dict[str, list[str]] = {}
    for code in get_settings().language_codes:
        by_file.setdefault(code.split("-")[0].lower(), []).append(code)
    return by_file


def _write(path: Path, cases: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for case in cases:
            out.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"{path}: {len(cases)} cases, {dict(sorted(Counter(c['lang'] for c in cases).items()))}")


def lingua_cases(kind: str, simplified: set[str], traditional: set[str]) -> list[dict[str, str]]:
    cases: list[dict[str, str]] = []
    for name, codes in _source_codes().items():
        file = LINGUA / kind / f"{name}.txt"
        if not file.is_file():
            print(f"  lingua {kind}: no {file.name}, {codes} left out")
            continue
        stats: Counter[str] = Counter()
        for line in file.read_text(encoding="utf-8").splitlines():
            text = line.strip()
            if not text:
                continue
            lang = _zh_label(text, simplified, traditional, stats) if name == "zh" else codes[0]
            cases.append({"text": text, "lang": lang})
        if name == "zh":
            print(f"  lingua {kind} zh script evidence per line: {dict(stats)}")
    return cases


def xsid_cases(simplified: set[str], traditional: set[str]) -> list[dict[str, str]]:
    cases: list[dict[str, str]] = []
    for name, codes in _source_codes().items():
        file = XSID / f"{name}.test.conll"
        if not file.is_file():
            continue
        stats: Counter[str] = Counter()
        for line in file.read_text(encoding="utf-8").splitlines():
            if not line.startswith("# text ="):
                continue
            text = _CJK_SPACE.sub("", line[len("# text =") :].strip())
            if not text:
                continue
            lang = _zh_label(text, simplified, traditional, stats) if name == "zh" else codes[0]
            cases.append({"text": text, "lang": lang})
        if name == "zh":
            print(f"  xsid zh script evidence per line: {dict(stats)}")
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", default="/tmp/kefu-eval", type=Path)
    args = parser.parse_args(argv)
    out: Path = args.out_dir.resolve()
    if out == ROOT or ROOT in out.parents:
        parser.error("write the cases outside the repository (the shared data is not ours to commit)")
    out.mkdir(parents=True, exist_ok=True)
    simplified, traditional = _zh_sets()
    for kind in LINGUA_KINDS:
        _write(out / f"lingua-{kind}.jsonl", lingua_cases(kind, simplified, traditional))
    _write(out / "xsid.jsonl", xsid_cases(simplified, traditional))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
