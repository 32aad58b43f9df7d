"""The FAQ knowledge base: topics loaded from ``data/faq/*.yml`` (one file per category).

Each topic has an id, a category, a canonical question per language, example questions per language (how
shoppers really write), and an answer per language that names shop facts by placeholder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from bot.settings import get_settings
from bot.shop import ShopFacts, get_shop


class KnowledgeBaseError(ValueError):
    """The knowledge base cannot be loaded; the message names the file (and line where YAML knows it)."""


@dataclass(frozen=True)
class Topic:
    id: str
    category: str
    question: dict[str, str]
    examples: dict[str, list[str]]
    answer: dict[str, str]
    source: Path
    line: int = 0

    def texts(self) -> list[tuple[str, str]]:
        """(language, text) pairs the retriever learns from: canonical questions and examples."""
        pairs = [(lang, q) for lang, q in self.question.items() if q]
        pairs += [(lang, ex) for lang, items in self.examples.items() for ex in items or [] if ex]
        return pairs


@dataclass
class KnowledgeBase:
    topics: dict[str, Topic]
    shop: ShopFacts
    files: list[Path] = field(default_factory=list)

    def _pick(self, values: dict[str, str], lang: str) -> str:
        default = get_settings().default_language
        return values.get(lang) or values.get(default) or next(iter(values.values()), "")

    def answer(self, topic_id: str, lang: str) -> str:
        return self.shop.render(self._pick(self.topics[topic_id].answer, lang), lang)

    def question(self, topic_id: str, lang: str) -> str:
        return self.shop.render(self._pick(self.topics[topic_id].question, lang), lang)


def _load_file(path: Path) -> list[Topic]:
    text = path.read_text(encoding="utf-8")
    try:
        # compose first to keep line numbers for error messages
        node = yaml.compose(text)
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise KnowledgeBaseError(f"{where}: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
        raise KnowledgeBaseError(f"{path}:1: expected a mapping with a 'topics:' list")
    lines: list[int] = []
    for key, value in node.value if node is not None else []:
        if key.value == "topics":
            lines = [item.start_mark.line + 1 for item in value.value]
    category = data.get("category", path.stem)
    topics = []
    for i, raw in enumerate(data["topics"]):
        line = lines[i] if i < len(lines) else 0
        if not isinstance(raw, dict) or not raw.get("id"):
            raise KnowledgeBaseError(f"{path}:{line}: a topic without an 'id'")
        topics.append(
            Topic(
                id=str(raw["id"]),
                category=str(raw.get("category", category)),
                question={k: str(v) for k, v in (raw.get("question") or {}).items()},
                examples={k: [str(x) for x in (v or [])] for k, v in (raw.get("examples") or {}).items()},
                answer={k: str(v) for k, v in (raw.get("answer") or {}).items()},
                source=path,
                line=line,
            )
        )
    return topics


def load_knowledge_base(faq_dir: Path | None = None, shop: ShopFacts | None = None) -> KnowledgeBase:
    settings = get_settings()
    faq_dir = faq_dir or settings.faq_dir
    files = sorted(faq_dir.glob("*.yml")) + sorted(faq_dir.glob("*.yaml"))
    topics: dict[str, Topic] = {}
    for path in files:
        for topic in _load_file(path):
            if topic.id in topics:
                first = topics[topic.id]
                raise KnowledgeBaseError(
                    f"{path}:{topic.line}: topic id '{topic.id}' already defined at {first.source}:{first.line}"
                )
            topics[topic.id] = topic
    return KnowledgeBase(topics=topics, shop=shop or get_shop(), files=files)


@lru_cache(maxsize=1)
def get_knowledge_base() -> KnowledgeBase:
    return load_knowledge_base()
