"""A new case's starting priority (higher = more urgent), from the category ranks in data/complaints.yml."""

from __future__ import annotations

from functools import lru_cache

import yaml

from bot.settings import get_settings

LOWEST_RANK = 3  # data/complaints.yml ranks categories 1 (most urgent) .. 3


@lru_cache(maxsize=1)
def category_ranks() -> dict[str, int]:
    path = get_settings().complaints_path
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {name: int(spec.get("priority", LOWEST_RANK)) for name, spec in (data.get("categories") or {}).items()}


def complaint_priority(category: str) -> int:
    """Rank 1 -> 3, rank 2 -> 2, rank 3 (and a plain request for a person) -> 1."""
    if category == "human_request":
        return 1
    rank = category_ranks().get(category, LOWEST_RANK)
    return max(1, LOWEST_RANK + 1 - rank)
