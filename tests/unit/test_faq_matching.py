"""The faiss index ranking and the answer / clarify / unsure decision."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.faq.decision import ANSWER, CLARIFY, UNSURE, Thresholds, answered_topic, decide
from bot.faq.index import FaqIndex

T = Thresholds(answer=0.9, margin=0.02, clarify=0.85, faq_intent=0.3)


def unit(v: list[float]) -> np.ndarray:
    a = np.asarray(v, dtype=np.float32)
    return a / np.linalg.norm(a)


def test_index_ranks_topics_by_their_best_example(tmp_path: Path) -> None:
    vectors = np.stack([unit([1, 0, 0]), unit([0.9, 0.1, 0]), unit([0, 1, 0]), unit([0, 0, 1])])
    index = FaqIndex.build(vectors, ["ship", "ship", "pay", "return"])
    ranking = index.search(unit([1, 0.05, 0]))
    assert [topic for topic, _ in ranking] == ["ship", "pay", "return"]
    assert ranking[0][1] > 0.99
    index.save(tmp_path)
    assert FaqIndex.load(tmp_path).search(unit([0, 0, 1]))[0][0] == "return"


def test_decision_answers_only_a_clear_winner() -> None:
    assert decide([("a", 0.95), ("b", 0.90)], 0.9, T).decision == ANSWER
    assert decide([("a", 0.95), ("b", 0.94)], 0.9, T).decision == CLARIFY  # too close to the runner-up
    assert decide([("a", 0.87), ("b", 0.70)], 0.9, T).decision == CLARIFY  # plausible, not certain
    assert decide([("a", 0.80), ("b", 0.70)], 0.9, T).decision == UNSURE
    assert decide([("a", 0.99), ("b", 0.10)], 0.1, T).decision == UNSURE  # not a shop question at all
    assert decide([], 1.0, T).decision == UNSURE


def test_answered_topic_requires_faq_intent_and_answer_decision() -> None:
    match = decide([("a", 0.95), ("b", 0.5)], 0.9, T).as_dict()
    assert answered_topic({"intent": {"name": "faq"}, "faq": match}) == "a"
    assert answered_topic({"intent": {"name": "out_of_scope"}, "faq": match}) is None
    assert answered_topic({"intent": {"name": "faq"}, "faq": {**match, "decision": CLARIFY}}) is None
