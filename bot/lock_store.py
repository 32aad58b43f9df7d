"""Rasa's Redis lock store with every change of a lock made atomically, for several Rasa instances.

Rasa 3.6's ``RedisLockStore`` reads a conversation's ticket lock, changes it in Python and writes it back
(``issue_ticket``, ``update_lock``, ``cleanup``). When two instances take a message of the same conversation
at the same moment, both can get the same ticket, or one can overwrite the other's: both then process the
conversation at once and one message's tracker events are lost (``tests/integration/test_scale.py`` caught
it). Here each read-change-write is one Redis transaction (WATCH / MULTI / EXEC, retried by redis-py when
another instance changed the lock in between). Waiting messages also look again every 50 ms instead of every
second, so a shopper's second message is not held back a whole second.

Selected by ``KEFU_LOCK_STORE_URL`` (``bot.serve.store_endpoints``); in endpoints.yml::

    lock_store:
      type: bot.lock_store.AtomicRedisLockStore
      url: 127.0.0.1
      port: 6379
      db: 1
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

POLL_SECONDS = 0.05
T = TypeVar("T")


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # Rasa creates custom lock stores from their endpoint config
            kwargs = {**endpoint_config.kwargs, "host": endpoint_config.url or "localhost", **kwargs}
        super().__init__(**kwargs)

    def _atomically(self, conversation_id: str,
                    change: Callable[[TicketLock | None], tuple[TicketLock | None, T]]) -> T:
        """Apply ``change`` (old lock -> new lock or None to delete it, result) as one Redis transaction."""
        key = self.key_prefix + conversation_id

        def run(pipe: Any) -> T:
            raw = pipe.get(key)  # under WATCH: EXEC fails (and redis-py retries) if another instance writes key
            new, result = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
            pipe.multi()
            if new is None:
                pipe.delete(key)
            else:
                pipe.set(key, new.dumps())
            return result

        return self.red.transaction(run, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        return self._atomically(conversation_id, change)

    def update_lock(self, conversation_id: str) -> None:
        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._atomically(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._atomically(conversation_id, change)

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = POLL_SECONDS) -> AsyncIterator[TicketLock]:
        async with super().lock(conversation_id, lock_lifetime, min(wait_time_in_seconds, POLL_SECONDS)) as held:
            yield held
