"""What every DM connector needs: signature checks, duplicate-delivery filtering, the outbound HTTP call."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from collections import OrderedDict
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

NON_TEXT_KEY = "non_text"  # metadata key: the shopper sent an image / sticker / voice note (its type)


def valid_hub_signature(secret: str, body: bytes, header: str | None) -> bool:
    """Meta's ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>``."""
    if not secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


class SeenIds:
    """Remembers delivery ids so that platform retries are answered once.

    In this process (the last ``size`` ids), and, when several Rasa instances share a Redis lock store
    (``KEFU_LOCK_STORE_URL``), in that Redis too: a retry that the platform delivers to another instance is
    still answered once. If Redis cannot be reached the local memory still filters (and the log says so).
    """

    def __init__(self, namespace: str, size: int = 10_000, redis_url: str | None = None,
                 ttl_seconds: int = 86_400) -> None:
        self.size = size
        self.prefix = f"kefu:seen:{namespace}:"
        self.ttl_seconds = ttl_seconds
        self.redis_url = redis_url if redis_url is not None else os.environ.get("KEFU_LOCK_STORE_URL", "")
        self._redis: Any = None
        self._ids: OrderedDict[str, None] = OrderedDict()

    def _seen_here(self, key: str) -> bool:
        if key in self._ids:
            self._ids.move_to_end(key)
            return True
        self._ids[key] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return False

    async def first_time(self, key: str | int) -> bool:
        key = str(key)
        if self._seen_here(key):
            return False
        if not self.redis_url:
            return True
        try:
            if self._redis is None:
                from redis import asyncio as redis_asyncio

                self._redis = redis_asyncio.Redis.from_url(self.redis_url, socket_timeout=2)
            return bool(await self._redis.set(self.prefix + key, 1, nx=True, ex=self.ttl_seconds))
        except Exception as exc:  # redis.RedisError, OSError: never lose the message over the dedupe
            logger.warning("duplicate filter: Redis unavailable (%s); filtering in this process only", exc)
            return True


async def post_json(url: str, payload: dict[str, Any], headers: dict[str, str] | None = None) -> int:
    """POST to a platform API; failures are logged, never raised into the conversation."""
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
            async with session.post(url, json=payload, headers=headers or {}) as reply:
                if reply.status >= 400:
                    logger.error("platform API %s answered %s: %s", url.split("?")[0], reply.status,
                                 (await reply.text())[:300])
                return reply.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        logger.error("platform API %s unreachable: %s", url.split("?")[0], exc)
        return 0
