"""Build a throw-away Kefu project variant from public datasets, to measure the FAQ path on data we did not write.

banking77 (intent as FAQ topic): ``--examples`` training questions per intent become a topic's examples; the
test split becomes ``{"text", "lang", "faq_id"}`` cases. clinc150's out-of-scope test queries become ``--oos``
cases. Everything is written under OUT (default /tmp/kefu-public), never into the repository; the shared data
stays where it is. Then train and evaluate with the printed commands (same pipeline, same code path).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "eval"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/kefu-public"))
    parser.add_argument("--examples", type=int, default=10, help="training questions per banking77 intent")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out: Path = args.out
    (out / "faq").mkdir(parents=True, exist_ok=True)

    by_intent: dict[str, list[str]] = defaultdict(list)
    with (SHARED / "banking77" / "train.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_intent[row["category"]].append(row["text"])
    topics = []
    for intent, texts in sorted(by_intent.items()):
        picked = rng.sample(texts, min(args.examples, len(texts)))
        topics.append({
            "id": intent,
            "question": {"en": picked[0]},
            "examples": {"en": picked[1:]},
            "answer": {"en": f"(answer for {intent.replace('_', ' ')})"},
        })
    (out / "faq" / "banking.yml").write_text(
        yaml.safe_dump({"category": "banking", "topics": topics}, allow_unicode=True), encoding="utf-8"
    )
    with (SHARED / "banking77" / "test.csv").open(encoding="utf-8") as handle, \
            (out / "banking77_test.jsonl").open("w", encoding="utf-8") as cases:
        for row in csv.DictReader(handle):
            cases.write(json.dumps({"text": row["text"], "lang": "en", "faq_id": row["category"]}) + "\n")
    clinc = json.loads((SHARED / "clinc150_oos" / "data_full.json").read_text(encoding="utf-8"))
    with (out / "clinc150_oos_test.jsonl").open("w", encoding="utf-8") as oos:
        for text, _label in clinc["oos_test"]:
            oos.write(json.dumps({"text": text, "lang": "en"}) + "\n")

    settings = yaml.safe_load((ROOT / "kefu.yml").read_text(encoding="utf-8"))
    settings["paths"]["faq"] = str(out / "faq")
    settings["paths"]["models"] = str(out / "models")
    (out / "kefu.yml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    print(f"wrote {out}: {len(topics)} topics, {args.examples} examples each\n"
          f"KEFU_SETTINGS={out}/kefu.yml .venv/bin/rasa train --data data/nlu data/rules.yml --out {out}/models\n"
          f"KEFU_SETTINGS={out}/kefu.yml .venv/bin/python -m bot eval faq --cases {out}/banking77_test.jsonl "
          f"--oos {out}/clinc150_oos_test.jsonl")


if __name__ == "__main__":
    main()
