"""The faiss index ranking and the answer / clarify / unsure decision."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.faq.decision import ANSWER, CLARIFY, UNSURE, Thresholds, answered_topic, decide
from bot.faq.index import FaqIndex

T = Thresholds(answer=0.5, margin=0.2, clarify=0.5, similarity=0.8, faq_intent=0.5)


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
    assert decide([("a", 0.90, 0.92), ("b", 0.05, 0.85)], 0.9, T).decision == ANSWER
    assert decide([("a", 0.45, 0.92), ("b", 0.40, 0.90)], 0.9, T).decision == CLARIFY  # too close to call
    assert decide([("a", 0.30, 0.92), ("b", 0.10, 0.90)], 0.9, T).decision == UNSURE  # nothing likely
    assert decide([("a", 0.95, 0.70), ("b", 0.01, 0.60)], 0.9, T).decision == UNSURE  # no example is close
    assert decide([("a", 0.99, 0.95), ("b", 0.01, 0.50)], 0.1, T).decision == UNSURE  # not a shop question
    assert decide([], 1.0, T).decision == UNSURE
    ranked = decide([("a", 0.9, 0.91), ("b", 0.1, 0.8)], 0.9, T).ranking
    assert ranked[0] == {"id": "a", "score": 0.9, "similarity": 0.91}


def test_answered_topic_requires_faq_intent_and_answer_decision() -> None:
    match = decide([("a", 0.95, 0.9), ("b", 0.05, 0.8)], 0.9, T).as_dict()
    assert answered_topic({"intent": {"name": "faq"}, "faq": match}) == "a"
    assert answered_topic({"intent": {"name": "out_of_scope"}, "faq": match}) is None
    assert answered_topic({"intent": {"name": "faq"}, "faq": {**match, "decision": CLARIFY}}) is None
