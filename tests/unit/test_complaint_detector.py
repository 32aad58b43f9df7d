"""The complaint detector's decision bands and what the FAQ answer does with a borderline score."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.faq.decision import ANSWER
from bot.nlu import complaint_detector
from bot.nlu.complaint_detector import ComplaintDetector
from bot.nlu.linear import LinearSoftmax

LABELS = ["complaint:damaged_item", "complaint:refund_not_received", "faq", "praise"]


def detector(labels: list[str] = LABELS) -> ComplaintDetector:
    # identity weights: softmax(log p) == p, so a vector of log-probabilities sets the model's output exactly
    model = LinearSoftmax(labels, np.eye(len(labels), dtype=np.float32), np.zeros(len(labels), dtype=np.float32))
    return ComplaintDetector(ComplaintDetector.get_default_config(), None, None, model)


def log_probabilities(*probabilities: float) -> np.ndarray:
    return np.log(np.array(probabilities, dtype=np.float32))


@pytest.mark.parametrize(
    ("binary", "intent", "intent_p", "final_intent", "is_complaint", "offer"),
    [
        (0.9, "faq", 0.3, "complaint", True, False),        # mean 0.6: the detector overrides the intent classifier
        (0.7, "praise", 0.0, "praise", False, True),        # mean 0.35: the other view disagrees; offer a person
        (0.42, "faq", 0.2, "faq", False, True),             # borderline: answer, and offer a person
        (0.2, "faq", 0.1, "faq", False, False),
        (0.2, "complaint", 0.5, "complaint", True, False),  # the intent classifier's own choice stands
        (0.9, "request_human", 0.4, "request_human", False, False),  # a request for a person stays one
    ],
)
def test_score_bands(monkeypatch: pytest.MonkeyPatch, binary: float, intent: str, intent_p: float,
                     final_intent: str, is_complaint: bool, offer: bool) -> None:
    # the detector's P(complaint) = binary, split 3:1 between two categories
    vector = log_probabilities(binary * 0.75, binary * 0.25, (1 - binary) / 2, (1 - binary) / 2)
    monkeypatch.setattr(complaint_detector, "sentence_vector", lambda message: vector)
    ranking = [{"name": intent, "confidence": 0.6}, {"name": "complaint", "confidence": intent_p},
               {"name": "greet", "confidence": 0.4 - intent_p}]
    if intent == "complaint":
        ranking = [{"name": "complaint", "confidence": intent_p}, {"name": "faq", "confidence": 1 - intent_p}]
    message = Message(data={"text": "…", "intent": ranking[0], "intent_ranking": ranking})
    detector().process([message])
    result = message.get("complaint")
    assert result["score"] == pytest.approx((binary + intent_p) / 2, abs=1e-3)
    assert result["category"] == "damaged_item"
    assert (result["is_complaint"], result["offer_person"]) == (is_complaint, offer)
    assert message.get("intent")["name"] == final_intent
    if final_intent == "complaint" and intent != "complaint":
        ranking = message.get("intent_ranking")
        assert ranking[0]["name"] == "complaint"
        assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)


def faq_tracker(complaint: dict[str, Any]) -> Tracker:
    message = {"text": "how long do refunds take", "intent": {"name": "faq", "confidence": 0.9},
               "language": {"code": "en", "confidence": 0.99}, "metadata": {}, "complaint": complaint,
               "faq": {"decision": ANSWER, "ranking": [{"id": "refund_time", "score": 0.9, "similarity": 0.95}]}}
    return Tracker("unit-faq", {"language": "en"}, message, [], False, None, {}, "action_listen")


@pytest.mark.parametrize("offer", [True, False])
def test_faq_answer_offers_a_person_only_for_a_borderline_complaint(offer: bool) -> None:
    from actions.actions import ActionAnswerFaq
    from bot.faq.kb import get_knowledge_base

    dispatcher = CollectingDispatcher()
    ActionAnswerFaq().respond(dispatcher, faq_tracker({"score": 0.4 if offer else 0.1, "offer_person": offer}), "en")
    [reply] = dispatcher.messages
    assert reply["text"] == get_knowledge_base().answer("refund_time", "en")
    assert [b["payload"] for b in reply["buttons"]] == (["/request_human"] if offer else [])


def test_eval_counts_a_missed_complaint_as_offered_only_when_the_reply_has_the_button() -> None:
    from bot.eval.complaint import offers_person

    assert offers_person({"intent": {"name": "faq"}, "complaint": {"offer_person": True}, "faq": {"decision": ANSWER}})
    assert offers_person({"intent": {"name": "out_of_scope"}, "complaint": {"offer_person": False}})
    assert offers_person({"intent": {"name": "faq"}, "faq": {"decision": "unsure"}})
    assert not offers_person({"intent": {"name": "faq"}, "complaint": {"offer_person": False},
                              "faq": {"decision": ANSWER}})
    assert not offers_person({"intent": {"name": "thanks"}, "complaint": {"offer_person": False}})


def scored(det: ComplaintDetector, monkeypatch: pytest.MonkeyPatch, vector: np.ndarray) -> dict[str, Any]:
    monkeypatch.setattr(complaint_detector, "sentence_vector", lambda message: vector)
    ranking = [{"name": "faq", "confidence": 0.8}, {"name": "complaint", "confidence": 0.2}]
    message = Message(data={"text": "…", "intent": ranking[0], "intent_ranking": ranking})
    det.process([message])
    return message.get("complaint")


def test_the_category_is_the_likeliest_complaint_class(monkeypatch: pytest.MonkeyPatch) -> None:
    # faq alone (0.4) beats each category, but the two categories together (0.5) make it a complaint score
    result = scored(detector(), monkeypatch, log_probabilities(0.2, 0.3, 0.4, 0.1))
    assert result["category"] == "refund_not_received"
    assert result["score"] == pytest.approx((0.5 + 0.2) / 2, abs=1e-3)


def test_a_model_trained_before_the_categories_still_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scored(detector(["complaint", "other"]), monkeypatch, log_probabilities(0.9, 0.1))
    assert result["score"] == pytest.approx((0.9 + 0.2) / 2, abs=1e-3)
    assert result["category"] == "other" and result["is_complaint"]


def test_training_learns_each_category_apart_from_the_calm_questions(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.training_data import TrainingData

    rng = np.random.default_rng(0)
    centres = {("complaint", "damaged_item"): [4, 0, 0], ("complaint", "payment_problem"): [0, 4, 0],
               ("faq", None): [0, 0, 4]}
    examples = [Message(data={"text": f"{intent} {i}", "intent": intent, "complaint_category": category,
                              "vector": np.array(centre, dtype=np.float32) + rng.normal(0, 0.5, 3)})
                for (intent, category), centre in centres.items() for i in range(20)]
    monkeypatch.setattr(complaint_detector, "sentence_vector", lambda message: message.get("vector"))
    storage, resource = LocalModelStorage(tmp_path), Resource("complaint_detector")
    config = ComplaintDetector.get_default_config()
    ComplaintDetector(config, storage, resource).train(TrainingData(training_examples=examples))
    loaded = ComplaintDetector.load(config, storage, resource, None)
    assert sorted(loaded.model.labels) == ["complaint:damaged_item", "complaint:payment_problem", "faq"]
    assert loaded.score(np.array([0, 4, 0], dtype=np.float32), 1.0)[1] == "payment_problem"
    assert loaded.score(np.array([0, 0, 4], dtype=np.float32), 0.0)[0] < 0.05
    assert loaded.score(np.array([4, 0, 0], dtype=np.float32), 1.0)[0] > 0.95


@pytest.mark.parametrize("own", [0.0, 0.25])
def test_a_found_complaint_survives_rasas_fallback_classifier(monkeypatch: pytest.MonkeyPatch, own: float) -> None:
    """A score just over the threshold with a confident runner-up (or the intent classifier's own, weak choice
    of complaint) must stay a complaint: the FallbackClassifier falls back when the runner-up beats the top."""
    from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier

    vector = log_probabilities(0.42 - own, 0.0001, 0.5799 + own, 0.0001)  # detector P(complaint) ~ 0.42 - own
    monkeypatch.setattr(complaint_detector, "sentence_vector", lambda message: vector)
    top = "complaint" if own else "praise"
    ranking = ([{"name": "complaint", "confidence": own}, {"name": "praise", "confidence": 0.2},
                {"name": "faq", "confidence": 0.2}] if own else
               [{"name": "praise", "confidence": 0.55}, {"name": "complaint", "confidence": 0.42},
                {"name": "faq", "confidence": 0.03}])
    message = Message(data={"text": "…", "intent": {"name": top, "confidence": ranking[0]["confidence"]},
                            "intent_ranking": ranking})
    detector().process([message])
    assert message.get("complaint")["is_complaint"]
    fallback = FallbackClassifier({**FallbackClassifier.get_default_config(), "threshold": 0.3,
                                   "ambiguity_threshold": 0.0})
    fallback.process([message])
    assert message.get("intent")["name"] == "complaint"
    ranking = message.get("intent_ranking")
    assert ranking[0]["name"] == "complaint" and all(r["confidence"] <= ranking[0]["confidence"] for r in ranking)
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
