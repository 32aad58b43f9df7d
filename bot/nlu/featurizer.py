"""Dense sentence features from the shared multilingual encoder.

Every Kefu classifier (intent, FAQ retrieval, complaints) reads these features, so a message is encoded once.
A second encoder (``bot/nlu/use_featurizer.py``) adds another view: the intent and complaint classifiers read
both, concatenated; the FAQ index reads this one alone (``MAIN_VIEW``).
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

MAIN_VIEW = "encoder"  # the origin of the main encoder's features (what the FAQ index reads)


def sentence_vector(message: Message, views: list[str] | None = None) -> np.ndarray | None:
    """The message's sentence embedding or None when it has no text: every featurizer's vector concatenated in
    pipeline order (each L2-normalised), or only those of ``views`` (feature origins)."""
    _seq, sentence = message.get_dense_features(TEXT, views)
    if sentence is None:
        return None
    return np.asarray(sentence.features, dtype=np.float32).reshape(-1)


class SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """One sentence vector per message text (no sequence features: no Kefu component reads tokens), with the
    subclass's ``view`` as the features' origin, whatever alias a config (or an older model) has."""

    view: str

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "model": None}  # model: the encoder, None = the default

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._identifier = self.view

    def embed(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceFeaturizer:
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        pass

    def _featurize(self, messages: list[Message]) -> None:
        limit = get_settings().max_message_chars
        todo = [m for m in messages if (m.get(TEXT) or "").strip()]
        vectors = self.embed([m.get(TEXT)[:limit] for m in todo])
        for message, vector in zip(todo, vectors):
            self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class EncoderFeaturizer(SentenceFeaturizer):
    view = MAIN_VIEW

    @staticmethod
    def required_packages() -> list[str]:
        return ["sentence_transformers"]

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(config, name)
        self._encoder: Encoder = get_encoder(config.get("model"))

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return encoder_fingerprint(config.get("model"))

    def embed(self, texts: list[str]) -> np.ndarray:
        return self._encoder.encode_queries(texts)
