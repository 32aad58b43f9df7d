"""Order source for a WooCommerce shop: its REST API v3 (``GET {base}/wp-json/wc/v3/orders?search=...``).

Read-only, one order per lookup: the shopper's number is searched, the exact match picked (WooCommerce's search
also matches e-mails, names and partial numbers), and the JSON mapped to ``Order``. Tracking comes from the
official Shipment Tracking extension: its items in the order's ``meta_data`` (``_wc_shipment_tracking_items``)
or, when those are hidden, its own endpoint ``/wp-json/wc-shipment-tracking/v3/orders/<id>/shipment-trackings``.

Authentication: a REST API consumer key / secret (WooCommerce > Settings > Advanced > REST API, read access),
as HTTP Basic auth (HTTPS) or, for servers that strip the Authorization header, as query parameters.
Plain ``urllib``: the call runs in a worker thread of the action server, so it needs no event loop.
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, datetime, timezone
from typing import Any

from bot.orders.lookup import normalise_order_number
from bot.orders.source import (
    CANCELLED,
    DELAYED,
    DELIVERED,
    OUT_FOR_DELIVERY,
    PACKED,
    PAID,
    PENDING,
    RETURNED,
    SHIPPED,
    Order,
    OrderSourceError,
)

logger = logging.getLogger(__name__)

ORDERS_PATH = "/wp-json/wc/v3/orders"
TRACKING_PATH = "/wp-json/wc-shipment-tracking/v3/orders/{id}/shipment-trackings"

# WooCommerce's core statuses, then custom statuses that shops commonly add (slugs without the "wc-" prefix).
STATUS_MAP = {
    "pending": PENDING,
    "failed": PENDING,
    "checkout-draft": PENDING,
    "on-hold": PAID,
    "processing": PAID,
    "completed": SHIPPED,  # WooCommerce "completed" = fulfilled, i.e. handed to the carrier
    "cancelled": CANCELLED,
    "refunded": RETURNED,
    "packed": PACKED,
    "packing": PACKED,
    "ready-to-ship": PACKED,
    "shipped": SHIPPED,
    "in-transit": SHIPPED,
    "out-for-delivery": OUT_FOR_DELIVERY,
    "delivered": DELIVERED,
    "delayed": DELAYED,
    "returned": RETURNED,
}

# Shipment Tracking provider slugs -> (display name, tracking link with {number}).
PROVIDERS = {
    "usps": ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}"),
    "ups": ("UPS", "https://www.ups.com/track?tracknum={number}"),
    "fedex": ("FedEx", "https://www.fedex.com/fedextrack/?trknbr={number}"),
    "dhl": ("DHL", "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}"),
    "dhl-express": ("DHL", "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}"),
    "dpd": ("DPD", "https://tracking.dpd.de/status/en_US/parcel/{number}"),
    "royal-mail": ("Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/{number}"),
    "australia-post": ("Australia Post", "https://auspost.com.au/mypost/track/details/{number}"),
    "aramex": ("Aramex", "https://www.aramex.com/track/results?ShipmentNumber={number}"),
}


def _date(value: Any) -> date | None:
    """An ISO datetime ("2025-03-01T10:20:30"), a unix timestamp (Shipment Tracking's date_shipped), or None."""
    if value in (None, "", 0, "0"):
        return None
    text = str(value)
    if text.isdigit():
        return datetime.fromtimestamp(int(text), tz=timezone.utc).date()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _tracking_items(order: dict[str, Any]) -> list[dict[str, Any]]:
    for meta in order.get("meta_data") or []:
        if str(meta.get("key", "")).lstrip("_") == "wc_shipment_tracking_items" and isinstance(meta.get("value"), list):
            return meta["value"]
    return []


def map_order(raw: dict[str, Any], tracking: list[dict[str, Any]] | None = None) -> Order:
    """WooCommerce order JSON (+ Shipment Tracking items) -> Order."""
    number = normalise_order_number(str(raw.get("number") or raw.get("id")))
    if number is None:
        raise OrderSourceError(f"WooCommerce order {raw.get('id')}: unusable number")
    status = STATUS_MAP.get(str(raw.get("status", "")).removeprefix("wc-"))
    if status is None:
        logger.warning("WooCommerce order %s: unknown status %r, shown as paid", number, raw.get("status"))
        status = PAID
    billing, shipping = raw.get("billing") or {}, raw.get("shipping") or {}
    items = tracking if tracking is not None else _tracking_items(raw)
    item = items[-1] if items else {}  # the latest shipment
    slug = str(item.get("tracking_provider") or "").lower()
    name, template = PROVIDERS.get(slug, (None, None))
    tracking_number = str(item.get("tracking_number") or "").strip() or None
    link = item.get("custom_tracking_link") or item.get("tracking_link") or (
        template.format(number=urllib.parse.quote(tracking_number)) if template and tracking_number else None)
    placed = _date(raw.get("date_created_gmt") or raw.get("date_created")) or date.today()
    shipped = _date(item.get("date_shipped")) or _date(raw.get("date_completed_gmt") or raw.get("date_completed"))
    return Order(
        number=number,
        country=str(shipping.get("country") or billing.get("country") or "").upper(),
        status=status,
        placed_on=placed,
        email=str(billing.get("email") or ""),
        postcode=str(shipping.get("postcode") or billing.get("postcode") or ""),
        shipped_on=shipped if status not in (PENDING, PAID, PACKED, CANCELLED) else None,
        delivered_on=_date(raw.get("date_modified_gmt") or raw.get("date_modified")) if status == DELIVERED else None,
        carrier=item.get("custom_tracking_provider") or name or (slug.replace("-", " ").title() if slug else None),
        tracking_number=tracking_number,
        tracking_url=link,
    )


class WooCommerceOrderSource:
    """``OrderSource`` over WooCommerce REST v3. ``auth``: "basic" (header) or "query" (key/secret as params)."""

    def __init__(self, base_url: str, consumer_key: str, consumer_secret: str, timeout: float = 8.0,
                 auth: str = "basic") -> None:
        if auth not in ("basic", "query"):
            raise ValueError("auth must be 'basic' or 'query'")
        self.base_url = base_url.rstrip("/")
        self.key, self.secret = consumer_key, consumer_secret
        self.timeout = timeout
        self.auth = auth

    def _get(self, path: str, params: dict[str, str]) -> Any:
        headers = {"Accept": "application/json", "User-Agent": "kefu-order-lookup/1"}
        if self.auth == "query":
            params = {**params, "consumer_key": self.key, "consumer_secret": self.secret}
        else:
            token = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        url = f"{self.base_url}{path}?{urllib.parse.urlencode(params)}"
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:
                return json.loads(reply.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise OrderSourceError(f"WooCommerce {path}: HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError, ValueError) as exc:
            raise OrderSourceError(f"WooCommerce {path}: {exc.__class__.__name__}") from exc

    def find(self, number: str) -> Order | None:
        wanted = normalise_order_number(number)
        if wanted is None:
            return None
        digits = wanted.split("-", 1)[1]
        found = self._get(ORDERS_PATH, {"search": digits, "per_page": "20"})
        if found is None:
            return None
        if not isinstance(found, list):
            raise OrderSourceError("WooCommerce orders: expected a list")
        for raw in found:
            if normalise_order_number(str(raw.get("number") or raw.get("id"))) != wanted:
                continue
            tracking = None
            if not _tracking_items(raw) and str(raw.get("status")) not in ("pending", "processing", "on-hold"):
                try:
                    listed = self._get(TRACKING_PATH.format(id=raw.get("id")), {})
                except OrderSourceError:  # the extension is missing or refuses: the order without tracking
                    listed = None
                tracking = listed if isinstance(listed, list) else None
            return map_order(raw, tracking)
        return None
