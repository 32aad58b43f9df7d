"""The widget's transport: socket.io to the real Rasa server, session persistence, agent replies pushed."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import socketio

from bot.faq.kb import get_knowledge_base
from bot.handoff.control import post_events

pytestmark = pytest.mark.integration


class WidgetClient:
    """What kefu-widget.js does, in Python: session_request, user_uttered, collect bot_uttered."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sio = socketio.AsyncClient()
        self.replies: asyncio.Queue = asyncio.Queue()
        self.session: asyncio.Future | None = None

    async def connect(self, session_id: str | None = None) -> str:
        self.session = asyncio.get_running_loop().create_future()
        self.sio.on("session_confirm", lambda sid: self.session.set_result(sid))
        self.sio.on("bot_uttered", lambda reply: self.replies.put_nowait(reply))
        await self.sio.connect(self.url, socketio_path="/socket.io", transports=["websocket"])
        await self.sio.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.session, 10)

    async def say(self, text: str, locale: str | None = None) -> None:
        await self.sio.emit("user_uttered", {"message": text, "session_id": self.session.result(),
                                             "metadata": {"locale": locale} if locale else {}})

    async def reply(self, timeout: float = 30) -> dict:
        return await asyncio.wait_for(self.replies.get(), timeout)


def test_widget_conversation_with_language_hint_and_agent_push(stack) -> None:
    async def scenario() -> None:
        client = WidgetClient(stack.url)
        session = await client.connect(f"widget-{uuid.uuid4().hex[:8]}")
        await client.say("寄到美国运费多少钱？有包邮吗", locale="zh-CN")
        reply = await client.reply()
        assert reply["text"] == get_knowledge_base().answer("shipping_cost", "zh-CN")
        # a human agent's message posted through Rasa's API reaches the open socket (same channel)
        await asyncio.to_thread(post_events, stack.url, session, [{"event": "bot", "text": "Hi, this is Mei."}])
        pushed = await client.reply()
        assert pushed["text"] == "Hi, this is Mei."
        await client.sio.disconnect()

        # a page reload: a new socket with the stored session id continues the same conversation
        again = WidgetClient(stack.url)
        assert await again.connect(session) == session
        await again.say("Do you ship to Canada?")
        assert (await again.reply())["text"]
        await again.sio.disconnect()

    asyncio.run(scenario())
