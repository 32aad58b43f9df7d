"""The shop's facts (``data/shop.yml``) and the placeholder renderer every reply goes through.

Facts are stated once; answers and phrases name them as ``{dotted.path}``. A fact is language-neutral or a
map keyed by language code, resolved to the reply's language (falling back to the default language).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.settings import get_settings

PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.\-]*)\}")


class UnknownPlaceholder(KeyError):
    """A ``{placeholder}`` names neither a runtime value nor a fact in shop.yml."""


@dataclass(frozen=True)
class ShopFacts:
    facts: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> ShopFacts:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    def resolve(self, dotted: str, lang: str) -> str:
        value: Any = self.facts
        for key in dotted.split("."):
            if not isinstance(value, dict) or key not in value:
                raise UnknownPlaceholder(dotted)
            value = value[key]
        if isinstance(value, dict):  # a per-language value
            settings = get_settings()
            if lang in value:
                value = value[lang]
            elif settings.default_language in value:
                value = value[settings.default_language]
            else:
                raise UnknownPlaceholder(f"{dotted} (a map without a '{lang}' entry)")
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)

    def render(self, template: str, lang: str, **values: Any) -> str:
        """Fill runtime ``values`` first, then shop facts; raise on anything unknown."""

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in values:
                return str(values[name])
            return self.resolve(name, lang)

        return PLACEHOLDER.sub(fill, template)

    def placeholders(self, template: str) -> list[str]:
        return PLACEHOLDER.findall(template)


@lru_cache(maxsize=1)
def get_shop() -> ShopFacts:
    return ShopFacts.load(get_settings().shop_path)
