"""What the order lookup needs from a shop system: one ``Order`` shape and one ``OrderSource`` method.

The bot only reads orders, one at a time, by number; every platform adapter (the SQLite demo, WooCommerce's
REST API, ...) maps its own records to ``Order`` so the dialogue and the replies never see platform details.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable

# Order states the bot can explain (each has a phrase ``order.status.<state>`` in every language).
PENDING = "pending"  # placed, not paid yet
PAID = "paid"
PACKED = "packed"
SHIPPED = "shipped"
OUT_FOR_DELIVERY = "out_for_delivery"
DELIVERED = "delivered"
DELAYED = "delayed"
RETURNED = "returned"
CANCELLED = "cancelled"
STATUSES = (PENDING, PAID, PACKED, SHIPPED, OUT_FOR_DELIVERY, DELIVERED, DELAYED, RETURNED, CANCELLED)
IN_TRANSIT = (SHIPPED, OUT_FOR_DELIVERY, DELAYED)  # with the carrier, not delivered
CLOSED = (DELIVERED, RETURNED, CANCELLED)  # nothing left to estimate


class OrderSourceError(RuntimeError):
    """The shop system could not be asked (network, auth, database): not the same as "no such order"."""


@dataclass(frozen=True)
class Order:
    """One order as the bot shows it. E-mail and postcode are only for verification: kept out of ``repr`` so
    that logging an order never writes them in clear."""

    number: str  # normalised, e.g. "KF-10023"
    country: str  # ISO 3166-1 alpha-2 of the delivery address ("GB" for the UK)
    status: str  # one of STATUSES
    placed_on: date
    email: str = field(repr=False, default="")
    postcode: str = field(repr=False, default="")
    shipped_on: date | None = None
    delivered_on: date | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"order {self.number}: unknown status {self.status!r}")


@runtime_checkable
class OrderSource(Protocol):
    """Where orders come from. ``find`` returns None for an unknown order and raises ``OrderSourceError`` when
    the system cannot answer; the caller decides what the shopper may learn from either."""

    def find(self, number: str) -> Order | None:
        """The order with this normalised number (``KF-10023``), or None."""
        ...
