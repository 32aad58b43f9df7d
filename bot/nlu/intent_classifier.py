"""Multilingual intent classification: logistic regression over the shared sentence embeddings.

The encoder is multilingual, so an intent learnt from English and Chinese examples is recognised in Korean.
Training is seconds on a laptop CPU (no TensorFlow model to fit), and the learnt weights are stored as plain
numpy arrays inside the Rasa model (no pickle).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.featurizer import EncoderFeaturizer, sentence_vector
from bot.nlu.linear import LinearSoftmax


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class EncoderIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"C": 10.0, "ranking_length": 10}

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
        self.model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EncoderIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if sentence_vector(m) is not None]
        if len({m.get(INTENT) for m in examples}) < 2:
            return self._resource
        x = np.stack([sentence_vector(m) for m in examples])
        self.model = LinearSoftmax.fit(x, [m.get(INTENT) for m in examples], self._config["C"])
        with self._storage.write_to(self._resource) as directory:
            self.model.save(directory, "intents")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> EncoderIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                return cls(config, model_storage, resource, LinearSoftmax.load(directory, "intents"))
        except (ValueError, FileNotFoundError):  # nothing was trained (fewer than two intents)
            return cls(config, model_storage, resource)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            vector = sentence_vector(message)
            if vector is None or self.model is None:
                # no text: no intent, so Rasa's FallbackClassifier / rules handle it
                message.set(INTENT, {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
                message.set("intent_ranking", [], add_to_output=True)
                continue
            ranking = self.model.ranking(vector)
            name, confidence = ranking[0]
            message.set(INTENT, {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}, add_to_output=True)
            message.set(
                "intent_ranking",
                [
                    {INTENT_NAME_KEY: n, PREDICTED_CONFIDENCE_KEY: c}
                    for n, c in ranking[: self._config["ranking_length"]]
                ],
                add_to_output=True,
            )
        return messages


