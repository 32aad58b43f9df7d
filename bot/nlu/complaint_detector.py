"""Multilingual complaint detection: a score, a category, and the ``complaint`` intent when it is one.

Both sentence embeddings (the main encoder's and the second view, ``bot/use_encoder.py``, concatenated) feed two
classifiers whose probabilities are averaged into the score. The detector's own model is a logistic regression over
every intent in which each complaint category is a class of its own (``complaint:damaged_item`` ... against faq,
praise, chatter, request_human ...; the neutral look-alikes written next to the complaints are faq examples); its
P(complaint) is the sum over the categories, and the likeliest category names the complaint. One class per category
learns each kind of failure apart from the calm questions on the same subject, where one "complaint" class had to
cover them all: on the first two held-out sets (offline, same training data) recall 0.957 -> 0.976 at precision
0.947 -> 0.941, and the right category 81 % -> 94 % (it was the closest example's). The other half of the score is
the intent classifier's P(complaint), which keeps a message that looks like praise or chatter from being handed off
on the detector's word alone. When the score passes ``threshold`` (or the intent classifier already chose
``complaint``) the message's intent becomes ``complaint``: a missed angry shopper costs more than a needless
handoff, so the threshold is set for recall (see ``python -m bot eval complaint``).

Between ``offer_person_threshold`` and ``threshold`` the message may or may not be a complaint: the bot answers
what it understood but also offers a person (``offer_person``), so a quiet complaint is one tap from a human
without handing every borderline question to the team.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.featurizer import EncoderFeaturizer, sentence_vector
from bot.nlu.importer import COMPLAINT_CATEGORY, COMPLAINT_INTENT
from bot.nlu.linear import LinearSoftmax

COMPLAINT_KEY = "complaint"
HUMAN_INTENT = "request_human"


# the least confidence of a complaint the detector decided on: every other intent then stays below it
MIN_COMPLAINT_CONFIDENCE = 0.5


def rank_complaint_first(message: Message, confidence: float) -> None:
    """Makes ``complaint`` the message's intent, ahead of every other one; the others share what is left, so the
    ranking stays a distribution. The caller's confidence is at least 0.5 (``MIN_COMPLAINT_CONFIDENCE``): Rasa's
    FallbackClassifier turns a message into ``nlu_fallback`` when its top intent is under the fallback threshold
    or a runner-up beats it, and did so to complaints scored under 0.5 whose runner-up (praise, faq) kept the
    larger share."""
    others = [r for r in message.get("intent_ranking") or [] if r[INTENT_NAME_KEY] != COMPLAINT_INTENT]
    rest = sum(r[PREDICTED_CONFIDENCE_KEY] for r in others) or 1.0
    message.set(INTENT, {INTENT_NAME_KEY: COMPLAINT_INTENT, PREDICTED_CONFIDENCE_KEY: confidence}, add_to_output=True)
    message.set("intent_ranking",
                [{INTENT_NAME_KEY: COMPLAINT_INTENT, PREDICTED_CONFIDENCE_KEY: confidence}]
                + [{INTENT_NAME_KEY: r[INTENT_NAME_KEY],
                    PREDICTED_CONFIDENCE_KEY: r[PREDICTED_CONFIDENCE_KEY] * (1 - confidence) / rest} for r in others],
                add_to_output=True)


def is_complaint_label(label: str) -> bool:
    return label == COMPLAINT_INTENT or label.startswith(f"{COMPLAINT_INTENT}:")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class ComplaintDetector(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"threshold": 0.40, "offer_person_threshold": 0.3, "C": 30.0}

    @classmethod
    def required_components(cls) -> list[type]:
        return [EncoderFeaturizer]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: LinearSoftmax | None = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self.model: LinearSoftmax | None = None
        self._complaint_columns: list[int] = []
        if model is not None:
            self.use(model)

    def use(self, model: LinearSoftmax) -> None:
        self.model = model
        # its complaint classes: "complaint:<category>" (a model trained before the categories has one, "complaint")
        self._complaint_columns = [i for i, label in enumerate(model.labels) if is_complaint_label(label)]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ComplaintDetector:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if sentence_vector(m) is not None]
        is_complaint = np.array([m.get(INTENT) == COMPLAINT_INTENT for m in examples])
        if not examples or is_complaint.all() or not is_complaint.any():
            return self._resource
        x = np.stack([sentence_vector(m) for m in examples])
        labels = [f"{COMPLAINT_INTENT}:{m.get(COMPLAINT_CATEGORY) or 'other'}" if c else m.get(INTENT)
                  for m, c in zip(examples, is_complaint)]
        model = LinearSoftmax.fit(x, labels, self._config["C"])
        with self._storage.write_to(self._resource) as directory:
            model.save(directory, "complaint")
        self.use(model)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ComplaintDetector:
        try:
            with model_storage.read_from(resource) as directory:
                return cls(config, model_storage, resource, LinearSoftmax.load(directory, "complaint"))
        except (ValueError, FileNotFoundError):  # trained without complaint examples
            return cls(config, model_storage, resource)

    def score(self, vector: np.ndarray, intent_probability: float) -> tuple[float, str]:
        """The complaint score (the detector's P(complaint), summed over the categories, averaged with the
        intent classifier's) and the likeliest category."""
        probabilities = self.model.probabilities(vector)[self._complaint_columns]
        category = self.model.labels[self._complaint_columns[int(np.argmax(probabilities))]].partition(":")[2]
        return (float(probabilities.sum()) + intent_probability) / 2, category or "other"

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            vector = sentence_vector(message)
            if vector is None or self.model is None:
                continue
            ranking = message.get("intent_ranking") or []
            intent_probability = next((r[PREDICTED_CONFIDENCE_KEY] for r in ranking
                                       if r[INTENT_NAME_KEY] == COMPLAINT_INTENT), 0.0)
            score, category = self.score(vector, intent_probability)
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            is_complaint = intent == COMPLAINT_INTENT or (
                score >= self._config["threshold"] and intent != HUMAN_INTENT)
            offer_person = (not is_complaint and intent != HUMAN_INTENT
                            and score >= self._config["offer_person_threshold"])
            message.set(
                COMPLAINT_KEY,
                {"score": round(score, 4), "category": category, "is_complaint": is_complaint,
                 "offer_person": offer_person},
                add_to_output=True,
            )
            if is_complaint:
                rank_complaint_first(message, max(intent_probability, score, MIN_COMPLAINT_CONFIDENCE))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
