"""Two Rasa instances and one action server on the PostgreSQL tracker / handoff store and the Redis lock store:
many conversations at once, each hopping between the instances, some sending several messages at the same
moment. Nothing may be lost, duplicated or reordered, and every tracker must be complete.

The client spreads the load (message k of conversation c goes to instance (c + k) % 2), so that messages of one
conversation race on different instances: only the shared lock store keeps them apart.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from bot.faq.kb import load_knowledge_base
from bot.serve import Stack, free_port
from bot.settings import get_settings
from tests.services import shared_stores_or_reason

pytestmark = pytest.mark.integration

# The knowledge base's own questions, one topic each, in the supported languages in turn.
TOPICS = ("delivery_time", "shipping_cost", "payment_methods", "return_policy", "return_shipping_cost",
          "express_shipping", "installments", "invoice_vat", "plug_type", "product_voltage", "shipping_countries",
          "service_hours")
_KB, _LANGUAGES = load_knowledge_base(), get_settings().language_codes
QUESTIONS = tuple(_KB.question(topic, _LANGUAGES[i % len(_LANGUAGES)]) for i, topic in enumerate(TOPICS))
# one conversation's plan: single messages wait for their reply; a tuple is sent all at once
PLAN: tuple[tuple[int, ...], ...] = ((0,), (1,), (2, 3, 4), (5,), (6, 7), (8, 9, 10, 11))
CONVERSATIONS = 16
COMPLAINT = "My parcel arrived completely broken and nobody answers my emails. This is unacceptable!"


@pytest.fixture(scope="module")
def cluster(trained_model, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:  # noqa: ANN001
    env, reason = shared_stores_or_reason()
    if env is None:
        pytest.skip(f"multi-instance test needs PostgreSQL and Redis: {reason}")
    logs = tmp_path_factory.mktemp("cluster")
    with Stack(rasa_port=free_port(), action_port=free_port(), model=trained_model, log_dir=logs, env=env,
               instances=2) as running:
        yield running


async def send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> list[dict[str, Any]]:
    async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as reply:
        assert reply.status == 200, await reply.text()
        return await reply.json()


async def conversation(session: aiohttp.ClientSession, urls: list[str], index: int,
                       sent: list[tuple[int, str, list[dict[str, Any]]]]) -> str:
    """Run one conversation's plan; record (step, text, replies) for every message."""
    sender = f"scale-{uuid.uuid4().hex[:10]}"
    hop = index
    for step, group in enumerate(PLAN):
        texts = [QUESTIONS[(q + index) % len(QUESTIONS)] for q in group]
        urls_for = [urls[(hop + k) % len(urls)] for k in range(len(texts))]
        hop += len(texts)
        replies = await asyncio.gather(*(send(session, u, sender, t) for u, t in zip(urls_for, texts)))
        sent.extend((step, t, r) for t, r in zip(texts, replies))
    return sender


def turns(tracker: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The tracker as (user text, the bot texts that answered it), in the order Rasa processed them."""
    result: list[tuple[str, list[str]]] = []
    for event in tracker["events"]:
        if event["event"] == "user":
            result.append((event["text"], []))
        elif event["event"] == "bot" and result:
            result[-1][1].append(event.get("text") or "")
    return result


def test_concurrent_conversations_across_two_instances_lose_nothing(cluster: Stack) -> None:
    async def run() -> tuple[dict[str, list], dict[str, dict]]:
        timeout = aiohttp.ClientTimeout(total=180)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            logs: list[list] = [[] for _ in range(CONVERSATIONS)]
            senders = await asyncio.gather(*(conversation(session, cluster.urls, i, logs[i])
                                             for i in range(CONVERSATIONS)))
            trackers = {}
            for i, sender in enumerate(senders):  # read back from the other instance than the last writer's
                async with session.get(f"{cluster.urls[i % 2]}/conversations/{sender}/tracker") as reply:
                    trackers[sender] = await reply.json()
        return dict(zip(senders, logs)), trackers

    sent, trackers = asyncio.run(run())
    assert len(trackers) == CONVERSATIONS
    for sender, log in sent.items():
        processed = turns(trackers[sender])
        # every message once, none lost, none twice
        assert sorted(text for text, _ in processed) == sorted(text for _, text, _ in log), sender
        # each message's HTTP reply is exactly what the tracker holds right after it: no reply crossed over
        answered = dict(processed)
        for _, text, replies in log:
            assert replies, f"{sender}: no reply to {text!r}"
            assert [r.get("text") or "" for r in replies] == answered[text], sender
        # the plan's steps in order (messages sent together may be processed in any order among themselves)
        step_of = {text: step for step, text, _ in log}
        steps = [step_of[text] for text, _ in processed]
        assert steps == sorted(steps), f"{sender}: processed out of order: {steps}"
        assert trackers[sender]["latest_action_name"] == "action_listen"  # complete: the bot finished every turn


def test_a_complaint_sent_twice_at_once_on_both_instances_makes_one_case(cluster: Stack) -> None:
    from bot.handoff.store import HandoffStore

    sender = f"scale-complaint-{uuid.uuid4().hex[:8]}"

    async def run() -> list[list[dict[str, Any]]]:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
            return await asyncio.gather(*(send(session, url, sender, COMPLAINT) for url in cluster.urls))

    replies = asyncio.run(run())
    # one de-escalation; the other message, processed second, finds a human owning the case: the bot is quiet
    assert sorted(bool(r) for r in replies) == [False, True], replies
    store = HandoffStore(cluster.env["KEFU_DATABASE_URL"])
    record = store.open_case_for(sender)
    assert record is not None and record.contacts == 2  # the repeat raised the count, not a second ticket
    assert len([r for r in store.queue() if r.conversation_id == sender]) == 1
    assert COMPLAINT[:20] in str(record.transcript)
