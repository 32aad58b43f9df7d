"""Kefu's custom actions: every reply is rendered here, in the conversation's language, from data files.

Each action first settles the conversation language (``bot.language_policy``: sticky, switched by a confident
longer message or an explicit request), then answers. The words come from ``data/responses/<lang>.yml`` and
``data/faq``; facts from ``data/shop.yml``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from bot.channels.common import NON_TEXT_KEY
from bot.faq.decision import ANSWER, CLARIFY
from bot.faq.kb import get_knowledge_base
from bot.handoff.constants import HANDOFF_SLOT, RELAY_ACTION
from bot.handoff.priority import complaint_priority
from bot.handoff.store import CaseInput, get_store
from bot.handoff.transcript import build_transcript
from bot.language_policy import LanguageGuess, choose_language
from bot.responses import get_phrasebook
from bot.service_hours import team_is_working
from bot.settings import get_settings
from bot.shop import get_shop

logger = logging.getLogger(__name__)

LANGUAGE_SLOT = "language"


def language_guess(parse_data: dict[str, Any]) -> LanguageGuess:
    detected = parse_data.get("language") or {}
    return LanguageGuess(
        lang=detected.get("code"),
        confidence=float(detected.get("confidence") or 0.0),
        requested=detected.get("requested"),
    )


class KefuAction(Action):
    """Settles the language, adds the notes every reply may need, then calls ``respond``."""

    action_name = ""

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = get_settings()
        phrases = get_phrasebook()
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        current = tracker.get_slot(LANGUAGE_SLOT)
        decision = choose_language(current, language_guess(message), text)
        lang = decision.lang
        events: list[EventType] = []
        if lang != current:
            events.append(SlotSet(LANGUAGE_SLOT, lang))
        if decision.unsupported:
            names = ", ".join(settings.languages.values())
            dispatcher.utter_message(text=phrases.say("unsupported_language", lang, languages=names))
        elif decision.switched and language_guess(message).requested == lang:
            dispatcher.utter_message(text=phrases.say("language_switched", lang))
        if len(text) > settings.max_message_chars:
            dispatcher.utter_message(text=phrases.say("message_too_long", lang))
        events += self.respond(dispatcher, tracker, lang) or []
        return events

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[EventType]:
        raise NotImplementedError


class PhraseAction(KefuAction):
    """Replies with one phrase from the phrasebook."""

    phrase = ""

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[EventType]:
        dispatcher.utter_message(text=get_phrasebook().say(self.phrase, lang))
        return []


class ActionGreet(PhraseAction):
    action_name, phrase = "action_greet", "greet"


class ActionGoodbye(PhraseAction):
    action_name, phrase = "action_goodbye", "goodbye"


class ActionThanks(PhraseAction):
    action_name, phrase = "action_thanks", "thanks"


class ActionPraise(PhraseAction):
    action_name, phrase = "action_praise", "praise"


class ActionAnythingElse(PhraseAction):
    action_name, phrase = "action_anything_else", "anything_else"


class ActionOutOfScope(KefuAction):
    action_name = "action_out_of_scope"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[EventType]:
        phrases = get_phrasebook()
        dispatcher.utter_message(
            text=phrases.say("out_of_scope", lang),
            buttons=[{"title": phrases.say("button_human", lang), "payload": "/request_human"}],
        )
        return []


def human_button(lang: str) -> dict[str, str]:
    return {"title": get_phrasebook().say("button_human", lang), "payload": "/request_human"}


class ActionAnswerFaq(KefuAction):
    """Answers from the knowledge base when sure; otherwise offers the top two, or says it is not sure."""

    action_name = "action_answer_faq"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[EventType]:
        kb = get_knowledge_base()
        phrases = get_phrasebook()
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        chosen = next(tracker.get_latest_entity_values("faq_id"), None) if intent == "choose_faq" else None
        faq = message.get("faq") or {}
        ranking = [entry["id"] for entry in faq.get("ranking") or [] if entry["id"] in kb.topics]
        if chosen in kb.topics:
            topic = chosen
        elif faq.get("decision") == ANSWER and ranking:
            topic = ranking[0]
        else:
            topic = None
        if topic:
            # a borderline complaint score: answer, and keep a person one tap away in case something went wrong
            offer = bool((message.get("complaint") or {}).get("offer_person")) and chosen is None
            dispatcher.utter_message(text=kb.answer(topic, lang), buttons=[human_button(lang)] if offer else [])
            return [SlotSet("faq_id", topic)]
        if faq.get("decision") == CLARIFY and len(ranking) >= 2:
            buttons = [
                {"title": kb.question(t, lang), "payload": f'/choose_faq{{"faq_id":"{t}"}}'} for t in ranking[:2]
            ]
            buttons.append(human_button(lang))
            dispatcher.utter_message(text=phrases.say("faq_clarify", lang), buttons=buttons)
            return []
        dispatcher.utter_message(text=phrases.say("faq_unsure", lang), buttons=[human_button(lang)])
        return []


class ActionHandoff(KefuAction):
    """Complaint or request for a person: de-escalate, open (or escalate) the case, let the human take over."""

    action_name = "action_handoff"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[EventType]:
        phrases = get_phrasebook()
        message = tracker.latest_message or {}
        complaint = message.get("complaint") or {}
        is_complaint = (message.get("intent") or {}).get("name") == "complaint"
        category = (complaint.get("category") or "other") if is_complaint else "human_request"
        metadata = message.get("metadata") or {}
        case = CaseInput(
            conversation_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel() or "unknown",
            shopper_id=str(metadata.get("shopper_id") or tracker.sender_id),
            language=lang,
            category=category,
            complaint_score=float(complaint.get("score") or 0.0),
            base_priority=complaint_priority(category),
            transcript=build_transcript(tracker.events),
        )
        sla = timedelta(hours=float(get_shop().resolve("service_hours.first_reply_hours", lang)))
        try:
            record, created = get_store().open_case(case, sla)
        except SQLAlchemyError:
            logger.exception("handoff store unavailable; the shopper is told to retry")
            dispatcher.utter_message(text=phrases.say("error_generic", lang))
            return []
        working = team_is_working()
        if not created:  # the conversation's open case: raised, not a second ticket
            text = phrases.say("complaint.repeat" if is_complaint else "handoff_already", lang)
        elif is_complaint:
            try:
                issue = phrases.say(f"complaint.issue.{category}", lang)
            except KeyError:  # a category added to data/complaints.yml without its phrase (kb validate says so)
                issue = phrases.say("complaint.issue.other", lang)
            text = " ".join([
                phrases.say("complaint.apologise", lang),
                phrases.say("complaint.restate", lang, issue=issue),
                phrases.say("complaint.commit", lang),
                phrases.say("complaint.timeline", lang),
                phrases.say("complaint.team_open" if working else "complaint.team_closed", lang),
            ])
        else:
            when = phrases.say("handoff_when_open" if working else "handoff_when_closed", lang)
            text = phrases.say("handoff_requested", lang) + " " + when
        dispatcher.utter_message(text=text)
        logger.info("handoff case %s (%s, priority %s, created=%s)", record.id, category, record.priority, created)
        return [SlotSet(HANDOFF_SLOT, True)]


class ActionRelayToAgent(Action):
    """A human owns the conversation: keep the case's transcript current, raise priority on a new complaint,
    and say nothing (the agent answers)."""

    def name(self) -> str:
        return RELAY_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        store = get_store()
        message = tracker.latest_message or {}
        try:
            if (message.get("complaint") or {}).get("is_complaint"):
                store.escalate(tracker.sender_id)
            store.append_turns(tracker.sender_id, build_transcript(tracker.events))
        except SQLAlchemyError:
            logger.exception("handoff store unavailable; the message stays in the tracker store")
        return []


class ActionDefaultFallback(KefuAction):
    """NLU was not confident: an image / sticker / empty message is told what the bot reads; anything else gets
    the FAQ 'not sure' path."""

    action_name = "action_default_fallback"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[EventType]:
        phrases = get_phrasebook()
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        if (message.get("metadata") or {}).get(NON_TEXT_KEY):
            dispatcher.utter_message(text=phrases.say("non_text_message", lang))
        elif not text.strip():
            dispatcher.utter_message(text=phrases.say("empty_message", lang))
        else:
            dispatcher.utter_message(text=phrases.say("faq_unsure", lang), buttons=[human_button(lang)])
        return []
