"""What every DM connector needs: signature checks, duplicate-delivery filtering, the outbound HTTP call."""

from __future__ import annotations

import hashlib
import hmac
import logging
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
    """Remembers the last ``size`` delivery ids so platform retries are answered once (per process)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, key: str) -> bool:
        if key in self._ids:
            self._ids.move_to_end(key)
            return False
        self._ids[key] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
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
