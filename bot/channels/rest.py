"""Rasa's REST channel with input checks: bad requests get a clear JSON error, never a stack trace.

Same URL and payload as Rasa's own channel (``POST /webhooks/rest/webhook`` with ``sender``, ``message`` and
optional ``metadata``, e.g. ``{"locale": "zh-TW"}`` as a language hint). Long messages are kept whole in the
tracker; the NLU components read only their first ``limits.max_message_chars`` characters.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.core.channels import rest
from sanic import response
from sanic.request import Request

MAX_SENDER_CHARS = 256


class BadRequest(ValueError):
    pass


def parse_body(body: bytes) -> dict[str, Any]:
    """Validate a webhook body; raise BadRequest with a message fit for the client."""
    try:
        payload = json.loads(body or b"")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(f"the body is not valid JSON ({exc.__class__.__name__})") from exc
    if not isinstance(payload, dict):
        raise BadRequest("the body must be a JSON object")
    sender = payload.get("sender")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        raise BadRequest(f"'sender' must be a non-empty string of at most {MAX_SENDER_CHARS} characters")
    message = payload.get("message")
    if message is None:
        message = ""
    if not isinstance(message, str):
        raise BadRequest("'message' must be a string")
    metadata = payload.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest("'metadata' must be a JSON object")
    # NUL cannot be stored by every tracker store; keep its place visible instead of dropping the message
    payload["message"] = message.replace("\x00", "\ufffd")
    return payload


class RestInput(rest.RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    async def _extract_sender(self, req: Request) -> str | None:
        return req.ctx.kefu_payload["sender"]

    def _extract_message(self, req: Request) -> str | None:
        return req.ctx.kefu_payload["message"]

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        return request.ctx.kefu_payload.get("metadata")

    def blueprint(self, on_new_message):  # type: ignore[no-untyped-def]
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def validate(request: Request):  # type: ignore[no-untyped-def]
            if request.method != "POST":
                return None
            try:
                request.ctx.kefu_payload = parse_body(request.body)
            except BadRequest as exc:
                return response.json({"error": "bad_request", "message": str(exc)}, status=400)
            return None

        return blueprint
