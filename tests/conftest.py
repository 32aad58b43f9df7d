"""Shared fixtures. Integration tests start the real servers (``bot.serve.Stack``) on free loopback ports."""

from __future__ import annotations

import json
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.serve import Stack, free_port, latest_model
from tests.fakes import serve_in_thread

# The order lookup rate limiter persists in the orders database: give each test session a fresh one, so that
# reruns within 15 minutes are not refused. Set before any server starts (they inherit the environment); a
# KEFU_ORDERS_DATABASE_URL set by the caller wins.
os.environ.setdefault(
    "KEFU_ORDERS_DATABASE_URL", f"sqlite:///{Path(tempfile.mkdtemp(prefix='kefu-orders-')) / 'orders.db'}"
)


@pytest.fixture(scope="session")
def trained_model() -> Path:
    try:
        return latest_model()
    except FileNotFoundError:
        pytest.skip("no trained model in models/: `make test` trains one first")


class FakePlatform:
    """A local stand-in for the Graph API and the Telegram Bot API that records what the bot sends."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.url = serve_in_thread(self._app)

    def _app(self):  # noqa: ANN202
        from aiohttp import web

        async def record(request: web.Request) -> web.Response:
            self.requests.append({"path": request.path, "query": dict(request.query),
                                  "headers": dict(request.headers), "json": await request.json()})
            return web.json_response({"ok": True, "message_id": "fake"})

        app = web.Application()
        app.router.add_post("/{tail:.*}", record)
        return app

    def sent_to(self, fragment: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if fragment in r["path"]]


DM_SECRET = "test-app-secret"
TELEGRAM_SECRET = "test-telegram-secret"


@pytest.fixture(scope="session")
def fake_platform() -> FakePlatform:
    return FakePlatform()


@pytest.fixture(scope="session")
def stack(trained_model: Path, fake_platform: FakePlatform,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    logs = tmp_path_factory.mktemp("servers")
    meta = {"verify_token": "test-verify", "app_secret": DM_SECRET, "api_base": fake_platform.url}
    with Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        model=trained_model,
        tracker_db=str(logs / "tracker.db"),
        log_dir=logs,
        env={"KEFU_DATABASE_URL": f"sqlite:///{logs / 'handoff.db'}"},
        channels={
            "bot.channels.meta.MessengerInput": {**meta, "page_access_token": "PAGE-TOKEN"},
            "bot.channels.meta.InstagramInput": {**meta, "page_access_token": "IG-TOKEN"},
            "bot.channels.meta.WhatsAppInput": {**meta, "access_token": "WA-TOKEN",
                                                "phone_number_id": "106540352242922"},
            "bot.channels.telegram.TelegramInput": {"access_token": "123:ABC", "secret_token": TELEGRAM_SECRET,
                                                    "api_base": fake_platform.url},
        },
    ) as running:
        yield running


@pytest.fixture(scope="session")
def handoff_store(stack: Stack):  # noqa: ANN201
    from bot.handoff.store import HandoffStore

    return HandoffStore(stack.env["KEFU_DATABASE_URL"])


def post(url: str, body: bytes | dict[str, Any], timeout: float = 60,
         headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """POST JSON (or raw bytes); return (status, decoded JSON body)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return reply.status, json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def get(url: str, timeout: float = 30) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            raw = reply.read()
            kind = reply.headers.get("Content-Type", "")
            return reply.status, json.loads(raw) if "json" in kind else raw.decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


class Shopper:
    """One conversation over the REST channel."""

    def __init__(self, stack: Stack, sender: str, locale: str | None = None) -> None:
        self.url = f"{stack.url}/webhooks/rest/webhook"
        self.stack = stack
        self.sender = sender
        self.locale = locale

    def say(self, text: str) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"sender": self.sender, "message": text}
        if self.locale:
            body["metadata"] = {"locale": self.locale}
        status, replies = post(self.url, body)
        assert status == 200, replies
        return replies

    def tracker(self) -> dict[str, Any]:
        status, tracker = get(f"{self.stack.url}/conversations/{self.sender}/tracker")
        assert status == 200
        return tracker
