"""Multilingual complaint detection: a score, a category, and the ``complaint`` intent when it is one.

A binary logistic regression over the shared sentence embedding (complaint examples of ``data/complaints.yml``
against everything else, including the neutral look-alikes written next to them) gives the score; the
closest complaint example gives the category. When the score passes ``threshold`` the message's intent becomes
``complaint`` even if the intent classifier preferred another intent: a missed angry shopper costs more than
a needless handoff, so the threshold is set for recall (see ``python -m bot eval complaint``).
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

COMPLAINT_KEY = "complaint"
HUMAN_INTENT = "request_human"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class ComplaintDetector(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"threshold": 0.5, "C": 4.0}

    @classmethod
    def required_components(cls) -> list[type]:
        return [EncoderFeaturizer]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        weights: np.ndarray | None = None,
        bias: float = 0.0,
        examples: np.ndarray | None = None,
        categories: list[str] | None = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self.weights = weights
        self.bias = bias
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
        from sklearn.linear_model import LogisticRegression

        examples = [m for m in training_data.intent_examples if sentence_vector(m) is not None]
        labels = np.array([m.get(INTENT) == COMPLAINT_INTENT for m in examples])
        if not examples or labels.all() or not labels.any():
            return self._resource
        x = np.stack([sentence_vector(m) for m in examples])
        model = LogisticRegression(C=self._config["C"], max_iter=3000, class_weight="balanced").fit(x, labels)
        self.weights = model.coef_[0].astype(np.float32)
        self.bias = float(model.intercept_[0])
        self.examples = x[labels]
        self.categories = [m.get(COMPLAINT_CATEGORY) or "other" for m, is_c in zip(examples, labels) if is_c]
        with self._storage.write_to(self._resource) as directory:
            np.save(directory / "weights.npy", self.weights)
            np.save(directory / "examples.npy", self.examples)
            (directory / "meta.json").write_text(json.dumps({"bias": self.bias, "categories": self.categories}))
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
                meta = json.loads((directory / "meta.json").read_text())
                return cls(
                    config,
                    model_storage,
                    resource,
                    np.load(directory / "weights.npy"),
                    meta["bias"],
                    np.load(directory / "examples.npy"),
                    meta["categories"],
                )
        except ValueError:  # trained without complaint examples
            return cls(config, model_storage, resource)

    def score(self, vector: np.ndarray) -> tuple[float, str]:
        probability = 1.0 / (1.0 + np.exp(-(float(self.weights @ vector) + self.bias)))
        category = self.categories[int(np.argmax(self.examples @ vector))]
        return float(probability), category

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            vector = sentence_vector(message)
            if vector is None or self.weights is None:
                continue
            score, category = self.score(vector)
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            is_complaint = score >= self._config["threshold"] and intent != HUMAN_INTENT
            message.set(
                COMPLAINT_KEY,
                {"score": round(score, 4), "category": category, "is_complaint": is_complaint},
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
