"""Shop facts, placeholders, knowledge-base loading and its error messages."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.faq.kb import KnowledgeBaseError, load_knowledge_base
from bot.service_hours import team_is_working
from bot.shop import ShopFacts, UnknownPlaceholder, get_shop

SHOP = ShopFacts(
    {
        "shipping": {"free_threshold": 49, "carriers": ["DHL", "UPS"]},
        "days": {"en": "Monday to Friday", "zh-CN": "周一至周五"},
        "service_hours": {"timezone": "UTC+8", "weekdays": [1, 2, 3, 4, 5], "open": "09:00", "close": "18:00"},
    }
)


def test_placeholders_resolve_per_language() -> None:
    assert SHOP.render("Free over {shipping.free_threshold} USD", "en") == "Free over 49 USD"
    assert SHOP.render("{days}", "zh-CN") == "周一至周五"
    assert SHOP.render("{days}", "ko") == "Monday to Friday"  # falls back to the default language
    assert SHOP.render("{shipping.carriers}", "en") == "DHL, UPS"
    assert SHOP.render("{issue}!", "en", issue="late") == "late!"


def test_unknown_placeholder_is_an_error() -> None:
    with pytest.raises(UnknownPlaceholder):
        SHOP.render("{shipping.nope}", "en")


def test_service_hours_follow_the_shop_time_zone() -> None:
    # Monday 01:30 UTC is Monday 09:30 in UTC+8: open. Sunday is closed.
    assert team_is_working(datetime(2026, 11, 23, 1, 30, tzinfo=timezone.utc), SHOP)
    assert not team_is_working(datetime(2026, 11, 22, 3, 0, tzinfo=timezone.utc), SHOP)
    assert not team_is_working(datetime(2026, 11, 23, 10, 30, tzinfo=timezone.utc), SHOP)  # 18:30 local


def test_kb_yaml_error_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.yml").write_text("topics:\n  - id: a\n    answer: {en: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"broken\.yml:\d+"):
        load_knowledge_base(tmp_path, SHOP)


def test_kb_duplicate_topic_ids_are_rejected(tmp_path: Path) -> None:
    for name in ("a.yml", "b.yml"):
        (tmp_path / name).write_text("topics:\n  - id: same\n    answer: {en: x}\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="already defined"):
        load_knowledge_base(tmp_path, SHOP)


def test_kb_answers_render_in_language_with_fallback(tmp_path: Path) -> None:
    (tmp_path / "shipping.yml").write_text(
        "category: shipping\ntopics:\n  - id: cost\n    question: {en: 'Cost?'}\n"
        "    examples: {en: [how much is shipping]}\n"
        "    answer: {en: 'Free over {shipping.free_threshold}', zh-CN: '满{shipping.free_threshold}包邮'}\n",
        encoding="utf-8",
    )
    kb = load_knowledge_base(tmp_path, SHOP)
    assert kb.topics["cost"].category == "shipping"
    assert kb.answer("cost", "zh-CN") == "满49包邮"
    assert kb.answer("cost", "fr") == "Free over 49"
    assert ("en", "how much is shipping") in kb.topics["cost"].texts()


def test_the_real_kb_covers_every_language_and_resolves() -> None:
    kb = load_knowledge_base()
    assert len(kb.topics) >= 41
    shop = get_shop()
    for topic in kb.topics.values():
        for lang in ("en", "zh-CN", "zh-TW", "es", "fr", "de", "it", "pt", "ru", "ja", "ko", "ar"):
            assert kb.answer(topic.id, lang).strip()
            assert "{" not in kb.answer(topic.id, lang)
    assert shop.resolve("service_hours.timezone", "en")


def test_every_complaint_category_has_its_restatement(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.faq import validate
    from bot.handoff import priority

    assert validate.check_complaint_phrases() == []
    monkeypatch.setattr(priority, "category_ranks", lambda: {"damaged_item": 1, "broken_blender_lid": 3})
    problems = validate.check_complaint_phrases()
    assert [p.message for p in problems] == [
        "complaint.issue.broken_blender_lid missing in en, zh-CN, zh-TW, es, fr, de, it, pt, ru, ja, ko, ar"]
