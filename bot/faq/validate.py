"""``python -m bot kb validate``: the checks an operator runs before publishing a knowledge-base edit.

Exit code 0 when the KB is sound; otherwise 1 and one line per problem, each naming the file (and line) to
fix. Checks: YAML syntax; all languages present for questions and answers; enough examples; every
placeholder resolves against shop.yml; answers fit a chat bubble; no example question of one topic is a near
duplicate of another topic's (those pairs confuse retrieval: the encoder finds them); phrases in
data/responses resolve too, and every complaint category has its restatement; with ``--spec``, every topic
id of the spec exists.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bot.faq.kb import KnowledgeBase, KnowledgeBaseError, Topic, load_knowledge_base
from bot.settings import PROJECT_ROOT, get_settings
from bot.shop import UnknownPlaceholder

RUNTIME_VALUES = {"languages", "issue", "order", "case", "agent", "minutes", "hours"}
DEFAULT_SPEC = PROJECT_ROOT.parent / "shared" / "spec" / "faq_topics.tsv"


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _where(topic: Topic) -> str:
    source = topic.source.relative_to(PROJECT_ROOT) if topic.source.is_relative_to(PROJECT_ROOT) else topic.source
    return f"{source}:{topic.line}"


def check_topics(kb: KnowledgeBase, min_examples: int, min_examples_default: int) -> list[Problem]:
    settings = get_settings()
    languages = settings.language_codes
    problems = []
    for topic in kb.topics.values():
        where = f"{_where(topic)} [{topic.id}]"
        for field_name, values in (("question", topic.question), ("answer", topic.answer)):
            missing = [lang for lang in languages if not values.get(lang, "").strip()]
            if missing:
                problems.append(Problem(where, f"{field_name} missing in {', '.join(missing)}"))
            unknown = sorted(set(values) - set(languages))
            if unknown:
                problems.append(Problem(where, f"{field_name} in unsupported language code(s) {unknown}"))
        for lang in languages:
            need = min_examples_default if lang == settings.default_language else min_examples
            have = len(topic.examples.get(lang, []))
            if have < need:
                problems.append(Problem(where, f"{have} example(s) in {lang}, need {need}"))
        for kind, values in (("answer", topic.answer), ("question", topic.question)):
            for lang, text in values.items():
                try:
                    rendered = kb.shop.render(text, lang)
                except UnknownPlaceholder as exc:
                    problems.append(Problem(where, f"{kind} {lang}: placeholder {{{exc.args[0]}}} is not in shop.yml"))
                    continue
                if kind == "answer" and len(rendered) > settings.answer_max_chars:
                    problems.append(Problem(where, f"answer {lang}: {len(rendered)} characters, over the limit "
                                                   f"of {settings.answer_max_chars} (limits.answer_max_chars)"))
        seen: set[str] = set()
        for _lang, text in topic.texts():
            key = text.strip().casefold()
            if key in seen:
                problems.append(Problem(where, f"example repeated: {text!r}"))
            seen.add(key)
    return problems


def check_near_duplicates(kb: KnowledgeBase, threshold: float) -> list[Problem]:
    """Example questions of two different topics that the encoder finds (almost) the same."""
    from bot.encoder import get_encoder

    rows = [(topic, text) for topic in kb.topics.values() for _lang, text in topic.texts()]
    if not rows:
        return []
    vectors = get_encoder().encode_queries([text for _topic, text in rows])
    ids = np.array([topic.id for topic, _ in rows])
    similarity = vectors @ vectors.T
    problems = []
    reported: set[tuple[str, str]] = set()
    for i, j in zip(*np.where(np.triu(similarity, k=1) >= threshold)):
        if ids[i] == ids[j]:
            continue
        pair = tuple(sorted((ids[i], ids[j])))
        if pair in reported:
            continue
        reported.add(pair)
        topic = rows[i][0]
        problems.append(
            Problem(
                f"{_where(topic)} [{ids[i]}]",
                f"example {rows[i][1]!r} is a near duplicate ({similarity[i, j]:.3f}) of {ids[j]}'s "
                f"{rows[j][1]!r}: reword one or move it",
            )
        )
    return problems


def check_phrases(kb: KnowledgeBase) -> list[Problem]:
    settings = get_settings()
    problems = []
    for lang in settings.language_codes:
        path = settings.responses_dir / f"{lang}.yml"
        if not path.exists():
            problems.append(Problem(str(path.relative_to(PROJECT_ROOT)), "phrase file missing"))
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problems.append(Problem(f"{path}:{mark.line + 1 if mark else 0}", str(exc)))
            continue

        def walk(node: object, key: str, lang: str = lang, path: Path = path) -> None:
            if isinstance(node, dict):
                for k, v in node.items():
                    walk(v, f"{key}.{k}" if key else str(k), lang, path)
            elif isinstance(node, list):
                for item in node:
                    walk(item, key, lang, path)
            elif isinstance(node, str):
                for name in kb.shop.placeholders(node):
                    if name in RUNTIME_VALUES:
                        continue
                    try:
                        kb.shop.resolve(name, lang)
                    except UnknownPlaceholder:
                        problems.append(Problem(f"{path.relative_to(PROJECT_ROOT)} [{key}]",
                                                f"placeholder {{{name}}} is not in shop.yml"))

        walk(data, "")
    return problems


def check_complaint_phrases() -> list[Problem]:
    """Every complaint category of data/complaints.yml needs its restatement (``complaint.issue.<category>``)."""
    from bot.handoff.priority import category_ranks
    from bot.responses import get_phrasebook

    settings = get_settings()
    phrases = get_phrasebook().phrases
    problems = []
    for category in sorted(set(category_ranks()) | {"other"}):
        missing = [lang for lang in settings.language_codes
                   if not ((phrases.get(lang, {}).get("complaint") or {}).get("issue") or {}).get(category)]
        if missing:
            problems.append(Problem(str(settings.responses_dir.relative_to(PROJECT_ROOT)),
                                    f"complaint.issue.{category} missing in {', '.join(missing)}"))
    return problems


def check_spec(kb: KnowledgeBase, spec: Path) -> list[Problem]:
    lines = spec.read_text(encoding="utf-8").splitlines()[1:]
    wanted = [line.split("\t")[0] for line in lines if line.strip()]
    return [Problem(str(spec), f"topic '{tid}' has no entry in data/faq") for tid in wanted if tid not in kb.topics]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--min-examples", type=int, default=2, help="examples needed per language")
    parser.add_argument("--min-examples-default", type=int, default=4, help="... in the default language")
    parser.add_argument("--duplicate-threshold", type=float, default=0.97,
                        help="cosine above which examples of two topics count as near duplicates")
    parser.add_argument("--no-encoder", action="store_true", help="skip the near-duplicate check")
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC if DEFAULT_SPEC.exists() else None,
                        help="TSV of required topic ids (default: ../shared/spec/faq_topics.tsv if present)")


def run(args: argparse.Namespace) -> int:
    try:
        kb = load_knowledge_base()
    except KnowledgeBaseError as exc:
        print(f"KB INVALID\n  {exc}", file=sys.stderr)
        return 1
    problems = check_topics(kb, args.min_examples, args.min_examples_default)
    problems += check_phrases(kb)
    problems += check_complaint_phrases()
    if args.spec:
        problems += check_spec(kb, args.spec)
    if not args.no_encoder:
        problems += check_near_duplicates(kb, args.duplicate_threshold)
    examples = sum(len(t.texts()) for t in kb.topics.values())
    summary = f"{len(kb.topics)} topics, {examples} example questions, {len(kb.files)} files"
    if problems:
        print(f"KB INVALID: {len(problems)} problem(s) in {summary}", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"KB OK: {summary}")
    return 0
