"""Is the human team at work right now? Read from shop.yml's ``service_hours`` (days, open, close, UTC offset)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone

from bot.shop import ShopFacts, get_shop


def shop_timezone(shop: ShopFacts | None = None) -> timezone:
    label = str((shop or get_shop()).facts["service_hours"]["timezone"])
    match = re.fullmatch(r"UTC([+-]\d{1,2})(?::(\d{2}))?", label.strip())
    if not match:
        raise ValueError(f"service_hours.timezone must look like UTC+8 or UTC-05:30, not {label!r}")
    hours = int(match.group(1))
    minutes = int(match.group(2) or 0) * (1 if hours >= 0 else -1)
    return timezone(timedelta(hours=hours, minutes=minutes))


def team_is_working(now: datetime | None = None, shop: ShopFacts | None = None) -> bool:
    hours = (shop or get_shop()).facts["service_hours"]
    local = (now or datetime.now(timezone.utc)).astimezone(shop_timezone(shop))
    opens, closes = time.fromisoformat(hours["open"]), time.fromisoformat(hours["close"])
    return local.isoweekday() in hours["weekdays"] and opens <= local.time() < closes
