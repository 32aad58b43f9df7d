"""Complaints over the real servers: de-escalation in the shopper's language, a case in the DB, silence, resume."""

from __future__ import annotations

import uuid

import pytest

from bot.handoff.control import hand_back
from bot.responses import get_phrasebook
from bot.shop import get_shop
from tests.conftest import Shopper

pytestmark = pytest.mark.integration


def variants(key: str, lang: str) -> list[str]:
    return get_phrasebook().variants(key, lang)


@pytest.mark.parametrize(
    ("text", "lang", "category"),
    [
        ("I was charged twice for my order and nobody answers my emails, this is ridiculous", "en",
         "payment_problem"),
        ("我的包裹到了，但是电饭煲摔坏了，外壳全裂了，太让人失望了", "zh-CN", "damaged_item"),
        ("Pedí una freidora hace seis semanas y todavía no llega, estoy harta", "es", None),
    ],
)
def test_complaint_is_deescalated_recorded_and_handed_to_a_human(stack, handoff_store, text, lang, category) -> None:
    shopper = Shopper(stack, f"complaint-{uuid.uuid4().hex[:8]}")
    shopper.say("hi")
    replies = shopper.say(text + " my email is someone@example.com")
    reply = " ".join(r["text"] for r in replies)
    # de-escalation in the shopper's language: an apology from that language's phrase library
    apologies = [v.split("{")[0].strip()[:12] for v in variants("complaint.apologise", lang)]
    assert any(a and a in reply for a in apologies), reply
    assert "voucher" not in reply.lower() and "coupon" not in reply.lower()
    # the published time limits, each said once (the team's hours follow without repeating them)
    shop = get_shop()
    for limit in ("service_hours.first_reply_hours", "service_hours.compensation_decision_hours"):
        assert reply.count(str(shop.resolve(limit, lang))) == 1, reply

    record = handoff_store.open_case_for(shopper.sender)
    assert record is not None and record.language == lang and record.status in ("waiting", "assigned")
    if category:
        assert record.category == category
    assert record.complaint_score > 0.5
    shopper_turns = [t for t in record.transcript if t["role"] == "shopper"]
    assert shopper_turns[-1]["text"].startswith(text[:10]) and "[email]" in shopper_turns[-1]["text"]
    assert "someone@example.com" not in record.transcript_json

    # a human owns it now: the bot stays silent, the shopper's messages still reach the case
    assert shopper.say("hello? how long does shipping take?") == []
    assert shopper.say(text) == []  # the same complaint again: priority up, no second ticket
    again = handoff_store.open_case_for(shopper.sender)
    assert again.id == record.id and again.priority == record.priority + 1 and again.contacts == 2
    assert "how long does shipping take" in again.transcript_json

    # the agent hands back: the bot answers again
    hand_back(stack.url, again, handoff_store, "resolved_by_agent", "test")
    assert handoff_store.get(record.id).status == "resolved"
    assert shopper.tracker()["slots"]["handoff_active"] is False
    assert shopper.say("Do you ship to Canada?") != []


def test_request_for_a_person_hands_off(stack, handoff_store) -> None:
    shopper = Shopper(stack, f"human-{uuid.uuid4().hex[:8]}")
    replies = shopper.say("I want to talk to a real person please")
    assert replies and replies[0]["text"]
    record = handoff_store.open_case_for(shopper.sender)
    assert record is not None and record.category == "human_request"
