"""The encoder's settings: the fast path for one live message gives the vector ``encode()`` gives, int8
quantisation stays close to float32, and the fingerprint changes with what the vectors depend on."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from bot import encoder as encoder_module
from bot.encoder import Encoder, encoder_fingerprint
from bot.settings import get_settings

TEXTS = ["How long does shipping to Canada take?", "退货政策是什么？可以退货吗", "😀😀", "x" * 3000]


@pytest.fixture(scope="module")
def encoders() -> dict[str, Encoder]:
    s = get_settings()
    return {q or "float32": Encoder(s.encoder, s.query_prompt, s.passage_prompt, q, 1) for q in (None, "int8")}


@pytest.mark.parametrize("kind", ["float32", "int8"])
def test_one_message_fast_path_matches_sentence_transformers(encoders: dict[str, Encoder], kind: str) -> None:
    enc = encoders[kind]
    for text in TEXTS:
        expected = enc._model.encode([enc.query_prompt + text], normalize_embeddings=True, convert_to_numpy=True)
        got = enc.encode_queries([text])
        assert got.shape == (1, enc.dim) and got.dtype == np.float32
        np.testing.assert_allclose(got, expected, atol=1e-5)


def test_int8_stays_close_to_float32(encoders: dict[str, Encoder]) -> None:
    full, int8 = (np.vstack([e.encode_queries([t]) for t in TEXTS]) for e in encoders.values())
    assert float((full * int8).sum(axis=1).min()) > 0.98  # cosine per message


def test_unknown_quantisation_is_refused() -> None:
    s = get_settings()
    with pytest.raises(ValueError, match="quantize"):
        Encoder(s.encoder, quantize="int4")


def test_fingerprint_follows_the_encoder_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    base = encoder_fingerprint()
    for change in ({"encoder_quantize": None if get_settings().encoder_quantize else "int8"},
                   {"query_prompt": "search: "}):
        changed = dataclasses.replace(get_settings(), **change)
        monkeypatch.setattr("bot.settings.get_settings", lambda changed=changed: changed)
        assert encoder_fingerprint() != base
    monkeypatch.undo()
    assert encoder_fingerprint() == base and encoder_module.INT8_SCHEME
