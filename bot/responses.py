"""What the bot says, per language: ``data/responses/<lang>.yml``, rendered with shop facts.

Phrases are data, not code. A key holds one string or a list of variants (one is picked at random so the bot
does not sound canned); nested keys are addressed with dots (``complaint.apologise``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.settings import get_settings
from bot.shop import ShopFacts, get_shop


@dataclass
class Phrasebook:
    phrases: dict[str, dict[str, Any]]  # lang -> nested phrases
    shop: ShopFacts
    default_language: str

    @classmethod
    def load(cls, directory: Path, shop: ShopFacts | None = None) -> Phrasebook:
        """``<dir>/<lang>.yml`` plus feature folders ``<dir>/<feature>/<lang>.yml`` merged into it."""
        phrases: dict[str, dict[str, Any]] = {}
        for path in sorted(directory.glob("*.yml")) + sorted(directory.glob("*/*.yml")):
            _merge(phrases.setdefault(path.stem, {}), yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        return cls(phrases, shop or get_shop(), get_settings().default_language)

    def _lookup(self, key: str, lang: str) -> Any:
        for candidate in (lang, self.default_language):
            node: Any = self.phrases.get(candidate, {})
            for part in key.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if node:
                return node
        raise KeyError(f"no phrase '{key}' for '{lang}' or '{self.default_language}'")

    def variants(self, key: str, lang: str) -> list[str]:
        node = self._lookup(key, lang)
        return list(node) if isinstance(node, list) else [str(node)]

    def say(self, key: str, lang: str, rng: random.Random | None = None, **values: Any) -> str:
        """One rendered variant of ``key`` in ``lang`` (default language when a phrase is missing)."""
        text = (rng or random).choice(self.variants(key, lang))
        return self.shop.render(text, lang, **values)


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


@lru_cache(maxsize=1)
def get_phrasebook() -> Phrasebook:
    return Phrasebook.load(get_settings().responses_dir)
