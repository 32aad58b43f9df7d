"""Duplicate-delivery filtering: per process, and across instances through the shared Redis."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from bot.channels.common import SeenIds
from tests.services import REDIS_URL, shared_stores_or_reason


def test_a_retry_is_filtered_in_one_process() -> None:
    seen = SeenIds("messenger", size=2, redis_url="")

    async def run() -> list[bool]:
        return [await seen.first_time(k) for k in ("m1", "m1", "m2", 7, "7", "m3", "m1")]

    # "7" is the same delivery as 7; m1 was pushed out of the 2-id memory by m2 and 7
    assert asyncio.run(run()) == [True, False, True, True, False, True, True]


def test_a_retry_delivered_to_another_instance_is_filtered_through_redis() -> None:
    if shared_stores_or_reason()[0] is None:
        pytest.skip("needs Redis: " + str(shared_stores_or_reason()[1]))
    delivery = f"mid.{uuid.uuid4().hex}"

    async def run() -> list[bool]:
        instance_a, instance_b = SeenIds("messenger", redis_url=REDIS_URL), SeenIds("messenger", redis_url=REDIS_URL)
        other_channel = SeenIds("instagram", redis_url=REDIS_URL)
        return [await instance_a.first_time(delivery), await instance_b.first_time(delivery),
                await other_channel.first_time(delivery)]

    assert asyncio.run(run()) == [True, False, True]


def test_redis_down_still_answers_and_still_filters_locally(caplog: pytest.LogCaptureFixture) -> None:
    seen = SeenIds("telegram", redis_url="redis://127.0.0.1:9/0")  # nothing listens on the discard port

    async def run() -> list[bool]:
        return [await seen.first_time(42), await seen.first_time(42)]

    assert asyncio.run(run()) == [True, False]
    assert "Redis unavailable" in caplog.text
