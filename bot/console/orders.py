"""The order panel of the console's conversation view: the shop's data for the order the shopper verified.

Only an order the shopper proved is theirs (number + e-mail/postcode, ``actions/orders.py``) is shown: the
tracker keeps its number in the ``verified_order`` slot, and the data is read fresh from the shop's order
source, so the agent sees the current status rather than what the bot said an hour ago. The contact details
are masked: the agent answers on the shopper's channel and never needs them in clear.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.orders import VERIFIED_ORDER_SLOT, OrderSourceError, get_order_source
from bot.orders.eta import estimate, looks_lost
from bot.orders.source import Order

if TYPE_CHECKING:
    from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)


def mask_email(email: str) -> str:
    """``camille.martin@example.com`` -> ``c***@example.com``: enough to tell two addresses apart."""
    user, at, domain = email.partition("@")
    return f"{user[:1]}***{at}{domain}" if at else ("***" if email else "")


def order_data(order: Order, today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    window = estimate(order, today)

    def day(value: date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "number": order.number,
        "status": order.status,
        "country": order.country,
        "placed_on": day(order.placed_on),
        "shipped_on": day(order.shipped_on),
        "delivered_on": day(order.delivered_on),
        "carrier": order.carrier,
        "tracking_number": order.tracking_number,
        "tracking_url": order.tracking_url,
        "eta": {"earliest": day(window.earliest), "latest": day(window.latest),
                "overdue": window.overdue(today)} if window else None,
        "looks_lost": looks_lost(order, today),
        "email": mask_email(order.email),
    }


async def verified_order(tracker: DialogueStateTracker | None) -> dict[str, Any] | None:
    """The panel for the conversation's verified order; None when there is none, ``{"number", "error"}`` when
    the shop system cannot be asked right now (the agent still sees which order it was)."""
    number = tracker.get_slot(VERIFIED_ORDER_SLOT) if tracker else None
    if not number:
        return None
    try:
        order = await asyncio.to_thread(get_order_source().find, number)  # blocking I/O: off the event loop
    except (OrderSourceError, ValueError):
        logger.exception("order panel: order source unavailable")
        return {"number": number, "error": "the shop's order system is not answering"}
    if order is None:
        return {"number": number, "error": "the shop's order system no longer knows this order"}
    return order_data(order)
