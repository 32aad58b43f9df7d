"""The Redis lock store shared by several Rasa instances: tickets are unique and one message at a time holds a
conversation, even when two instances take messages of it at the same moment (real Redis; skipped without)."""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore
from bot.serve import store_endpoints
from tests.services import REDIS_URL, shared_stores_or_reason


@pytest.fixture
def stores() -> list[AtomicRedisLockStore]:
    env, reason = shared_stores_or_reason()
    if env is None:
        pytest.skip(f"needs Redis: {reason}")
    config = EndpointConfig.from_dict(store_endpoints({"KEFU_LOCK_STORE_URL": REDIS_URL})["lock_store"])
    return [AtomicRedisLockStore(endpoint_config=config) for _ in range(2)]  # two "instances"


def test_tickets_issued_at_once_by_two_instances_are_unique(stores: list[AtomicRedisLockStore]) -> None:
    conversation = f"lock-{uuid.uuid4().hex}"
    tickets: list[int] = []

    def issue(store: AtomicRedisLockStore) -> None:
        for _ in range(25):
            tickets.append(store.issue_ticket(conversation, lock_lifetime=60))

    threads = [threading.Thread(target=issue, args=(stores[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(tickets) == list(range(200))
    lock = stores[0].get_lock(conversation)
    assert lock is not None and len(lock.tickets) == 200
    for number in tickets:
        stores[number % 2].cleanup(conversation, number)
    assert stores[1].get_lock(conversation) is None  # the last one out deletes the lock


def test_one_holder_at_a_time_across_instances(stores: list[AtomicRedisLockStore]) -> None:
    conversation = f"lock-{uuid.uuid4().hex}"
    holders: list[int] = []
    most = 0
    order: list[int] = []

    async def message(index: int) -> None:
        nonlocal most
        async with stores[index % 2].lock(conversation):
            holders.append(index)
            most = max(most, len(holders))
            await asyncio.sleep(0.01)
            order.append(index)
            holders.remove(index)

    async def run() -> None:
        await asyncio.gather(*(message(i) for i in range(12)))

    asyncio.run(run())
    assert most == 1 and sorted(order) == list(range(12))
    assert stores[0].get_lock(conversation) is None
