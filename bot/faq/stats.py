"""``python -m bot kb stats``: coverage of the knowledge base per language and per topic."""

from __future__ import annotations

import argparse
import json

from bot.faq.kb import load_knowledge_base
from bot.settings import get_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")


def run(args: argparse.Namespace) -> int:
    kb = load_knowledge_base()
    langs = get_settings().language_codes
    per_language = {
        lang: {
            "answers": sum(bool(t.answer.get(lang)) for t in kb.topics.values()),
            "questions": sum(bool(t.question.get(lang)) for t in kb.topics.values()),
            "examples": sum(len(t.examples.get(lang, [])) for t in kb.topics.values()),
        }
        for lang in langs
    }
    per_topic = {
        t.id: {"category": t.category, **{lang: len(t.examples.get(lang, [])) for lang in langs}}
        for t in kb.topics.values()
    }
    if args.json:
        print(json.dumps({"topics": len(kb.topics), "per_language": per_language, "per_topic": per_topic},
                         ensure_ascii=False))
        return 0
    n = len(kb.topics)
    print(f"{n} topics in {len(kb.files)} files\n")
    print(f"{'language':<10}{'answers':>10}{'questions':>11}{'examples':>10}")
    for lang, row in per_language.items():
        print(f"{lang:<10}{row['answers']:>6}/{n:<3}{row['questions']:>7}/{n:<3}{row['examples']:>10}")
    print(f"\nexamples per topic and language\n{'topic':<24}{'category':<12}" + "".join(f"{x:>6}" for x in langs))
    for tid, row in per_topic.items():
        print(f"{tid:<24}{row['category']:<12}" + "".join(f"{row[x]:>6}" for x in langs))
    return 0
