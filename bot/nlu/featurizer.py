"""Dense sentence features from the shared multilingual encoder.

Every Kefu classifier (intent, FAQ retrieval, complaints) reads these features, so a message is encoded once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.encoder import Encoder, encoder_fingerprint, get_encoder
from bot.settings import get_settings


def sentence_vector(message: Message) -> np.ndarray | None:
    """The message's sentence embedding (1-D, L2-normalised) or None when it has no text."""
    _seq, sentence = message.get_dense_features(TEXT)
    if sentence is None:
        return None
    return np.asarray(sentence.features, dtype=np.float32).reshape(-1)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class EncoderFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "model": None}

    @staticmethod
    def required_packages() -> list[str]:
        return ["sentence_transformers"]

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._encoder: Encoder = get_encoder(config.get("model"))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EncoderFeaturizer:
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        pass

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return encoder_fingerprint(config.get("model"))

    def _featurize(self, messages: list[Message]) -> None:
        limit = get_settings().max_message_chars
        todo = [m for m in messages if (m.get(TEXT) or "").strip()]
        vectors = self._encoder.encode_queries([m.get(TEXT)[:limit] for m in todo])
        for message, vector in zip(todo, vectors):
            self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages
