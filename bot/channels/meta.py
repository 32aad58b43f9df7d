"""Facebook Messenger, Instagram DMs and the WhatsApp Cloud API as Rasa input/output channels.

All three use Meta's webhook contract: a GET verification handshake (``hub.verify_token`` -> echo
``hub.challenge``) and POSTs signed with ``X-Hub-Signature-256``; an unsigned or wrongly signed POST is
rejected with 403 before anything is read. Platform retries of the same message id are answered once;
images, stickers and voice notes reach the bot as an empty message marked ``non_text`` so the shopper gets
a polite text reply in the conversation's language. ``api_base`` is configurable (tests point it at a local
fake Graph API).

credentials.yml::

    bot.channels.meta.MessengerInput:      # (or InstagramInput; WhatsAppInput with access_token)
      verify_token: "..."
      app_secret: "..."
      page_access_token: "..."
      api_base: "https://graph.facebook.com"   # optional
      api_version: "v19.0"                     # optional
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels.common import NON_TEXT_KEY, SeenIds, post_json, valid_hub_signature

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v19.0"
QUICK_REPLY_TITLE = 20  # Messenger's limit on a quick reply's title
WHATSAPP_BUTTONS = 3
WHATSAPP_TITLE = 20


class MessengerOutput(OutputChannel):
    def __init__(self, api_base: str, api_version: str, token: str) -> None:
        self.url = f"{api_base.rstrip('/')}/{api_version}/me/messages?access_token={token}"

    @classmethod
    def name(cls) -> str:
        return "messenger"

    async def _send(self, recipient_id: str, message: dict[str, Any]) -> None:
        await post_json(self.url, {"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE",
                                   "message": message})

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(recipient_id, {"text": text})

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     **kwargs: Any) -> None:
        quick = [{"content_type": "text", "title": b["title"][:QUICK_REPLY_TITLE], "payload": b["payload"]}
                 for b in buttons[:13]]
        await self._send(recipient_id, {"text": text, "quick_replies": quick})

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self._send(recipient_id, json_message)


class WhatsAppOutput(OutputChannel):
    def __init__(self, api_base: str, api_version: str, token: str, phone_number_id: str) -> None:
        self.url = f"{api_base.rstrip('/')}/{api_version}/{phone_number_id}/messages"
        self.headers = {"Authorization": f"Bearer {token}"}

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    async def _send(self, recipient_id: str, body: dict[str, Any]) -> None:
        await post_json(self.url, {"messaging_product": "whatsapp", "recipient_type": "individual",
                                   "to": recipient_id, **body}, self.headers)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(recipient_id, {"type": "text", "text": {"body": text}})

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     **kwargs: Any) -> None:
        replies = [{"type": "reply", "reply": {"id": b["payload"][:256], "title": b["title"][:WHATSAPP_TITLE]}}
                   for b in buttons[:WHATSAPP_BUTTONS]]
        await self._send(recipient_id, {"type": "interactive", "interactive": {
            "type": "button", "body": {"text": text}, "action": {"buttons": replies}}})


class MetaWebhookInput(InputChannel):
    """The webhook contract shared by Messenger, Instagram and WhatsApp; subclasses read their payloads."""

    object_type = ""

    def __init__(self, verify_token: str, app_secret: str, access_token: str,
                 api_base: str = DEFAULT_API_BASE, api_version: str = DEFAULT_API_VERSION) -> None:
        self.verify_token = verify_token
        self.app_secret = app_secret
        self.access_token = access_token
        self.api_base = api_base
        self.api_version = api_version
        self.seen = SeenIds(self.name())

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        missing = [k for k in ("verify_token", "app_secret") if not credentials.get(k)]
        if missing:
            raise ValueError(f"{cls.name()} channel: credentials.yml lacks {', '.join(missing)}")
        return cls(
            credentials["verify_token"],
            credentials["app_secret"],
            credentials.get("page_access_token") or credentials.get("access_token") or "",
            credentials.get("api_base", DEFAULT_API_BASE),
            credentials.get("api_version", DEFAULT_API_VERSION),
        )

    def messages(self, payload: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any], OutputChannel]]:
        """(delivery id, sender id, text, metadata, output channel) for each message in a webhook payload."""
        raise NotImplementedError

    def blueprint(self, on_new_message):  # type: ignore[no-untyped-def]
        hook = Blueprint(f"kefu_{self.name()}_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> response.HTTPResponse:
            args = request.args
            if args.get("hub.mode") == "subscribe" and args.get("hub.verify_token") == self.verify_token:
                return response.text(request.args.get("hub.challenge", ""))
            return response.json({"error": "verification failed"}, status=403)

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> response.HTTPResponse:
            if not valid_hub_signature(self.app_secret, request.body, request.headers.get("X-Hub-Signature-256")):
                return response.json({"error": "invalid signature"}, status=403)
            try:
                payload = json.loads(request.body)
                items = self.messages(payload) if payload.get("object") == self.object_type else []
            except (ValueError, AttributeError, KeyError, TypeError) as exc:
                return response.json({"error": f"malformed payload: {exc.__class__.__name__}"}, status=400)
            for delivery_id, sender, text, metadata, output in items:
                if not await self.seen.first_time(delivery_id):
                    logger.info("%s: duplicate delivery %s ignored", self.name(), delivery_id)
                    continue
                await on_new_message(UserMessage(text, output, sender, input_channel=self.name(),
                                                 metadata=metadata))
            return response.json({"status": "ok"})

        return hook


class MessengerInput(MetaWebhookInput):
    object_type = "page"

    @classmethod
    def name(cls) -> str:
        return "messenger"

    def output(self) -> OutputChannel:
        return MessengerOutput(self.api_base, self.api_version, self.access_token)

    def get_output_channel(self) -> OutputChannel | None:
        return self.output()

    def messages(self, payload: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any], OutputChannel]]:
        found = []
        for entry in payload.get("entry") or []:
            for event in entry.get("messaging") or []:
                sender = str(event["sender"]["id"])
                message = event.get("message") or {}
                if message.get("is_echo"):
                    continue  # our own replies, echoed back by the platform
                if "postback" in event:  # a button of ours was tapped
                    postback = event["postback"]
                    delivery = postback.get("mid") or f"{sender}:{event.get('timestamp')}:{postback.get('payload')}"
                    found.append((delivery, sender, postback.get("payload") or "", {}, self.output()))
                    continue
                if not message:
                    continue  # reads, deliveries, reactions
                quick = (message.get("quick_reply") or {}).get("payload")
                text = quick or message.get("text") or ""
                metadata: dict[str, Any] = {}
                if not text:
                    kinds = [a.get("type", "file") for a in message.get("attachments") or []]
                    metadata[NON_TEXT_KEY] = "sticker" if "sticker_id" in message else (kinds[0] if kinds else "other")
                found.append((message.get("mid") or f"{sender}:{event.get('timestamp')}", sender, text, metadata,
                              self.output()))
        return found


class InstagramInput(MessengerInput):
    """Instagram DMs arrive and are answered exactly like Messenger's, under ``object: instagram``."""

    object_type = "instagram"

    @classmethod
    def name(cls) -> str:
        return "instagram"


class WhatsAppInput(MetaWebhookInput):
    object_type = "whatsapp_business_account"

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    phone_number_id = ""  # the business number agents' replies are sent from (credentials: phone_number_id)

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        channel = super().from_credentials(credentials)
        channel.phone_number_id = str((credentials or {}).get("phone_number_id", ""))
        return channel

    def get_output_channel(self) -> OutputChannel | None:
        if not self.phone_number_id:
            return None
        return WhatsAppOutput(self.api_base, self.api_version, self.access_token, self.phone_number_id)

    def messages(self, payload: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any], OutputChannel]]:
        found = []
        for entry in payload.get("entry") or []:
            for change in entry.get("changes") or []:
                value = change.get("value") or {}
                phone_number_id = str((value.get("metadata") or {}).get("phone_number_id", ""))
                output = WhatsAppOutput(self.api_base, self.api_version, self.access_token, phone_number_id)
                for message in value.get("messages") or []:  # "statuses" (sent/read receipts) are ignored
                    kind = message.get("type")
                    metadata: dict[str, Any] = {"phone_number_id": phone_number_id}
                    if kind == "text":
                        text = (message.get("text") or {}).get("body") or ""
                    elif kind == "interactive":
                        reply = message["interactive"].get("button_reply") or message["interactive"].get("list_reply")
                        text = (reply or {}).get("id") or ""
                    elif kind == "button":
                        text = (message.get("button") or {}).get("payload") or ""
                    else:
                        text, metadata[NON_TEXT_KEY] = "", kind or "other"
                    found.append((message["id"], str(message["from"]), text, metadata, output))
        return found
