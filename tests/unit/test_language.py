"""Language detection (bot.nlu.language): scripts, short chat words, the locale prior, explicit requests."""

from __future__ import annotations

import os
import random

import pytest
import yaml

from bot.nlu.language import (
    DATA_FILE,
    LanguageDetector,
    LanguageGuess,
    _detect,
    detect_language,
    locale_hint,
    normalize_locale,
)
from bot.settings import get_settings


def lang(text: str, hint: str | None = None) -> str | None:
    return detect_language(text, hint).lang


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("배송비 얼마예요?", "ko"),
        ("네", "ko"),
        ("送料はいくらですか", "ja"),
        ("在庫ありますか", "ja"),  # kanji + kana
        ("ありがとう", "ja"),
        ("كم سعر الشحن؟", "ar"),
        ("شكرا", "ar"),
        ("где мой заказ", "ru"),
        ("شگد سعره", "ar"),  # Iraqi Arabic: one گ is not Persian yet
        ("да", "ru"),
        ("สวัสดีครับ", "th"),  # a script of a language we do not serve
        ("Γεια σας", "el"),
    ],
)
def test_scripts_decide(text: str, expected: str) -> None:
    assert lang(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("运费多少", "zh-CN"),
        ("運費多少", "zh-TW"),
        ("我的订单在哪", "zh-CN"),
        ("我的訂單在哪", "zh-TW"),
        ("请问有货吗", "zh-CN"),
        ("請問有貨嗎", "zh-TW"),
        ("駅から近いです", "ja"),
        ("東京駅", "ja"),  # kanji only, but 駅 is Japanese-only
    ],
)
def test_simplified_traditional_and_japanese_han(text: str, expected: str) -> None:
    assert lang(text) == expected
    assert lang(text, hint="ko") == expected  # script evidence beats a (wrong) locale


def test_script_neutral_han_follows_the_locale() -> None:
    assert lang("你好", hint="zh-TW") == "zh-TW"
    assert lang("你好", hint="zh_Hans_CN") == "zh-CN"
    assert lang("你好") in ("zh-CN", "zh-TW")
    assert detect_language("你好").confidence < 0.8  # a guess, not enough to switch a conversation


def test_chinese_with_a_latin_product_name_is_chinese() -> None:
    assert lang("iPhone 15 Pro 多少钱") == "zh-CN"
    assert lang("AirPods 有現貨嗎") == "zh-TW"
    assert lang("أين طلب Nike Air Max") == "ar"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hi", "en"),
        ("price?", "en"),
        ("thanks!", "en"),
        ("hola", "es"),
        ("gracias", "es"),
        ("¿precio?", "es"),
        ("merci", "fr"),
        ("bonjour", "fr"),
        ("danke", "de"),
        ("versandkosten?", "de"),
        ("grazie", "it"),
        ("quanto costa", "it"),
        ("obrigado", "pt"),
        ("sim, por favor", "pt"),
        ("frete grátis?", "pt"),
        ("where is my order", "en"),
        ("dónde está mi pedido", "es"),
        ("où est ma commande", "fr"),
        ("wo ist mein Paket", "de"),
        ("dov'è il mio ordine", "it"),
        ("cadê meu pedido", "pt"),
        ("WHERE IS MY ORDER", "en"),  # langdetect ignores all-caps words: we lower-case first
    ],
)
def test_short_latin_messages(text: str, expected: str) -> None:
    assert lang(text) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("zh_Hant_TW", "zh-TW"),
        ("zh-Hant", "zh-TW"),
        ("zh-HK", "zh-TW"),
        ("zh_TW", "zh-TW"),
        ("zh-Hans-SG", "zh-CN"),
        ("zh_CN", "zh-CN"),
        ("zh", "zh-CN"),
        ("pt-BR", "pt"),
        ("es-419", "es"),
        ("en_US", "en"),
        ("EN", "en"),
        ("fr_FR.UTF-8", "fr"),
        ("nl-NL", "nl"),
        ("", None),
        ("  ", None),
        ("x", None),
        ("123", None),
        (None, None),
        (42, None),
    ],
)
def test_normalize_locale(locale: object, expected: str | None) -> None:
    assert normalize_locale(locale) == expected


def test_locale_is_a_prior_for_short_ambiguous_text() -> None:
    assert lang("ok", hint="fr_FR") == "fr"
    assert lang("ok", hint="de-DE") == "de"
    assert lang("no", hint="it") == "it"
    assert lang("no", hint="es-419") == "es"
    no_hint = detect_language("ok")
    assert no_hint.lang == get_settings().default_language and no_hint.confidence < 0.5


def test_locale_does_not_override_clear_text() -> None:
    assert lang("gracias", hint="de") == "es"
    assert lang("merci beaucoup", hint="en_US") == "fr"
    assert lang("The package has not arrived yet, where is it?", hint="es") == "en"
    assert lang("배송비 얼마예요?", hint="ja") == "ko"
    assert lang("hello", hint="nl-NL") == "en"  # an unsupported locale is no prior


@pytest.mark.parametrize(
    ("text", "requested"),
    [
        ("can you answer in English?", "en"),
        ("English please", "en"),
        ("English?", "en"),
        ("do you speak french", "fr"),
        ("日本語でお願いします", "ja"),
        ("日本語で話せますか", "ja"),
        ("¿puedes hablar español?", "es"),
        ("en español por favor", "es"),
        ("можно по-русски?", "ru"),
        ("ответьте на русском, пожалуйста", "ru"),
        ("auf Deutsch bitte", "de"),
        ("Sprechen Sie Englisch?", "en"),
        ("parlez-vous français ?", "fr"),
        ("in italiano per favore", "it"),
        ("você fala português?", "pt"),
        ("한국어로 해주세요", "ko"),
        ("영어 가능해요?", "en"),
        ("请用中文", "zh-CN"),
        ("可以說中文嗎", "zh-TW"),
        ("請用繁體中文回答", "zh-TW"),
        ("用英文回答", "en"),
        ("بالعربي من فضلك", "ar"),
        ("هل تتكلم الإنجليزية", "en"),
        ("Do you speak Dutch?", "nl"),  # a language we do not serve: the policy names ours
    ],
)
def test_explicit_requests(text: str, requested: str) -> None:
    assert detect_language(text).requested == requested


def test_plain_chinese_request_follows_the_locale() -> None:
    assert detect_language("Chinese please", hint="zh-Hant-TW").requested == "zh-TW"
    assert detect_language("Chinese please").requested == "zh-CN"


@pytest.mark.parametrize(
    "text",
    [
        "Is the manual in English?",
        "I bought a Spanish guitar",
        "where is my order",
        "¿El manual está en inglés?",
        "hola",
        "日本製ですか",
    ],
)
def test_mentioning_a_language_is_not_a_request(text: str) -> None:
    assert detect_language(text).requested is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dit is een Nederlandse zin over de levering van mijn pakket.", "nl"),
        ("Bu ürünün kargo ücreti ne kadar acaba?", "tr"),
        ("teşekkürler", "tr"),
        ("Dziękuję bardzo, kiedy przyjdzie moja paczka?", "pl"),
        ("Дякую, де моє замовлення?", "uk"),
        ("Привіт", "uk"),
        ("لطفا پیگیری کنید، سفارش من چه شد", "fa"),
    ],
)
def test_confident_unsupported_languages_keep_their_code(text: str, expected: str) -> None:
    guess = detect_language(text)
    assert guess.lang == expected
    assert guess.lang not in get_settings().languages
    assert guess.confidence >= 0.9


@pytest.mark.parametrize(
    "text",
    [
        "Espero que os haya gustado mucho el regalo que os enviamos la semana pasada.",
        "Essa visita à cadeia deixou marcas em todos nós, e a encomenda chegou tarde.",
        "Салливан на мгновение отнял телефон от уха.",
    ],
)
def test_supported_sentences_are_not_taken_for_neighbours(text: str) -> None:
    assert lang(text) in get_settings().languages


@pytest.mark.parametrize("text", ["", "   ", "👍👍", "12345", "!!!", "😀 👍 🎉", "#123-456", "\n\t"])
def test_no_letters_means_no_language(text: str) -> None:
    assert detect_language(text) == LanguageGuess(None, 0.0, None)


@pytest.mark.parametrize("payload", ['/choose_faq{"faq_id": "shipping_cost"}', "/greet", "/request_human"])
def test_button_payloads_have_no_language(payload: str) -> None:
    # a clarification button must not switch a Spanish conversation to English
    assert detect_language(payload) == LanguageGuess(None, 0.0, None)
    assert lang("/ alguien me ayuda con mi pedido") == "es"


def test_binary_ish_input_does_not_break() -> None:
    rng = random.Random(7)
    for _ in range(50):
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 80))).decode("utf-8", "replace")
        guess = detect_language(blob + "\x00\ufffd\u200b")
        assert guess.lang is None or isinstance(guess.lang, str)
        assert 0.0 <= guess.confidence <= 1.0
    assert detect_language(None).lang is None  # type: ignore[arg-type]
    assert detect_language(os.urandom(64).decode("latin-1")).confidence <= 1.0


def test_very_long_input_is_cut_and_still_answered() -> None:
    guess = detect_language("where is my order? " * 2000)
    assert guess.lang == "en"


def test_deterministic() -> None:
    texts = ["hola", "ok", "price?", "Dit is een Nederlandse zin over de levering van mijn pakket.", "你好"]
    first = [detect_language(t) for t in texts]
    for _ in range(3):
        _detect.cache_clear()
        assert [detect_language(t) for t in texts] == first


def test_confidence_is_a_probability() -> None:
    for text in ["hi", "hola amigo", "где мой заказ", "運費多少", "hotel", "ok"]:
        assert 0.0 <= detect_language(text).confidence <= 1.0


def test_data_file_is_not_rasa_training_data() -> None:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    assert not set(data) & {"nlu", "responses", "rules", "stories", "version"}
    for code in data["short_words"]:
        assert code in get_settings().languages


def test_locale_hint_from_metadata() -> None:
    assert locale_hint({"locale": "zh-TW"}) == "zh-TW"
    assert locale_hint({"language": "pt-BR"}) == "pt-BR"
    assert locale_hint({"locale": "", "language": "fr"}) == "fr"
    assert locale_hint({"locale": 3}) is None
    assert locale_hint(None) is None
    assert locale_hint("zh-TW") is None


def test_component_sets_language_on_rasa_messages() -> None:
    from rasa.core.channels.channel import UserMessage
    from rasa.graph_components.converters.nlu_message_converter import NLUMessageConverter
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    component = LanguageDetector.create({}, None, None, None)  # type: ignore[arg-type]
    # the path a channel message takes: UserMessage.metadata -> NLUMessageConverter -> message["metadata"]
    converted = NLUMessageConverter().convert_user_message(
        [UserMessage(text="你好", metadata={"locale": "zh_Hant_TW"})]
    )
    plain = Message(data={"text": "gracias"})
    empty = Message(data={"text": ""})
    processed = component.process([*converted, plain, empty])
    assert processed[0].get("language") == {"code": "zh-TW", "confidence": pytest.approx(0.55), "requested": None}
    assert processed[1].get("language")["code"] == "es"
    assert processed[2].get("language") == {"code": None, "confidence": 0.0, "requested": None}
    assert "language" in processed[0].as_dict(only_output_properties=True)

    training = TrainingData([Message(data={"text": "hola", "intent": "greet"})])
    assert component.process_training_data(training) is training


def test_component_is_registered_for_the_pipeline() -> None:
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe

    registered = DefaultV1Recipe._from_registry("bot.nlu.language.LanguageDetector")
    assert registered.clazz is LanguageDetector
    assert DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER in registered.types
