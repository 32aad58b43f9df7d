"""The conversation-language policy (bot.language_policy): sticky, switched only by enough evidence."""

from __future__ import annotations

import pytest

from bot import language_policy
from bot.language_policy import LanguageDecision, choose_language, is_short
from bot.nlu.language import LanguageGuess, detect_language
from bot.settings import get_settings

DEFAULT = get_settings().default_language


def guess(lang: str | None, confidence: float = 0.99, requested: str | None = None) -> LanguageGuess:
    return LanguageGuess(lang, confidence, requested)


def test_thresholds_come_from_kefu_yml() -> None:
    assert language_policy.MIN_LETTERS == 12
    assert language_policy.MIN_WORDS == 3
    assert 0.0 < language_policy.SWITCH_CONFIDENCE <= 1.0


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("ok", True),
        ("merci!", True),
        ("no gracias", True),
        ("iPhone 15?", True),
        ("sim, por favor", True),  # 11 letters
        ("where is my order", False),
        ("¿dónde está mi pedido?", False),
        ("你好", True),
        ("運費多少", False),
        ("送料は？", True),
        ("送料はいくら？", False),
        ("배송비", True),
        ("배송비 얼마예요?", False),
        ("", True),
    ],
)
def test_what_counts_as_short(text: str, short: bool) -> None:
    assert is_short(text) is short


def test_first_message_sets_the_language() -> None:
    assert choose_language(None, guess("es", 0.6), "hola") == LanguageDecision("es", False, None)
    assert choose_language(None, guess("ja"), "こんにちは") == LanguageDecision("ja", False, None)


def test_first_message_without_letters_gets_the_default() -> None:
    assert choose_language(None, guess(None, 0.0), "👍") == LanguageDecision(DEFAULT, False, None)


def test_emoji_keeps_the_conversation_language() -> None:
    assert choose_language("ko", guess(None, 0.0), "👍👍") == LanguageDecision("ko", False, None)


@pytest.mark.parametrize("text", ["hola", "merci!", "ok", "no gracias", "danke", "你好"])
def test_short_messages_never_flip(text: str) -> None:
    assert choose_language("en", guess("es", 0.99), text).lang == "en"
    assert choose_language("en", guess("es", 0.99), text).switched is False


def test_low_confidence_longer_message_does_not_flip() -> None:
    text = "hotel reservation status please"
    decision = choose_language("de", guess("en", 0.5), text)
    assert decision == LanguageDecision("de", False, None)


def test_confident_longer_message_flips() -> None:
    text = "¿Dónde está mi pedido? Lo compré hace una semana"
    assert choose_language("en", guess("es", 0.99), text) == LanguageDecision("es", True, None)
    assert choose_language("en", guess("zh-TW", 0.95), "運費多少") == LanguageDecision("zh-TW", True, None)


def test_same_language_is_not_a_switch() -> None:
    assert choose_language("fr", guess("fr"), "où est ma commande") == LanguageDecision("fr", False, None)


@pytest.mark.parametrize(
    ("current", "requested", "text"),
    [
        ("en", "ja", "日本語でお願いします"),
        ("ja", "en", "can you answer in English?"),
        ("fr", "es", "¿puedes hablar español?"),
        ("zh-CN", "ru", "можно по-русски?"),
    ],
)
def test_explicit_request_switches_even_when_short(current: str, requested: str, text: str) -> None:
    decision = choose_language(current, guess("xx", 0.3, requested=requested), text)
    assert decision == LanguageDecision(requested, True, None)


def test_request_in_the_first_message_counts_as_a_switch_from_its_own_language() -> None:
    decision = choose_language(None, guess("en", 0.99, requested="ja"), "Can you answer in Japanese?")
    assert decision == LanguageDecision("ja", True, None)
    same = choose_language(None, guess("ja", 0.99, requested="ja"), "日本語でお願いします")
    assert same == LanguageDecision("ja", False, None)


def test_request_for_an_unsupported_language_keeps_ours_and_says_so() -> None:
    decision = choose_language("es", guess("en", 0.97, requested="nl"), "Do you speak Dutch?")
    assert decision == LanguageDecision("es", False, "nl")
    first = choose_language(None, guess("en", 0.97, requested="nl"), "Do you speak Dutch?")
    assert first == LanguageDecision("en", False, "nl")


def test_confident_unsupported_language_keeps_the_current_one() -> None:
    text = "Dit is een Nederlandse zin over de levering van mijn pakket."
    assert choose_language("fr", guess("nl", 1.0), text) == LanguageDecision("fr", False, "nl")
    assert choose_language(None, guess("tr", 0.99), "teşekkürler") == LanguageDecision(DEFAULT, False, "tr")


def test_unsure_unsupported_language_is_not_named() -> None:
    assert choose_language("de", guess("nl", 0.6), "dank je wel") == LanguageDecision("de", False, None)


def test_unknown_current_value_is_ignored() -> None:
    assert choose_language("xx", guess("it", 0.9), "ciao") == LanguageDecision("it", False, None)


@pytest.mark.parametrize(
    ("current", "text", "expected", "switched"),
    [
        (None, "hi", "en", False),
        ("en", "merci", "en", False),
        ("en", "Bonjour, où est ma commande ? Je l'attends depuis lundi.", "fr", True),
        ("fr", "ok", "fr", False),
        ("en", "運費多少", "zh-TW", True),
        ("en", "日本語でお願いします", "ja", True),
        ("ja", "can you answer in English?", "en", True),
        ("de", "Dit is een Nederlandse zin over de levering van mijn pakket.", "de", False),
    ],
)
def test_with_the_real_detector(current: str | None, text: str, expected: str, switched: bool) -> None:
    decision = choose_language(current, detect_language(text), text)
    assert (decision.lang, decision.switched) == (expected, switched)
