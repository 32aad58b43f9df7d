"""Which language the bot answers in: the conversation's language is sticky, a message rarely changes it.

Shoppers mix languages in short messages ("ok", "merci!", "iPhone 15?") and a detector is least sure exactly
there, so flipping on every message would make the bot jump between languages. Thresholds come from the
``language_policy`` section of kefu.yml (defaults below); the languages from ``bot.settings``. Pure functions:
no I/O after import, no Rasa import (the action server calls this on every turn).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT, get_settings

_DEFAULTS: dict[str, Any] = {
    "min_letters": 12,
    "min_words": 3,
    "min_cjk_chars": 4,
    "switch_confidence": 0.80,
    "unsupported_confidence": 0.90,
}


def _thresholds() -> dict[str, Any]:
    """kefu.yml's ``language_policy`` section over the defaults (the same file bot.settings reads)."""
    file = Path(os.environ.get("KEFU_SETTINGS", PROJECT_ROOT / "kefu.yml"))
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except OSError:
        raw = {}
    section = raw.get("language_policy") or {}
    unknown = set(section) - set(_DEFAULTS)
    if unknown:
        raise ValueError(f"{file}: unknown language_policy keys {sorted(unknown)}")
    return {**_DEFAULTS, **section}


_T = _thresholds()
MIN_LETTERS: int = int(_T["min_letters"])
MIN_WORDS: int = int(_T["min_words"])
MIN_CJK_CHARS: int = int(_T["min_cjk_chars"])
SWITCH_CONFIDENCE: float = float(_T["switch_confidence"])
UNSUPPORTED_CONFIDENCE: float = float(_T["unsupported_confidence"])

# Han, kana, Hangul: scripts where a few characters already make a sentence.
_CJK_RE = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
                     r"\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]")
_WORD_RE = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class LanguageGuess:
    """lang: a supported code, another ISO code (a confidently unsupported language) or None (no letters,
    a button payload, or a script we know nothing about). confidence: 0..1, roughly the chance lang is right.

    requested: the language the shopper explicitly asked to be answered in, if any.
    """

    lang: str | None
    confidence: float
    requested: str | None = None


@dataclass(frozen=True)
class LanguageDecision:
    """lang: the language to answer in (always supported). switched: it differs from the language the
    conversation had (or, for a first message, from the message's own language: "can you answer in
    Japanese?"). unsupported: the code of a language we do not serve that the shopper wrote in or asked for.
    """

    lang: str
    switched: bool
    unsupported: str | None


def is_short(text: str) -> bool:
    """Too little text to change the conversation's language on (see the thresholds above)."""
    cjk = len(_CJK_RE.findall(text))
    letters = sum(ch.isalpha() for ch in text)
    if cjk and cjk * 2 >= letters:
        return cjk < MIN_CJK_CHARS
    return letters < MIN_LETTERS or len(_WORD_RE.findall(text)) < MIN_WORDS


def choose_language(current: str | None, guess: LanguageGuess, text: str) -> LanguageDecision:
    """The reply language for a message, given the conversation's language so far (the slot)."""
    settings = get_settings()
    supported = settings.languages
    detected = guess.lang if guess.lang in supported else None
    kept = current if current in supported else None
    baseline = kept or detected or settings.default_language

    def decide(lang: str, unsupported: str | None = None) -> LanguageDecision:
        return LanguageDecision(lang, lang != baseline, unsupported)

    if guess.requested:
        if guess.requested in supported:
            return decide(guess.requested)
        return decide(baseline, guess.requested)
    if guess.lang is None:  # emoji, digits
        return decide(baseline)
    if detected is None:
        confident = guess.confidence >= UNSUPPORTED_CONFIDENCE
        return decide(baseline, guess.lang if confident else None)
    if kept is None or detected == kept:
        return decide(detected)
    if is_short(text) or guess.confidence < SWITCH_CONFIDENCE:
        return decide(kept)
    return decide(detected)
