"""``python -m bot eval complaint --cases FILE.jsonl``: does the bot hand complaints (and requests for a person)
to a human, and leave neutral questions alone?

Cases are ``{"text", "lang", "complaint": true|false}``. A case counts as detected when the trained model's
NLU ends on intent ``complaint`` or ``request_human`` (the two intents routed to ``action_handoff``). The last
output line is one JSON object with precision, recall, f1, per_language (and ``per_group`` with ``--by FIELD``:
the detection rate per value of another field, e.g. the source's intent or domain) and ``missed_offered_person``:
how many missed complaints still get a reply with a "talk to a person" button (a borderline complaint score, or
an out-of-scope / not-sure reply, which always offer one).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from bot.eval.common import TrainedNlu, read_cases
from bot.faq.decision import ANSWER

HANDOFF_INTENTS = {"complaint", "request_human"}
OFFERING_INTENTS = {"out_of_scope", "nlu_fallback"}  # their replies always carry the "talk to a person" button


def offers_person(parsed: dict) -> bool:
    """Whether the reply to a message the bot does not hand off still offers a person (see actions/actions.py)."""
    intent = (parsed.get("intent") or {}).get("name")
    if (parsed.get("complaint") or {}).get("offer_person") or intent in OFFERING_INTENTS:
        return True
    return intent == "faq" and (parsed.get("faq") or {}).get("decision") != ANSWER


def scores(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", type=Path, required=True, help='JSONL of {"text", "lang", "complaint"}')
    parser.add_argument("--model", type=Path, help="trained model (default: newest in models/)")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--errors", type=int, default=0, help="print up to N mistakes")
    parser.add_argument("--by", help="also break down by this field of the cases (e.g. group)")


def run(args: argparse.Namespace) -> int:
    cases = read_cases(args.cases, ("text", "lang", "complaint"), args.limit)
    nlu = TrainedNlu(args.model)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # lang -> [tp, fp, fn]
    mistakes = []
    offered = 0
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # value -> [handed off, cases]
    for case in cases:
        parsed = nlu.parse(case["text"])
        predicted = (parsed.get("intent") or {}).get("name") in HANDOFF_INTENTS
        truth = bool(case["complaint"])
        if args.by:
            group = groups[f"{case.get(args.by)} ({'handoff' if truth else 'no handoff'} expected)"]
            group[0] += predicted
            group[1] += 1
        row = counts[case["lang"]]
        row[0] += predicted and truth
        row[1] += predicted and not truth
        row[2] += truth and not predicted
        if predicted != truth:
            mistakes.append((case, parsed))
            offered += truth and offers_person(parsed)
    for case, parsed in mistakes[: args.errors]:
        kind = "MISSED" if case["complaint"] else "FALSE ALARM"
        print(f"{kind} [{case['lang']}] {case['text']!r}: intent {(parsed.get('intent') or {}).get('name')}, "
              f"score {(parsed.get('complaint') or {}).get('score')}")
    total = [sum(row[i] for row in counts.values()) for i in range(3)]
    per_language = {lang: scores(*row) for lang, row in sorted(counts.items())}
    print(f"{'lang':<8}{'prec':>8}{'recall':>8}{'f1':>8}")
    for lang, s in per_language.items():
        print(f"{lang:<8}{s['precision']:>8.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}")
    print(f"missed complaints whose reply offers a person: {offered} of {total[2]}")
    summary: dict = {"cases": len(cases), **scores(*total), "missed_offered_person": offered,
                     "per_language": per_language}
    if args.by:
        summary["per_group"] = {name: {"handed_off": round(n / total_n, 4), "cases": total_n}
                                for name, (n, total_n) in sorted(groups.items())}
        for name, rate in summary["per_group"].items():
            print(f"{name:<48}{rate['handed_off']:>8.3f}{rate['cases']:>6}")
    print(json.dumps(summary, ensure_ascii=False))
    return 0
