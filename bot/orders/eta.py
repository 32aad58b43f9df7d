"""Estimated delivery from the shop's own shipping times (``data/shop.yml`` ``shipping.days_*``).

The estimate a shopper gets from the bot must agree with what the FAQ promises, so both read the same facts:
ship date (or order date + ``processing_days`` while not shipped) + the destination region's ``days_*``
range, in business days (Monday to Friday) as the FAQ states them. An order with the carrier for more calendar
days than the region's slowest promise plus ``LOST_GRACE_DAYS`` looks lost, and the bot offers a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.orders.source import CLOSED, DELAYED, IN_TRANSIT, OUT_FOR_DELIVERY, Order
from bot.shop import ShopFacts, get_shop

LOST_GRACE_DAYS = 7

# ISO country -> the region of shop.yml's shipping.days_<region>; anything else is "other".
EU = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())
ASIA = frozenset("JP KR CN TW HK MO SG MY TH VN PH ID IN".split())
REGION_OF = {"US": "us", "GB": "uk", "UK": "uk", "AU": "au"} | {c: "eu" for c in EU} | {c: "asia" for c in ASIA}


def add_business_days(start: date, days: int) -> date:
    """``days`` working days (Monday to Friday) after ``start``; carriers do not count weekends."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def region(country: str) -> str:
    return REGION_OF.get((country or "").upper(), "other")


def parse_days(value: str) -> tuple[int, int]:
    """ "3-7" -> (3, 7); "5" -> (5, 5)."""
    numbers = [int(n) for n in re.findall(r"\d+", str(value))]
    if not numbers:
        raise ValueError(f"not a number of days: {value!r}")
    return min(numbers), max(numbers)


def transit_days(country: str, shop: ShopFacts | None = None) -> tuple[int, int]:
    shipping = (shop or get_shop()).facts["shipping"]
    key = f"days_{region(country)}"
    return parse_days(shipping.get(key, shipping["days_other"]))


@dataclass(frozen=True)
class Estimate:
    earliest: date
    latest: date

    def overdue(self, today: date) -> bool:
        return today > self.latest


def estimate(order: Order, today: date | None = None, shop: ShopFacts | None = None) -> Estimate | None:
    """The delivery window, or None when there is nothing to estimate (delivered, returned, cancelled)."""
    today = today or date.today()
    if order.status in CLOSED:
        return None
    if order.status == OUT_FOR_DELIVERY:
        return Estimate(today, today)
    low, high = transit_days(order.country, shop)
    if order.shipped_on:
        return Estimate(add_business_days(order.shipped_on, low), add_business_days(order.shipped_on, high))
    shipping = (shop or get_shop()).facts["shipping"]
    p_low, p_high = parse_days(shipping.get("processing_days", "0"))
    # not shipped yet: it leaves after processing, and not in the past
    start = max(add_business_days(order.placed_on, p_low), today)
    end = max(add_business_days(order.placed_on, p_high), today)
    return Estimate(add_business_days(start, low), add_business_days(end, high))


def looks_lost(order: Order, today: date | None = None, shop: ShopFacts | None = None) -> bool:
    """With the carrier for longer than the region's slowest promise + LOST_GRACE_DAYS, and not delivered."""
    today = today or date.today()
    if order.status not in IN_TRANSIT or order.shipped_on is None:
        return False
    _, high = transit_days(order.country, shop)
    return (today - order.shipped_on).days > high + LOST_GRACE_DAYS


def needs_a_person(order: Order, today: date | None = None, shop: ShopFacts | None = None) -> bool:
    """A delayed or lost-looking order: the reply offers a human."""
    return order.status == DELAYED or looks_lost(order, today, shop)
