"""The real Rasa server and action server answer FAQ questions over HTTP in the shopper's language."""

from __future__ import annotations

import uuid

import pytest

from bot.faq.kb import get_knowledge_base
from tests.conftest import Shopper, get, post

pytestmark = pytest.mark.integration


def new_shopper(stack, locale=None) -> Shopper:  # noqa: ANN001
    return Shopper(stack, f"test-{uuid.uuid4().hex[:10]}", locale)


@pytest.mark.parametrize(
    ("text", "lang", "topic"),
    [
        ("How long does shipping to Canada take?", "en", "delivery_time"),
        ("寄到美国运费多少钱？有包邮吗", "zh-CN", "shipping_cost"),
        ("¿Qué métodos de pago aceptan? ¿Puedo pagar con PayPal?", "es", "payment_methods"),
        ("退货政策是什么？可以退货吗", "zh-CN", "return_policy"),
    ],
)
def test_faq_answered_in_the_shoppers_language(stack, text: str, lang: str, topic: str) -> None:
    shopper = new_shopper(stack)
    replies = shopper.say(text)
    expected = get_knowledge_base().answer(topic, lang)
    assert [r.get("text") for r in replies] == [expected]
    tracker = shopper.tracker()
    assert tracker["slots"]["language"] == lang
    parsed = tracker["latest_message"]
    assert parsed["faq"]["ranking"][0]["id"] == topic
    assert parsed["language"]["code"] == lang


def test_out_of_scope_is_not_answered_with_an_faq(stack) -> None:
    shopper = new_shopper(stack)
    replies = shopper.say("Who won the football world cup in 2018?")
    answers = {get_knowledge_base().answer(t, "en") for t in get_knowledge_base().topics}
    assert replies and not any(r.get("text") in answers for r in replies)
    assert any(r.get("buttons") for r in replies), "an offer to talk to a person"


def test_clarification_buttons_lead_to_an_answer(stack) -> None:
    shopper = new_shopper(stack)
    replies = shopper.say('/choose_faq{"faq_id": "warranty_claim"}')
    assert replies[0]["text"] == get_knowledge_base().answer("warranty_claim", "en")


def test_conversation_language_is_sticky_for_short_messages(stack) -> None:
    shopper = new_shopper(stack)
    shopper.say("寄到德国需要多久？")
    shopper.say("ok")
    assert shopper.tracker()["slots"]["language"] == "zh-CN"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"message": "hi"}', "sender"),
        (b'{"sender": "x", "message": 42}', "message"),
        (b"\xff\xfe\x00binary", "not valid JSON"),
    ],
)
def test_malformed_requests_get_a_clear_400(stack, body: bytes, fragment: str) -> None:
    status, reply = post(f"{stack.url}/webhooks/rest/webhook", body)
    assert status == 400
    assert reply["error"] == "bad_request" and fragment in reply["message"]


def test_empty_message_gets_an_answer(stack) -> None:
    replies = new_shopper(stack).say("   ")
    assert len(replies) == 1 and replies[0]["text"]


def test_huge_message_is_answered_and_kept_whole(stack) -> None:
    shopper = new_shopper(stack)
    text = ("How long does delivery take to France? " * 3000)[:100_000]
    replies = shopper.say(text)
    assert len(replies) >= 2  # a note that only the first part was read, then the answer
    user_events = [e for e in shopper.tracker()["events"] if e["event"] == "user"]
    assert user_events[-1]["text"] == text.strip()  # Rasa trims surrounding whitespace only


@pytest.mark.parametrize("text", ["👍👍🙂", "\x00\x01\x02", "ok 好的 はい", "\ud800 hola"])  # \ud800: a lone surrogate
def test_odd_input_gets_a_reply(stack, text: str) -> None:
    replies = new_shopper(stack).say(text)
    assert replies and all(r.get("text") for r in replies)


def test_server_keeps_serving_after_bad_input(stack) -> None:
    post(f"{stack.url}/webhooks/rest/webhook", b"{broken")
    replies = new_shopper(stack).say("Do you ship to Australia?")
    assert replies and replies[0]["text"]


def test_demo_page_and_widget_assets_are_served(stack) -> None:
    status, page = get(f"{stack.url}/webhooks/widget/")
    assert status == 200 and "/webhooks/widget/kefu-widget.js" in page
    status, script = get(f"{stack.url}/webhooks/widget/kefu-widget.js")
    assert status == 200 and "session_request" in script and "navigator.language" in script
    status, client = get(f"{stack.url}/webhooks/widget/socket.io.min.js")
    assert status == 200 and "Socket.IO v4" in client
    assert get(f"{stack.url}/webhooks/widget/../../etc/passwd")[0] == 404
