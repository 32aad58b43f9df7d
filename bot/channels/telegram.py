"""Telegram as a Rasa input/output channel, with the webhook secret token check and a configurable API base.

Telegram signs nothing, but sends the secret chosen at ``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token``:
a request without the right one is rejected with 403 before anything is read. Retried updates (same
``update_id``) are answered once; photos, stickers and voice notes get a polite text reply. The shopper's
``language_code`` is passed on as the locale hint.

credentials.yml::

    bot.channels.telegram.TelegramInput:
      access_token: "123456:ABC..."
      secret_token: "..."
      api_base: "https://api.telegram.org"   # optional
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels.common import NON_TEXT_KEY, SeenIds, post_json

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.telegram.org"
NON_TEXT_KINDS = ("photo", "sticker", "voice", "audio", "video", "video_note", "document", "location", "contact",
                  "animation")


class TelegramOutput(OutputChannel):
    def __init__(self, api_base: str, token: str) -> None:
        self.url = f"{api_base.rstrip('/')}/bot{token}/sendMessage"

    @classmethod
    def name(cls) -> str:
        return "telegram"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await post_json(self.url, {"chat_id": recipient_id, "text": text})

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     **kwargs: Any) -> None:
        keyboard = [[{"text": b["title"], "callback_data": b["payload"][:64]}] for b in buttons]
        await post_json(self.url, {"chat_id": recipient_id, "text": text,
                                   "reply_markup": {"inline_keyboard": keyboard}})


class TelegramInput(InputChannel):
    def __init__(self, access_token: str, secret_token: str, api_base: str = DEFAULT_API_BASE) -> None:
        self.access_token = access_token
        self.secret_token = secret_token
        self.api_base = api_base
        self.seen = SeenIds(self.name())

    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        missing = [k for k in ("access_token", "secret_token") if not credentials.get(k)]
        if missing:
            raise ValueError(f"telegram channel: credentials.yml lacks {', '.join(missing)}")
        return cls(credentials["access_token"], credentials["secret_token"],
                   credentials.get("api_base", DEFAULT_API_BASE))

    def get_output_channel(self) -> OutputChannel | None:
        return TelegramOutput(self.api_base, self.access_token)

    @staticmethod
    def parse(update: dict[str, Any]) -> tuple[str, str, dict[str, Any]] | None:
        """(chat id, text, metadata) of an update, or None for updates that are not a shopper's message."""
        if "callback_query" in update:  # a button of ours was tapped
            query = update["callback_query"]
            chat = (query.get("message") or {}).get("chat") or query["from"]
            return str(chat["id"]), query.get("data") or "", {"locale": query["from"].get("language_code")}
        message = update.get("message") or update.get("edited_message")
        if not message:
            return None
        metadata: dict[str, Any] = {"locale": (message.get("from") or {}).get("language_code")}
        text = message.get("text") or message.get("caption") or ""
        if not text:
            metadata[NON_TEXT_KEY] = next((k for k in NON_TEXT_KINDS if k in message), "other")
        return str(message["chat"]["id"]), text, metadata

    def blueprint(self, on_new_message):  # type: ignore[no-untyped-def]
        hook = Blueprint("kefu_telegram_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> response.HTTPResponse:
            given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not hmac.compare_digest(given.encode(), self.secret_token.encode()):
                return response.json({"error": "invalid secret token"}, status=403)
            try:
                update = json.loads(request.body)
                parsed = self.parse(update)
                update_id = str(update["update_id"])
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                return response.json({"error": f"malformed update: {exc.__class__.__name__}"}, status=400)
            if parsed is None:
                return response.json({"status": "ignored"})
            if not await self.seen.first_time(update_id):
                return response.json({"status": "duplicate"})
            chat_id, text, metadata = parsed
            await on_new_message(UserMessage(text, self.get_output_channel(), chat_id, input_channel=self.name(),
                                             metadata={k: v for k, v in metadata.items() if v}))
            return response.json({"status": "ok"})

        return hook
