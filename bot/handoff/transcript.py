"""The conversation as an agent reads it: shopper and bot turns with times and what the bot understood.

Built from the Rasa tracker's events; text is PII-redacted because this copy is stored for review.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from bot.handoff.redact import redact

REVIEW_TEXT_LIMIT = 4000  # the full text stays in the tracker store


def _time(timestamp: float | None) -> str | None:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat() if timestamp else None


def _text(text: str | None) -> str:
    text = redact(text or "")
    return text if len(text) <= REVIEW_TEXT_LIMIT else text[:REVIEW_TEXT_LIMIT] + " […]"


def build_transcript(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    turns: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            parsed = event.get("parse_data") or {}
            faq = (parsed.get("faq") or {}).get("ranking") or []
            complaint = parsed.get("complaint") or {}
            turns.append({
                "role": "shopper",
                "text": _text(event.get("text")),
                "time": _time(event.get("timestamp")),
                "channel": event.get("input_channel"),
                "language": (parsed.get("language") or {}).get("code"),
                "intent": (parsed.get("intent") or {}).get("name"),
                "faq": faq[:2],
                "complaint_score": complaint.get("score"),
                "complaint_category": complaint.get("category"),
            })
        elif kind == "bot" and event.get("text"):
            agent = (event.get("metadata") or {}).get("agent")
            turn = {"role": "agent" if agent else "bot", "text": _text(event.get("text")),
                    "time": _time(event.get("timestamp"))}
            if agent:
                turn["agent"] = agent
            turns.append(turn)
    return turns
