"""Order status lookup over the real Rasa server and action server (REST channel), in several languages:
a verified lookup, a wrong e-mail and an unknown order (the same reply), and rate limiting after failures."""

from __future__ import annotations

import random
import re
import uuid
from typing import Any

import pytest

from bot.responses import get_phrasebook
from tests.conftest import Shopper

pytestmark = pytest.mark.integration

# Openers are neutral on purpose: "it still hasn't arrived" can score as a complaint (ComplaintDetector), which
# hands the conversation to a person instead; that routing is the complaint feature's, tested there.


def new_shopper(stack, locale: str | None = None) -> Shopper:  # noqa: ANN001
    return Shopper(stack, f"orders-{uuid.uuid4().hex[:10]}", locale)


def text_of(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def say(key: str, lang: str, **values: Any) -> str:
    """Order phrases have one variant each, so the expected reply is exact."""
    return get_phrasebook().say(key, lang, **values)


def unknown_number() -> str:
    return f"KF-{random.randint(60000, 99999)}"


def template(key: str, lang: str) -> str:
    return get_phrasebook().variants(key, lang)[0]


def rate_limited(lang: str) -> re.Pattern[str]:
    """The refusal, with 14 or 15 minutes left."""
    return re.compile(re.escape(say("order.rate_limited", lang, minutes="MIN")).replace("MIN", r"1[45]"))


def shown(reply: dict[str, Any]) -> dict[str, Any]:
    """What the shopper sees of a reply (not whom it is addressed to)."""
    return {k: v for k, v in reply.items() if k != "recipient_id"}


def buttons(replies: list[dict[str, Any]]) -> list[str]:
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


@pytest.mark.parametrize(
    ("lang", "opener", "number", "factor", "order", "status", "fragments"),
    [
        ("en", "Where is my order? I'd like to know where it is now", "KF-10023", "Camille.Martin@example.com",
         "KF-10023", "shipped", ["DPD", "01906123456789", "https://tracking.dpd.de/status/en_US/parcel/01906123456789"]),
        ("zh-CN", "我的订单到哪了？帮我查一下", "订单号 10031", "邮编 200040", "KF-10031", "delivered",
         ["SF1402763958214"]),
        ("de", "Wo ist meine Bestellung? Können Sie nachsehen?", "Bestellnummer KF-10034", "80331",
         "KF-10034", "delayed", ["DHL", "00340434161094042557"]),
        ("ja", "私の注文はどこにありますか？確認してください", "注文番号は10026です", "150-0002", "KF-10026",
         "shipped", ["Yamato", "456789012345"]),
        ("ar", "أين طلبي؟ أريد أن أعرف أين هو الآن", "KF-10030", "fahad.alqahtani@example.com", "KF-10030", "shipped",
         ["Aramex", "44198765432"]),
    ],
)
def test_verified_lookup_in_the_shoppers_language(stack, lang: str, opener: str, number: str, factor: str,
                                                 order: str, status: str, fragments: list[str]) -> None:
    shopper = new_shopper(stack)
    assert text_of(shopper.say(opener)) == say("order.ask_number", lang)
    asked = shopper.say(number)
    assert text_of(asked) == say("order.ask_verification", lang, order=order)
    replies = shopper.say(factor)
    reply = text_of(replies)
    assert reply.startswith(say("order.summary", lang, order=order, status=say(f"order.status.{status}", lang)))
    assert all(f in reply for f in fragments), reply
    if status == "delayed":
        assert buttons(replies) == ["/request_human"]
        assert say("order.delayed_help", lang) in reply
    elif status == "shipped":  # an estimated delivery window from shop.yml's shipping times
        assert template("order.eta", lang).split("{dates}")[0] in reply
    tracker = shopper.tracker()
    assert tracker["slots"]["language"] == lang
    # nothing of the factor stays in the dialogue state
    assert tracker["slots"]["order_number"] is None and tracker["slots"]["order_verification"] is None
    assert tracker["slots"]["verified_order"] == order  # only the number, for the agent console's order panel
    assert tracker["active_loop"] in ({}, None) or not tracker["active_loop"].get("name")


def test_the_order_number_in_the_first_message_skips_a_question(stack) -> None:
    shopper = new_shopper(stack)
    assert text_of(shopper.say("¿Dónde está mi pedido KF-10028? Todavía no sé nada")) == say(
        "order.ask_verification", "es", order="KF-10028")
    reply = text_of(shopper.say("lucia.garcia@example.com"))
    assert say("order.status.returned", "es") in reply and "28013" not in reply


def test_number_and_email_in_one_message(stack) -> None:
    shopper = new_shopper(stack)
    reply = text_of(shopper.say("KF-10035 george.brown@example.com"))
    lang = shopper.tracker()["slots"]["language"]  # a message this short may be taken for any language
    assert reply.startswith(say("order.summary", lang, order="KF-10035", status=say("order.status.shipped", lang)))
    assert "UPS" in reply and "1Z999AA10123456784" in reply


@pytest.mark.parametrize(
    ("lang", "opener", "known", "right", "wrong"),
    [
        ("en", "Where is my order? Can you check it for me?", "KF-10035", "george.brown@example.com",
         "george.brown@example.org"),
        ("fr", "Où en est ma commande ? Pouvez-vous vérifier ?", "KF-10024", "oliver.jones@example.com",
         "olivier.jones@example.com"),
        ("ko", "제 주문 어디쯤 왔나요? 확인 부탁드려요", "KF-10022", "lena.schmidt@example.com", "10117"),
    ],
)
def test_wrong_factor_and_unknown_order_get_the_same_reply(stack, lang: str, opener: str, known: str, right: str,
                                                          wrong: str) -> None:
    unknown = unknown_number()
    # asking for the factor does not depend on whether the order exists
    a, b = new_shopper(stack), new_shopper(stack)
    a.say(opener)
    b.say(opener)
    asked_a, asked_b = text_of(a.say(known)), text_of(b.say(unknown))
    assert asked_a.replace(known, "#") == asked_b.replace(unknown, "#") == say("order.ask_verification", lang,
                                                                               order="#")
    wrong_factor = a.say(wrong)
    unknown_order = b.say(right)  # the right e-mail of a real order, with a number that does not exist
    assert [shown(r) for r in wrong_factor] == [shown(r) for r in unknown_order]
    assert text_of(wrong_factor) == say("order.no_match", lang)
    assert known not in text_of(wrong_factor) and right not in text_of(unknown_order)


def test_repeated_failures_are_rate_limited(stack) -> None:
    shopper = new_shopper(stack)
    for _ in range(3):
        shopper.say("Where is my order? Could you look it up?")
        shopper.say(unknown_number())
        assert text_of(shopper.say("nobody@example.com")) == say("order.no_match", "en")
    # the fourth attempt is refused even with the right details, and offers a person
    shopper.say("Where is my order? Could you look it up?")
    shopper.say("KF-10033")
    refused = shopper.say("emily.davis@example.com")
    assert rate_limited("en").fullmatch(text_of(refused)), text_of(refused)
    assert buttons(refused) == ["/request_human"] and "USPS" not in text_of(refused)
    # another conversation is not locked out of that order
    other = new_shopper(stack)
    other.say("Where is my order? Could you look it up?")
    other.say("KF-10033")
    assert "9400111899223856921345" in text_of(other.say("Emily.Davis@example.com"))


def test_failures_on_one_order_lock_it_for_other_conversations(stack) -> None:
    for guess in ("80330", "80332", "80333"):
        shopper = new_shopper(stack, "de")
        shopper.say("Wo ist meine Bestellung? Können Sie nachsehen?")
        shopper.say("KF-10021")
        assert text_of(shopper.say(guess)) == say("order.no_match", "de")
    owner = new_shopper(stack, "de")
    owner.say("Wo ist meine Bestellung? Können Sie nachsehen?")
    owner.say("KF-10021")
    refused = text_of(owner.say("john.miller@example.com"))
    assert rate_limited("de").fullmatch(refused) and "94107" not in refused, refused


def test_a_question_during_the_lookup_is_answered_and_the_lookup_goes_on(stack) -> None:
    from bot.faq.kb import get_knowledge_base

    shopper = new_shopper(stack)
    shopper.say("Where is my order? Can you check it for me?")
    replies = text_of(shopper.say("How long does shipping to Canada take?"))
    assert get_knowledge_base().answer("delivery_time", "en") in replies
    assert replies.endswith(say("order.ask_number", "en"))
    shopper.say("KF-10025")
    assert say("order.status.delivered", "en") in text_of(shopper.say("2000"))
