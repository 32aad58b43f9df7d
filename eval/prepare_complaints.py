"""Write complaint case files (JSONL lines {"text", "lang", "complaint", "group"}) for
``python -m bot eval complaint --cases FILE --by group``.

Usage: python eval/prepare_complaints.py [OUT_DIR]   (default /tmp/kefu-eval; never inside the repo: the shared
data's licences are not ours, so the cases are generated where they are used).

Sources, under ../shared/eval (see each folder's SOURCE.md):
- twitter_complaints/complaints-data.csv (Preotiuc-Pietro et al., ACL 2019): English tweets to companies'
  service accounts, hand-labelled complaint / not. ``group`` is the company domain (apparel, retail, ...).
  Every row; the ``@handle`` mentions are kept as shoppers wrote them. ``complaints_twitter_brands`` holds only
  the tweets addressed to companies (1,974 rows; the paper's annotated set of 1,971, on which its best F1 is
  0.79), without the ``random_tweet`` / ``random_reply`` rows the public file adds as non-complaints.
- bitext_customer_support: customer-service requests by intent. A handoff is expected for ``complaint`` and
  ``contact_human_agent`` (the issue's positives); every other intent (cancel an order, track a refund, payment
  methods ...) is a question the bot should answer itself. All positives and up to 40 rows of each other intent
  (the first ones, so the file is the same every time). ``group`` is the intent.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "eval"
HANDOFF_INTENTS = {"complaint", "contact_human_agent"}
PER_OTHER_INTENT = 40
RANDOM_GROUPS = {"random_tweet", "random_reply"}


def twitter() -> list[dict]:
    rows = []
    with (SHARED / "twitter_complaints" / "complaints-data.csv").open(encoding="utf-8", newline="") as f:
        for _tweet_id, text, label, domain in csv.reader(f):
            rows.append({"text": text, "lang": "en", "complaint": label == "1", "group": domain})
    return rows


def bitext() -> list[dict]:
    path = SHARED / "bitext_customer_support" / "Bitext_Sample_Customer_Support_Training_Dataset.csv"
    taken: dict[str, int] = defaultdict(int)
    rows = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            intent = row["intent"]
            positive = intent in HANDOFF_INTENTS
            if not positive and taken[intent] >= PER_OTHER_INTENT:
                continue
            taken[intent] += 1
            rows.append({"text": row["instruction"], "lang": "en", "complaint": positive, "group": intent})
    return rows


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/kefu-eval")
    out.mkdir(parents=True, exist_ok=True)
    tweets = twitter()
    brands = [r for r in tweets if r["group"] not in RANDOM_GROUPS]
    for name, rows in (("complaints_twitter", tweets), ("complaints_twitter_brands", brands),
                       ("complaints_bitext", bitext())):
        path = out / f"{name}.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        counts = Counter(r["complaint"] for r in rows)
        print(f"{path}: {len(rows)} cases, {counts[True]} expect a handoff")
    return 0


if __name__ == "__main__":
    sys.exit(main())
