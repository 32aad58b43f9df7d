"""PII redaction for transcripts stored for review: card numbers, e-mail addresses, phone numbers.

Card numbers are only redacted when they pass the Luhn check, so order numbers and tracking codes survive
(agents need them). Written here rather than pulled from a library: the well-kept PII tools (Presidio,
scrubadub) bring spaCy models or English-only rules, while these three patterns are script-independent.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
# international or local phone numbers: 8+ digits with optional +, spaces, dots, dashes, parentheses
PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().-]{6,}\d(?!\w)")

CARD_MASK = "[card]"
EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return CARD_MASK if 13 <= len(digits) <= 19 and luhn_ok(digits) else match.group()


DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")


def _phone(match: re.Match[str]) -> str:
    found = match.group()
    digits = re.sub(r"\D", "", found)
    if DATE.fullmatch(found.strip()) or not 8 <= len(digits) <= 15:
        return found
    return PHONE_MASK


def redact(text: str) -> str:
    text = EMAIL.sub(EMAIL_MASK, text)
    text = CARD.sub(_card, text)
    return PHONE.sub(_phone, text)
