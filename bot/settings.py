"""Kefu's settings: one place for the supported languages, paths and limits.

Read once from ``kefu.yml`` at the project root (override the file with ``KEFU_SETTINGS``); a few keys can
be overridden by environment variables so that deployments change them without editing files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    languages: dict[str, str]
    default_language: str
    rtl_languages: tuple[str, ...]
    shop_path: Path
    faq_dir: Path
    complaints_path: Path
    responses_dir: Path
    encoder: str
    models_dir: Path
    query_prompt: str
    passage_prompt: str
    database_url: str
    max_message_chars: int
    answer_max_chars: int
    # order status lookup (bot/orders): where orders come from, and the SQL database of the demo orders and of
    # the lookup rate limiter (shared by every action-server process)
    orders_source: str = "sqlite"
    orders_database_url: str = "sqlite:///kefu-orders.db"
    orders_rest_url: str | None = None
    # encoder speed: "int8" = dynamic int8 quantisation of the linear layers (None: float32); torch threads per
    # process (None: torch's default, one per core)
    encoder_quantize: str | None = None
    encoder_threads: int | None = None

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(self.languages)

    def supports(self, lang: str | None) -> bool:
        return lang in self.languages


def _path(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else PROJECT_ROOT / path


def _encoder_ref(value: str) -> str:
    """A local folder (relative to the project) wins; otherwise the value is a hub model name."""
    local = _path(value)
    return str(local) if local.exists() or "/" not in value or value.startswith(("models/", "./")) else value


def _sqlite_url(url: str) -> str:
    """A relative SQLite file is relative to the project, so every process (and test) opens the same file."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != prefix and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(PROJECT_ROOT / url[len(prefix):])
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    file = Path(os.environ.get("KEFU_SETTINGS", PROJECT_ROOT / "kefu.yml"))
    raw: dict[str, Any] = yaml.safe_load(file.read_text(encoding="utf-8"))
    paths = raw["paths"]
    orders: dict[str, Any] = raw.get("orders") or {}
    return Settings(
        languages=dict(raw["languages"]),
        default_language=raw["default_language"],
        rtl_languages=tuple(raw.get("rtl_languages", ())),
        shop_path=_path(paths["shop"]),
        faq_dir=_path(paths["faq"]),
        complaints_path=_path(paths["complaints"]),
        responses_dir=_path(paths["responses"]),
        encoder=_encoder_ref(os.environ.get("KEFU_ENCODER", paths["encoder"])),
        models_dir=_path(paths["models"]),
        query_prompt=raw["encoder"]["query_prompt"],
        passage_prompt=raw["encoder"]["passage_prompt"],
        database_url=os.environ.get("KEFU_DATABASE_URL", raw["handoff"]["database_url"]),
        max_message_chars=int(raw["limits"]["max_message_chars"]),
        answer_max_chars=int(raw["limits"]["answer_max_chars"]),
        orders_source=os.environ.get("KEFU_ORDERS_SOURCE", orders.get("source") or "sqlite"),
        orders_database_url=_sqlite_url(
            os.environ.get("KEFU_ORDERS_DATABASE_URL", orders.get("database_url") or "sqlite:///kefu-orders.db")
        ),
        orders_rest_url=os.environ.get("KEFU_ORDERS_REST_URL", orders.get("rest_url")) or None,
        encoder_quantize=raw["encoder"].get("quantize") or None,
        encoder_threads=_optional_int(os.environ.get("KEFU_ENCODER_THREADS", raw["encoder"].get("threads"))),
    )


def _optional_int(value: Any) -> int | None:
    return int(value) if value not in (None, "", "auto") else None
