"""Order status lookup actions: the form that collects the order number and a second factor, and the answer.

The form ``order_status_form`` asks for ``order_number`` then ``order_verification`` (the e-mail or delivery
postcode on the order). Both slots use custom mappings filled here, from free text in any language
(``bot.orders.lookup``); ``order_verification`` keeps only a keyed digest of the factor, never the value.
``action_order_status`` then looks the order up (in a worker thread: the REST source is blocking I/O), and
shows it only when the factor matches; otherwise one uniform "no match" reply, rate limited per conversation
and per order number.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.actions import KefuAction, human_button
from bot.orders import VERIFIED_ORDER_SLOT, get_order_lookup
from bot.orders.eta import estimate, looks_lost
from bot.orders.lookup import (
    FOUND,
    NO_MATCH,
    RATE_LIMITED,
    UNAVAILABLE,
    LookupResult,
    extract_factor,
    extract_order_number,
)
from bot.orders.source import CANCELLED, DELAYED, DELIVERED, OUT_FOR_DELIVERY, RETURNED, Order
from bot.responses import get_phrasebook
from bot.shop import get_shop

logger = logging.getLogger(__name__)

FORM = "order_status_form"
NUMBER_SLOT = "order_number"
FACTOR_SLOT = "order_verification"
REQUESTED_SLOT = "requested_slot"
# intents that mean "this message is my answer to your question": a message with one of them that holds no
# usable number / factor is asked again; any other intent (a question, a complaint) interrupts the form
ANSWER_INTENTS = {"order_status", "inform_order"}

BABEL_LOCALES = {"zh-CN": "zh_Hans_CN", "zh-TW": "zh_Hant_TW"}


# --- the form's slots ---------------------------------------------------------------------------------------


def _intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def _text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


class ValidateOrderStatusForm(FormValidationAction):
    """Fills the form's slots from free text. Returns nothing for a message that is not an answer, so that the
    form rejects it and the message's own rule (FAQ, complaint, person) runs; ``{slot: None}`` for an answer
    that could not be read, so that the form asks again (and the ask action says it did not understand)."""

    def name(self) -> str:
        return f"validate_{FORM}"

    @staticmethod
    def _activating(tracker: Tracker) -> bool:
        return tracker.active_loop_name != FORM

    def extract_order_number(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        number = extract_order_number(_text(tracker), expecting=requested == NUMBER_SLOT)
        if number:
            return {NUMBER_SLOT: number}
        if self._activating(tracker) and tracker.get_slot(NUMBER_SLOT) is not None:
            return {NUMBER_SLOT: None}  # left over from an interrupted lookup
        if requested == NUMBER_SLOT and _intent(tracker) in ANSWER_INTENTS:
            return {NUMBER_SLOT: None}
        return {}

    def extract_order_verification(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        text = _text(tracker)
        factor = extract_factor(text, expecting=requested == FACTOR_SLOT)
        if factor:
            return {FACTOR_SLOT: factor.digest()}
        if self._activating(tracker) and tracker.get_slot(FACTOR_SLOT) is not None:
            return {FACTOR_SLOT: None}
        if (requested == FACTOR_SLOT and _intent(tracker) in ANSWER_INTENTS
                and not extract_order_number(text)):  # a corrected order number is an answer too
            return {FACTOR_SLOT: None}
        return {}

    async def next_requested_slot(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> EventType | None:
        """A message taken for an order number / e-mail / postcode that holds none of them does not start a lookup:
        the form ends at once and ``action_order_status`` says it is not sure, like the fallback would."""
        if (self._activating(tracker) and _intent(tracker) == "inform_order"
                and tracker.get_slot(NUMBER_SLOT) is None and tracker.get_slot(FACTOR_SLOT) is None):
            return SlotSet(REQUESTED_SLOT, None)
        return None

    def validate_order_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        return {NUMBER_SLOT: value}

    def validate_order_verification(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        return {FACTOR_SLOT: value}


def not_understood(tracker: Tracker, slot: str) -> bool:
    """The form asks for ``slot`` again because this turn's answer could not be read: it had asked for the same
    slot, and the validation just set it to None."""
    if tracker.get_slot(REQUESTED_SLOT) != slot:
        return False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == slot and event.get("value") is None:
            return True
    return False


class ActionAskOrderNumber(KefuAction):
    action_name = f"action_ask_{NUMBER_SLOT}"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[EventType]:
        key = "order.number_not_understood" if not_understood(tracker, NUMBER_SLOT) else "order.ask_number"
        dispatcher.utter_message(text=get_phrasebook().say(key, lang))
        return []


class ActionAskOrderVerification(KefuAction):
    action_name = f"action_ask_{FACTOR_SLOT}"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[EventType]:
        if not_understood(tracker, FACTOR_SLOT):
            text = get_phrasebook().say("order.verification_not_understood", lang)
        else:
            text = get_phrasebook().say("order.ask_verification", lang, order=tracker.get_slot(NUMBER_SLOT) or "")
        dispatcher.utter_message(text=text)
        return []


# --- the answer ---------------------------------------------------------------------------------------------


def format_day(day: date, lang: str) -> str:
    """A date as the shopper's language writes it (CLDR via Babel), e.g. "March 14", "3月14日"."""
    try:
        from babel.dates import format_skeleton

        return format_skeleton("MMMMd", day, locale=BABEL_LOCALES.get(lang, lang))
    except Exception:  # an unknown locale must not cost the shopper the answer
        return day.isoformat()


def format_days(start: date, end: date, lang: str) -> str:
    """A date range, e.g. "March 12 – March 16", "3月12日 – 3月16日": two full dates (CLDR's interval formats
    abbreviate the month, and "Nov." before the phrase's own full stop reads badly)."""
    if start == end:
        return format_day(start, lang)
    return f"{format_day(start, lang)} – {format_day(end, lang)}"


def render_order(order: Order, lang: str, today: date | None = None) -> tuple[str, bool]:
    """The reply for a verified order, and whether it offers a person (delayed, or looks lost)."""
    today = today or date.today()
    say = get_phrasebook().say
    lines = [say("order.summary", lang, order=order.number, status=say(f"order.status.{order.status}", lang))]
    if order.tracking_number and order.status not in (CANCELLED,):
        lines.append(say("order.tracking", lang, carrier=order.carrier or "—", tracking_number=order.tracking_number,
                         tracking_url=order.tracking_url or get_shop().resolve("shop.track_url", lang)))
    lost = looks_lost(order, today)
    window = estimate(order, today)
    if order.status == DELIVERED and order.delivered_on:
        lines.append(say("order.delivered_on", lang, date=format_day(order.delivered_on, lang)))
    elif order.status == RETURNED:
        lines.append(say("order.returned_note", lang))
    elif order.status == OUT_FOR_DELIVERY:
        lines.append(say("order.eta_today", lang))
    elif window and order.status != DELAYED and not lost:
        if window.overdue(today):
            lines.append(say("order.eta_overdue", lang, date=format_day(window.latest, lang)))
        else:
            lines.append(say("order.eta", lang, dates=format_days(window.earliest, window.latest, lang)))
    offer_person = order.status == DELAYED or lost
    if order.status == DELAYED:
        lines.append(say("order.delayed_help", lang))
    elif lost:
        lines.append(say("order.lost_help", lang))
    return "\n".join(lines), offer_person


_RESULT: contextvars.ContextVar[LookupResult | None] = contextvars.ContextVar("order_lookup_result", default=None)


def _reset_slots() -> list[EventType]:
    return [SlotSet(NUMBER_SLOT, None), SlotSet(FACTOR_SLOT, None)]


class ActionOrderStatus(KefuAction):
    """The form is complete: verify and answer. The slots are cleared either way (a new lookup starts fresh)."""

    action_name = "action_order_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        number = tracker.get_slot(NUMBER_SLOT)
        result = None
        if number:
            try:
                result = await asyncio.to_thread(
                    get_order_lookup().lookup, tracker.sender_id, number, tracker.get_slot(FACTOR_SLOT))
            except Exception:  # a misconfigured source: the shopper hears "try later", the log says why
                logger.exception("order lookup failed")
                result = LookupResult(UNAVAILABLE)
        token = _RESULT.set(result)  # per request: concurrent conversations run in their own tasks
        try:
            return await super().run(dispatcher, tracker, domain)
        finally:
            _RESULT.reset(token)

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[EventType]:
        phrases = get_phrasebook()
        result = _RESULT.get()
        if result is None:  # the form ended without an order number: a message that only looked like one
            dispatcher.utter_message(text=phrases.say("faq_unsure", lang), buttons=[human_button(lang)])
        elif result.outcome == FOUND and result.order is not None:
            text, offer_person = render_order(result.order, lang)
            dispatcher.utter_message(text=text, buttons=[human_button(lang)] if offer_person else [])
            return [*_reset_slots(), SlotSet(VERIFIED_ORDER_SLOT, result.order.number)]
        elif result.outcome == NO_MATCH:
            dispatcher.utter_message(text=phrases.say("order.no_match", lang))
        elif result.outcome == RATE_LIMITED:
            dispatcher.utter_message(text=phrases.say("order.rate_limited", lang, minutes=result.retry_minutes),
                                     buttons=[human_button(lang)])
        else:
            dispatcher.utter_message(text=phrases.say("order.unavailable", lang), buttons=[human_button(lang)])
        return _reset_slots()


class ActionOrderStop(KefuAction):
    """The shopper stopped the lookup ("no", "never mind"): forget what was given."""

    action_name = "action_order_stop"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[EventType]:
        dispatcher.utter_message(text=get_phrasebook().say("order.stopped", lang))
        return _reset_slots()
