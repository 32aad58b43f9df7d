"""The second encoder (USE-multilingual, ONNX from a PyPI package) and the two-view sentence features: what the
classifiers read (both views, in pipeline order) and what the FAQ index reads (the main encoder's alone)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.featurizer import MAIN_VIEW, sentence_vector
from bot.nlu.use_featurizer import USE_VIEW
from bot.use_encoder import UseEncoder, packaged_model_path, use_fingerprint


@pytest.fixture(scope="module")
def use() -> UseEncoder:
    return UseEncoder(threads=1)


def test_packaged_model_is_found_and_embeds_unit_vectors(use: UseEncoder) -> None:
    assert packaged_model_path().is_file()
    vectors = use.encode(["Where is my parcel?", "我的包裹在哪里？", "😀😀", "x" * 4000])
    assert vectors.shape == (4, use.dim) and use.dim == 512 and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert use.encode([]).shape == (0, 512)


def test_binary_and_broken_text_still_embeds(use: UseEncoder) -> None:
    # a lone surrogate (JSON "\ud800") has no UTF-8 form; control characters and NULs come from binary pastes
    vectors = use.encode(["\ud800 where is my order", "\x00\x01\x02", "ab\x00cd"])
    assert vectors.shape == (3, 512) and np.isfinite(vectors).all()


def test_same_meaning_across_languages_is_closer_than_another_subject(use: UseEncoder) -> None:
    en, zh, ru, other = use.encode(["my package never arrived", "我的包裹一直没有到", "моя посылка так и не пришла",
                                     "what a lovely sunny day"])
    assert en @ zh > en @ other + 0.2 and en @ ru > en @ other + 0.2


def test_one_text_gives_the_same_vector_alone_or_in_a_list(use: UseEncoder) -> None:
    texts = ["the kettle leaks", "a much longer message about a rice cooker that stopped working after a week"]
    np.testing.assert_array_equal(use.encode(texts)[0], use.encode(texts[:1])[0])


def test_fingerprint_follows_the_model_file(tmp_path: Path) -> None:
    other = tmp_path / "other.onnx"
    other.write_bytes(b"x")
    assert use_fingerprint() != use_fingerprint(str(other)) and use_fingerprint(str(tmp_path / "none")).endswith(
        "missing")


def test_classifiers_read_both_views_and_the_faq_index_the_main_one() -> None:
    message = Message(data={TEXT: "hi"})
    main, second = np.array([[0.6, 0.8]], np.float32), np.array([[1.0, 0.0, 0.0]], np.float32)
    message.add_features(Features(main, "sentence", TEXT, MAIN_VIEW))
    message.add_features(Features(second, "sentence", TEXT, USE_VIEW))
    np.testing.assert_allclose(sentence_vector(message), [0.6, 0.8, 1.0, 0.0, 0.0])
    np.testing.assert_allclose(sentence_vector(message, [MAIN_VIEW]), [0.6, 0.8])
    assert sentence_vector(Message(data={TEXT: ""})) is None
