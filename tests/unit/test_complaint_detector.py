"""The complaint detector's decision bands and what the FAQ answer does with a borderline score."""

from __future__ import annotations

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


def detector(config: dict[str, Any] | None = None) -> ComplaintDetector:
    # P(complaint) = sigmoid(x[0]): a vector's first coordinate sets the score; its second picks the category
    model = LinearSoftmax(["complaint", "other"], np.array([[0.5, 0.0], [-0.5, 0.0]], dtype=np.float32),
                          np.zeros(2, dtype=np.float32))
    examples = np.array([[0.0, 1.0], [0.0, -1.0]], dtype=np.float32)
    return ComplaintDetector({**ComplaintDetector.get_default_config(), **(config or {})}, None, None, model,
                             examples, ["damaged_item", "refund_not_received"])


def logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


@pytest.mark.parametrize(
    ("binary", "intent", "intent_p", "final_intent", "is_complaint", "offer"),
    [
        (0.9, "faq", 0.3, "complaint", True, False),        # mean 0.6: the detector overrides the intent classifier
        (0.88, "praise", 0.0, "praise", False, True),       # mean 0.44: the other view disagrees; offer a person
        (0.4, "faq", 0.2, "faq", False, True),              # borderline: answer, and offer a person
        (0.2, "faq", 0.1, "faq", False, False),
        (0.2, "complaint", 0.5, "complaint", True, False),  # the intent classifier's own choice stands
        (0.9, "request_human", 0.4, "request_human", False, False),  # a request for a person stays one
    ],
)
def test_score_bands(monkeypatch: pytest.MonkeyPatch, binary: float, intent: str, intent_p: float,
                     final_intent: str, is_complaint: bool, offer: bool) -> None:
    vector = np.array([logit(binary), 0.3], dtype=np.float32)
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
