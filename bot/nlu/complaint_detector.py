"""Multilingual complaint detection: a score, a category, and the ``complaint`` intent when it is one.

Both sentence embeddings (the main encoder's and the second view, ``bot/use_encoder.py``, concatenated) feed
two classifiers whose probabilities are averaged into the score: a binary logistic regression
(complaint examples of ``data/complaints.yml`` against everything else, including the neutral look-alikes
written next to them) and the intent classifier's P(complaint), which also knows praise, chatter and requests
as classes of their own (the binary model alone took happy or off-topic messages for complaints: on the
held-out cases, precision 0.84 alone vs 0.88 averaged at the same recall). The closest complaint example gives
the category. When the score passes ``threshold`` (or the intent classifier already chose ``complaint``) the
message's intent becomes ``complaint``: a missed angry shopper costs more than a needless handoff, so the
threshold is set for recall (see ``python -m bot eval complaint``).

Between ``offer_person_threshold`` and ``threshold`` the message may or may not be a complaint: the bot answers
what it understood but also offers a person (``offer_person``), so a quiet complaint is one tap from a human
without handing every borderline question to the team.
"""

from __future__ import annotations

import json
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


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class ComplaintDetector(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"threshold": 0.45, "offer_person_threshold": 0.3, "C": 4.0}

    @classmethod
    def required_components(cls) -> list[type]:
        return [EncoderFeaturizer]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: LinearSoftmax | None = None,
        examples: np.ndarray | None = None,
        categories: list[str] | None = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self.model = model
        self.examples = examples
        self.categories = categories or []

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
        labels = [COMPLAINT_INTENT if c else "other" for c in is_complaint]
        self.model = LinearSoftmax.fit(x, labels, self._config["C"])
        self.examples = x[is_complaint]
        self.categories = [m.get(COMPLAINT_CATEGORY) or "other" for m, c in zip(examples, is_complaint) if c]
        with self._storage.write_to(self._resource) as directory:
            self.model.save(directory, "complaint")
            np.save(directory / "examples.npy", self.examples)
            (directory / "categories.json").write_text(json.dumps(self.categories))
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
                return cls(config, model_storage, resource, LinearSoftmax.load(directory, "complaint"),
                           np.load(directory / "examples.npy"),
                           json.loads((directory / "categories.json").read_text()))
        except (ValueError, FileNotFoundError):  # trained without complaint examples
            return cls(config, model_storage, resource)

    def score(self, vector: np.ndarray, intent_probability: float) -> tuple[float, str]:
        """The complaint score (binary P(complaint) averaged with the intent classifier's) and the category of
        the closest complaint example."""
        probability = float(self.model.probabilities(vector)[self.model.labels.index(COMPLAINT_INTENT)])
        return (probability + intent_probability) / 2, self.categories[int(np.argmax(self.examples @ vector))]

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
            if is_complaint and intent != COMPLAINT_INTENT:
                message.set(INTENT, {INTENT_NAME_KEY: COMPLAINT_INTENT, PREDICTED_CONFIDENCE_KEY: score},
                            add_to_output=True)
                # the other intents share what is left, so the ranking stays a distribution with complaint first
                others = [r for r in message.get("intent_ranking") or [] if r[INTENT_NAME_KEY] != COMPLAINT_INTENT]
                rest = sum(r[PREDICTED_CONFIDENCE_KEY] for r in others) or 1.0
                ranking = [{INTENT_NAME_KEY: r[INTENT_NAME_KEY],
                            PREDICTED_CONFIDENCE_KEY: r[PREDICTED_CONFIDENCE_KEY] * (1 - score) / rest} for r in others]
                message.set("intent_ranking",
                            [{INTENT_NAME_KEY: COMPLAINT_INTENT, PREDICTED_CONFIDENCE_KEY: score}] + ranking,
                            add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
