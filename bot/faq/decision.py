"""How sure is a FAQ match? One decision shared by the live bot's actions and ``python -m bot eval faq``.

- ``answer``: the best topic is clearly ahead (probability over threshold, margin over the runner-up) and an
  example question of it is close to the message (cosine), so the match is not a guess among strangers;
- ``clarify``: the top two together are likely but neither is sure: offer both and let the shopper pick;
- ``unsure``: nothing plausible: say so, ask to rephrase, offer a human.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

ANSWER, CLARIFY, UNSURE = "answer", "clarify", "unsure"
FAQ_INTENT = "faq"


@dataclass(frozen=True)
class Thresholds:
    answer: float  # the best topic's probability needed to answer outright
    margin: float  # its lead over the runner-up needed to answer outright
    clarify: float  # the top two's joint probability needed to offer them as buttons
    similarity: float  # cosine of the best topic's closest example needed to answer or clarify at all
    faq_intent: float  # the intent classifier's P(faq) needed to treat the message as a shop question


@dataclass(frozen=True)
class FaqMatch:
    decision: str
    ranking: list[dict[str, Any]]  # [{"id", "score": probability, "similarity": cosine}], best first

    @property
    def best(self) -> str | None:
        return self.ranking[0]["id"] if self.ranking else None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def decide(ranking: list[tuple[str, float, float]], faq_probability: float, t: Thresholds) -> FaqMatch:
    """ranking: (topic, probability, similarity of its closest example), most probable first."""
    ranked = [{"id": topic, "score": round(p, 4), "similarity": round(sim, 4)} for topic, p, sim in ranking]
    if not ranking or faq_probability < t.faq_intent or ranking[0][2] < t.similarity:
        return FaqMatch(UNSURE, ranked)
    best = ranking[0][1]
    runner_up = ranking[1][1] if len(ranking) > 1 else 0.0
    if best >= t.answer and best - runner_up >= t.margin:
        return FaqMatch(ANSWER, ranked)
    if best + runner_up >= t.clarify and len(ranking) > 1:
        return FaqMatch(CLARIFY, ranked)
    return FaqMatch(UNSURE, ranked)


def answered_topic(parse_data: dict[str, Any]) -> str | None:
    """The FAQ topic the bot answers outright for this parse result, or None (clarify, unsure, other intent)."""
    intent = (parse_data.get("intent") or {}).get("name")
    faq = parse_data.get("faq") or {}
    if intent == FAQ_INTENT and faq.get("decision") == ANSWER and faq.get("ranking"):
        return faq["ranking"][0]["id"]
    return None
