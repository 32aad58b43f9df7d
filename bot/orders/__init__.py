"""Order status lookup: where orders come from (``source``), how a shopper proves it is theirs (``lookup``),
and when it should arrive (``eta``). ``get_order_lookup`` wires them from kefu.yml's ``orders`` section."""

from __future__ import annotations

import os
from functools import lru_cache

from bot.orders.lookup import LookupLimiter, OrderLookup
from bot.orders.source import Order, OrderSource, OrderSourceError
from bot.settings import get_settings

__all__ = ["VERIFIED_ORDER_SLOT", "Order", "OrderLookup", "OrderSource", "OrderSourceError", "get_order_lookup",
           "get_order_source"]

# the slot holding the number of the last order the shopper verified (set by actions/orders.py, shown to agents)
VERIFIED_ORDER_SLOT = "verified_order"


@lru_cache(maxsize=1)
def get_order_source() -> OrderSource:
    """kefu.yml ``orders.source``: ``sqlite`` (demo orders) or ``rest`` (WooCommerce REST v3 at ``rest_url``)."""
    settings = get_settings()
    if settings.orders_source == "sqlite":
        from bot.orders.sqlite_source import SqliteOrderSource

        return SqliteOrderSource(settings.orders_database_url)
    if settings.orders_source == "rest":
        from bot.orders.rest_source import WooCommerceOrderSource

        if not settings.orders_rest_url:
            raise ValueError("kefu.yml orders.source is 'rest' but orders.rest_url is not set")
        return WooCommerceOrderSource(
            settings.orders_rest_url,
            os.environ.get("KEFU_ORDERS_REST_KEY", ""),
            os.environ.get("KEFU_ORDERS_REST_SECRET", ""),
            auth=os.environ.get("KEFU_ORDERS_REST_AUTH", "basic"),
        )
    raise ValueError(f"kefu.yml orders.source: unknown source {settings.orders_source!r}")


@lru_cache(maxsize=1)
def get_order_lookup() -> OrderLookup:
    return OrderLookup(get_order_source(), LookupLimiter(get_settings().orders_database_url))
