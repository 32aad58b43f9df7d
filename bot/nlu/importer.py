"""Feeds the knowledge base and the complaint examples into Rasa's NLU training data.

Data stays where operators edit it (``data/faq/*.yml``, ``data/complaints.yml``) instead of being copied into
``data/nlu``. Because the examples become part of the training data, ``rasa train`` sees (fingerprints) every
edit to them and retrains exactly the components that use them.

Messages carry extra keys the Kefu components learn from: ``faq_id`` (intent ``faq``) and
``complaint_category`` (intent ``complaint``); neutral look-alikes of complaints are plain ``faq`` questions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.structures import StoryGraph
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.faq.kb import load_knowledge_base
from bot.settings import get_settings

FAQ_INTENT = "faq"
COMPLAINT_INTENT = "complaint"
FAQ_ID = "faq_id"
COMPLAINT_CATEGORY = "complaint_category"


def knowledge_base_messages() -> list[Message]:
    kb = load_knowledge_base()
    return [
        Message(data={TEXT: text, INTENT: FAQ_INTENT, FAQ_ID: topic.id})
        for topic in kb.topics.values()
        for _lang, text in topic.texts()
    ]


def complaint_messages(path: Path) -> list[Message]:
    if not path.exists():
        return []
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    messages = [
        Message(data={TEXT: text, INTENT: COMPLAINT_INTENT, COMPLAINT_CATEGORY: category})
        for category, spec in (data.get("categories") or {}).items()
        for texts in (spec.get("examples") or {}).values()
        for text in texts or []
    ]
    messages += [
        Message(data={TEXT: text, INTENT: FAQ_INTENT})
        for texts in (data.get("not_complaints") or {}).values()
        for text in texts or []
    ]
    return messages


class KnowledgeBaseImporter(TrainingDataImporter):
    """A Rasa importer (listed under ``importers:`` in config.yml next to ``RasaFileImporter``)."""

    def __init__(
        self,
        config_file: str | None = None,
        domain_path: str | None = None,
        training_data_paths: str | list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        self._complaints = get_settings().complaints_path

    def get_domain(self) -> Domain:
        return Domain.empty()

    def get_stories(self, exclusion_percentage: int | None = None) -> StoryGraph:
        return StoryGraph([])

    def get_conversation_tests(self) -> StoryGraph:
        return StoryGraph([])

    def get_config(self) -> dict:
        return {}

    def get_config_file_for_auto_config(self) -> str | None:
        return None

    def get_nlu_data(self, language: str | None = "en") -> TrainingData:
        return TrainingData(training_examples=knowledge_base_messages() + complaint_messages(self._complaints))
