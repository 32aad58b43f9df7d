"""How sure is a FAQ match? One decision shared by the live bot's actions and ``python -m bot eval faq``.

- ``answer``: the best topic is clearly ahead (score over threshold, margin over the runner-up);
- ``clarify``: a plausible match but a close runner-up: offer the top two and let the shopper pick;
- ``unsure``: nothing plausible: say so, ask to rephrase, offer a human.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

ANSWER, CLARIFY, UNSURE = "answer", "clarify", "unsure"
FAQ_INTENT = "faq"


@dataclass(frozen=True)
class Thresholds:
    answer: float  # best topic's cosine needed to answer outright
    margin: float  # lead over the runner-up needed to answer outright
    clarify: float  # best topic's cosine needed to offer the top two
    faq_intent: float  # the intent classifier's P(faq) needed to treat the message as a shop question


@dataclass(frozen=True)
class FaqMatch:
    decision: str
    ranking: list[dict[str, Any]]  # [{"id": faq_id, "score": cosine}], best first

    @property
    def best(self) -> str | None:
        return self.ranking[0]["id"] if self.ranking else None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def decide(ranking: list[tuple[str, float]], faq_probability: float, t: Thresholds) -> FaqMatch:
    ranked = [{"id": topic, "score": round(score, 4)} for topic, score in ranking]
    if not ranking or faq_probability < t.faq_intent:
        return FaqMatch(UNSURE, ranked)
    best = ranking[0][1]
    runner_up = ranking[1][1] if len(ranking) > 1 else 0.0
    if best >= t.answer and best - runner_up >= t.margin:
        return FaqMatch(ANSWER, ranked)
    if best >= t.clarify:
        return FaqMatch(CLARIFY, ranked)
    return FaqMatch(UNSURE, ranked)


def answered_topic(parse_data: dict[str, Any]) -> str | None:
    """The FAQ topic the bot answers outright for this parse result, or None (clarify, unsure, other intent)."""
    intent = (parse_data.get("intent") or {}).get("name")
    faq = parse_data.get("faq") or {}
    if intent == FAQ_INTENT and faq.get("decision") == ANSWER and faq.get("ranking"):
        return faq["ranking"][0]["id"]
    return None
