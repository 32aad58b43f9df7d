"""Serves the web chat widget and a demo shop page from the Rasa server itself, under ``/webhooks/widget/``.

- ``/webhooks/widget/``: a demo shop page with the widget (what ``make run`` prints);
- ``/webhooks/widget/kefu-widget.js``: the one script a shop pastes into its pages;
- ``/webhooks/widget/socket.io.min.js``: the Socket.IO client the widget loads (vendored, protocol 5).

Rasa's only way to add routes to its server is an input channel, so this "channel" receives no messages: the
widget talks to Rasa's socketio channel.
"""

from __future__ import annotations

from pathlib import Path

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
ASSETS = {
    "kefu-widget.js": (WEB_DIR / "kefu-widget.js", "application/javascript; charset=utf-8"),
    "socket.io.min.js": (WEB_DIR / "vendor" / "socket.io-4.7.5.min.js", "application/javascript; charset=utf-8"),
}


class WebWidget(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "widget"

    def blueprint(self, on_new_message):  # type: ignore[no-untyped-def]
        assets = Blueprint("kefu_web_widget", __name__)

        @assets.route("/", methods=["GET"])
        async def demo(request: Request) -> response.HTTPResponse:
            return await response.file(WEB_DIR / "demo.html", mime_type="text/html; charset=utf-8")

        @assets.route("/<name:str>", methods=["GET"])
        async def asset(request: Request, name: str) -> response.HTTPResponse:
            if name in ("", "index.html"):  # "/webhooks/widget/" with its trailing slash lands here
                return await demo(request)
            if name not in ASSETS:
                return response.json({"error": "not_found"}, status=404)
            path, mime = ASSETS[name]
            return await response.file(path, mime_type=mime, headers={"Cache-Control": "public, max-age=300"})

        return assets
