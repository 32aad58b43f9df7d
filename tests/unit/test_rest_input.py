"""Validation of REST webhook bodies (the server-level behaviour is in tests/integration)."""

from __future__ import annotations

import pytest

from bot.channels.rest import BadRequest, parse_body


def test_valid_body_passes_and_nul_is_made_visible() -> None:
    body = parse_body(b'{"sender": "s1", "message": "hi\\u0000there", "metadata": {"locale": "zh-TW"}}')
    assert body["message"] == "hi\ufffdthere"
    assert body["metadata"] == {"locale": "zh-TW"}


def test_missing_message_becomes_empty_text() -> None:
    assert parse_body(b'{"sender": "s1"}')["message"] == ""


@pytest.mark.parametrize(
    "raw",
    [b"", b"nope", b'"text"', b'{"sender": ""}', b'{"sender": "s", "message": []}',
     b'{"sender": "s", "metadata": 3}', b'{"sender": "' + b"x" * 300 + b'"}', b"\xc3\x28"],
)
def test_bad_bodies_are_rejected(raw: bytes) -> None:
    with pytest.raises(BadRequest):
        parse_body(raw)


def test_store_endpoints_follow_the_environment() -> None:
    from bot.serve import store_endpoints

    assert store_endpoints({}) == {}
    stores = store_endpoints({"KEFU_TRACKER_STORE_URL": "postgresql://kefu:p%40ss@db.local:5433/rasa",
                              "KEFU_LOCK_STORE_URL": "redis://127.0.0.1:6379/2"})
    assert stores["tracker_store"] == {"type": "SQL", "dialect": "postgresql", "url": "db.local", "port": 5433,
                                       "db": "rasa", "username": "kefu", "password": "p@ss"}
    assert stores["lock_store"] == {"type": "bot.lock_store.AtomicRedisLockStore", "url": "127.0.0.1", "port": 6379,
                                   "db": 2, "password": None}
