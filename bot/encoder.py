"""The sentence encoder behind FAQ retrieval, intent and complaint detection.

One small interface so the model is configuration: any sentence-transformers name or folder works (kefu.yml
``paths.encoder`` or env ``KEFU_ENCODER``). Loaded once per process and shared by every component.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# transformers would import TensorFlow too (Rasa installs it); the encoder runs on PyTorch only
os.environ.setdefault("USE_TF", "0")


class Encoder:
    """Embeds texts into L2-normalised float32 vectors (cosine similarity == inner product)."""

    def __init__(self, name_or_path: str, query_prompt: str = "", passage_prompt: str = "",
                 quantize: str | None = None, threads: int | None = None) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)  # process-wide: the encoder is the only torch user in our processes
        self.name = name_or_path
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self._model = SentenceTransformer(name_or_path, device="cpu")
        if quantize == "int8":
            self._model = quantize_int8(self._model)
        elif quantize:
            raise ValueError(f"kefu.yml encoder.quantize: {quantize!r} is not 'int8' or null")
        self.dim = int(self._model.get_sentence_embedding_dimension())

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) == 1:  # one live message: skip encode()'s batching machinery (~2.5 of ~15 ms)
            return self._encode_one(prompt + texts[0])
        vectors = self._model.encode(
            [prompt + t for t in texts],
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _encode_one(self, text: str) -> np.ndarray:
        """The same vector as ``encode([text], normalize_embeddings=True)``: tokenise, forward, normalise."""
        import torch

        features = self._model.tokenize([text])
        with torch.inference_mode():
            vector = self._model.forward(features)["sentence_embedding"]
            vector = torch.nn.functional.normalize(vector, p=2, dim=1)
        return np.ascontiguousarray(vector.numpy(), dtype=np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self.query_prompt)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self.passage_prompt)


# which layers ``quantize_int8`` converts: part of the fingerprint, so a change here retrains the model too
INT8_SCHEME = "int8: linear layers but the feed-forward output projections"


def quantize_int8(model: torch.nn.Module) -> torch.nn.Module:
    """Dynamic int8 quantisation of the linear layers but the feed-forward output projections.

    Those read the GELU activations, whose outliers int8 loses (cosine to float32 0.98, FAQ top-1 -2 points);
    leaving them in float32 keeps cosine 0.995 and most of the speed (one message: 20 -> 14.5 ms on one thread).
    Names follow BERT / XLM-R (``layer.N.output.dense``; attention's is ``attention.output.dense``).
    """
    import torch

    names = {name for name, module in model.named_modules() if isinstance(module, torch.nn.Linear)
             and not (name.endswith("output.dense") and "attention" not in name)}
    return torch.quantization.quantize_dynamic(model, names, dtype=torch.qint8)


@lru_cache(maxsize=4)
def get_encoder(name_or_path: str | None = None) -> Encoder:
    """The process-wide encoder (default: the one configured in kefu.yml)."""
    from bot.settings import get_settings

    settings = get_settings()
    return Encoder(name_or_path or settings.encoder, settings.query_prompt, settings.passage_prompt,
                   settings.encoder_quantize, settings.encoder_threads)


def encoder_fingerprint(name_or_path: str | None = None) -> str:
    """What the features depend on, for Rasa's fingerprint: a model trained on one encoder's vectors must not read
    another's, so changing the encoder, its prompts or its quantisation in kefu.yml retrains (without loading it)."""
    from pathlib import Path

    from bot.settings import get_settings

    settings = get_settings()
    name = name_or_path or settings.encoder
    stamp = Path(name) / "kefu-build.json"  # a locally built encoder: its build record
    build = stamp.read_text(encoding="utf-8") if stamp.is_file() else ""
    scheme = INT8_SCHEME if settings.encoder_quantize == "int8" else "float32"
    return "|".join([name, settings.query_prompt, settings.passage_prompt, scheme, build])
