"""The sentence encoder behind FAQ retrieval, intent and complaint detection.

One small interface so the model is configuration: any sentence-transformers name or folder works (kefu.yml
``paths.encoder`` or env ``KEFU_ENCODER``). Loaded once per process and shared by every component.
"""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# transformers would import TensorFlow too (Rasa installs it); the encoder runs on PyTorch only
os.environ.setdefault("USE_TF", "0")


class Encoder:
    """Embeds texts into L2-normalised float32 vectors (cosine similarity == inner product)."""

    def __init__(self, name_or_path: str, query_prompt: str = "", passage_prompt: str = "") -> None:
        from sentence_transformers import SentenceTransformer

        self.name = name_or_path
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self._model = SentenceTransformer(name_or_path, device="cpu")
        self.dim = int(self._model.get_sentence_embedding_dimension())

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            [prompt + t for t in texts],
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self.query_prompt)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self.passage_prompt)


@lru_cache(maxsize=4)
def get_encoder(name_or_path: str | None = None) -> Encoder:
    """The process-wide encoder (default: the one configured in kefu.yml)."""
    from bot.settings import get_settings

    settings = get_settings()
    return Encoder(name_or_path or settings.encoder, settings.query_prompt, settings.passage_prompt)
