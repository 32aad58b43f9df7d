"""Serves the demo chat page at ``/webhooks/demo/`` from the Rasa server itself (same origin as the webhook).

Rasa's only way to add routes to its server is an input channel, so this "channel" receives no messages; the
page talks to the REST channel.
"""

from __future__ import annotations

from pathlib import Path

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request

WEB_DIR = Path(__file__).resolve().parent.parent / "web"


class DemoPage(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "demo"

    def blueprint(self, on_new_message):  # type: ignore[no-untyped-def]
        page = Blueprint("kefu_demo_page", __name__)

        @page.route("/", methods=["GET"])
        async def index(request: Request) -> response.HTTPResponse:
            return await response.file(WEB_DIR / "demo.html", mime_type="text/html; charset=utf-8")

        return page
