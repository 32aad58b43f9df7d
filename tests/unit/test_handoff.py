"""Handoff cases: redaction, transcripts, one case per conversation, first-contact responsibility, SQL store."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import OperationalError

from bot.handoff.redact import redact
from bot.handoff.store import ASSIGNED, RESOLVED, WAITING, CaseInput, HandoffStore
from bot.handoff.transcript import build_transcript

SLA = timedelta(hours=24)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4111 1111 1111 1111 charged twice", "card [card] charged twice"),
        ("4111-1111-1111-1112 is not a valid card", "4111-1111-1111-1112 is not a valid card"),
        ("write to li.wei+shop@example.com.cn", "write to [email]"),
        ("call +86 138-0013-8000", "call [phone]"),
        ("电话 13800138000 订单号 10023", "电话 [phone] 订单号 10023"),
        ("order #KF-10023 arrived 2026-11-20", "order #KF-10023 arrived 2026-11-20"),
    ],
)
def test_redaction(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_transcript_keeps_turns_and_what_the_bot_saw() -> None:
    events = [
        {"event": "user", "text": "my card 4111111111111111 was charged twice", "timestamp": 1_700_000_000,
         "input_channel": "rest",
         "parse_data": {"intent": {"name": "complaint"}, "language": {"code": "en"},
                        "complaint": {"score": 0.93, "category": "payment_problem"},
                        "faq": {"ranking": [{"id": "payment_failed", "score": 0.8}]}}},
        {"event": "action", "name": "action_handoff"},
        {"event": "bot", "text": "I'm sorry…", "timestamp": 1_700_000_001},
    ]
    turns = build_transcript(events)
    assert [t["role"] for t in turns] == ["shopper", "bot"]
    assert "[card]" in turns[0]["text"] and "4111" not in turns[0]["text"]
    assert turns[0]["complaint_category"] == "payment_problem" and turns[0]["language"] == "en"
    assert turns[0]["time"].startswith("2023-11-14")


def case(conversation: str, shopper: str = "s1", category: str = "lost_package") -> CaseInput:
    return CaseInput(conversation, "rest", shopper, "en", category, 0.9, 2,
                     [{"role": "shopper", "text": "where is it"}])


def test_repeat_complaint_raises_priority_not_a_second_ticket(tmp_path) -> None:  # noqa: ANN001
    store = HandoffStore(f"sqlite:///{tmp_path / 'h.db'}")
    first, created = store.open_case(case("c1"), SLA)
    again, created_again = store.open_case(case("c1"), SLA)
    assert created and not created_again
    assert again.id == first.id and again.priority == first.priority + 1 and again.contacts == 2
    assert len(store.queue()) == 1


def test_first_contact_responsibility_routes_to_the_same_agent(tmp_path) -> None:  # noqa: ANN001
    store = HandoffStore(f"sqlite:///{tmp_path / 'h.db'}")
    record, _ = store.open_case(case("c1", shopper="alice"), SLA)
    store.assign(record.id, "agent-mei")
    store.resolve(record.id, "refunded", "carrier lost parcel")
    later, _ = store.open_case(case("c2", shopper="alice"), SLA)
    assert later.status == ASSIGNED and later.assigned_agent == "agent-mei"
    other, _ = store.open_case(case("c3", shopper="bob"), SLA)
    assert other.status == WAITING and other.assigned_agent is None
    assert store.get(record.id).status == RESOLVED


def test_queue_orders_by_priority_then_sla(tmp_path) -> None:  # noqa: ANN001
    store = HandoffStore(f"sqlite:///{tmp_path / 'h.db'}")
    now = datetime(2026, 11, 22, 12, tzinfo=timezone.utc)
    low, _ = store.open_case(CaseInput("c1", "rest", "a", "en", "human_request", 0.0, 1, []), SLA, now)
    old, _ = store.open_case(case("c2", "b"), SLA, now - timedelta(hours=3))
    new, _ = store.open_case(case("c3", "c"), SLA, now)
    assert [r.id for r in store.queue()] == [old.id, new.id, low.id]
    assert new.as_dict()["sla_due_at"].startswith("2026-11-23T12:00")


def test_postgres_store_when_available() -> None:
    url = os.environ.get("KEFU_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        store = HandoffStore(url)
        store.engine.connect().close()
    except OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {url}: {exc.orig}")
    conversation = f"pg-{datetime.now().timestamp()}"
    record, created = store.open_case(case(conversation), SLA)
    assert created and store.open_case_for(conversation).id == record.id
