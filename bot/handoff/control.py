"""What an agent does to a handed-off conversation, through Rasa's HTTP API (the agent console calls these).

Replies and the hand-back are tracker events posted with ``output_channel=latest``, so Rasa delivers the
bot message on the channel the shopper used (channels that can push: socket.io, DM connectors); the
conversation history keeps them either way.
"""

from __future__ import annotations

import argparse
import json
import urllib.parse
import urllib.request
from typing import Any

from bot.handoff.constants import HANDOFF_SLOT
from bot.handoff.store import Handoff, HandoffStore, get_store
from bot.responses import get_phrasebook


def post_events(rasa_url: str, conversation_id: str, events: list[dict[str, Any]], token: str | None = None) -> None:
    query = {"output_channel": "latest", "execute_side_effects": "true"}
    if token:
        query["token"] = token
    url = (f"{rasa_url.rstrip('/')}/conversations/{urllib.parse.quote(conversation_id, safe='')}"
           f"/tracker/events?{urllib.parse.urlencode(query)}")
    request = urllib.request.Request(url, data=json.dumps(events).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        reply.read()


def agent_reply(rasa_url: str, record: Handoff, agent: str, text: str, token: str | None = None) -> None:
    post_events(rasa_url, record.conversation_id,
                [{"event": "bot", "text": text, "metadata": {"agent": agent}}], token)


def hand_back(rasa_url: str, record: Handoff, store: HandoffStore, resolution: str = "handed_back",
              root_cause: str = "", token: str | None = None) -> Handoff | None:
    """Give the conversation back to the bot: clear the handoff slot, tell the shopper, close the case."""
    events = [
        {"event": "slot", "name": HANDOFF_SLOT, "value": False},
        {"event": "bot", "text": get_phrasebook().say("bot_resumed", record.language)},
    ]
    post_events(rasa_url, record.conversation_id, events, token)
    return store.resolve(record.id, resolution, root_cause)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["list", "resume"], help="list open cases, or hand one back to the bot")
    parser.add_argument("conversation", nargs="?", help="conversation id (for resume)")
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    parser.add_argument("--resolution", default="handed_back")


def run(args: argparse.Namespace) -> int:
    store = get_store()
    if args.action == "list":
        for record in store.queue():
            if record.status != "resolved":
                print(f"#{record.id} {record.status:<9} p{record.priority} {record.language:<6} {record.category:<24}"
                      f" {record.channel:<10} {record.conversation_id} due {record.sla_due_at:%Y-%m-%d %H:%M}")
        return 0
    record = store.open_case_for(args.conversation or "")
    if record is None:
        print(f"no open case for conversation {args.conversation!r}")
        return 1
    hand_back(args.rasa_url, record, store, args.resolution)
    print(f"case #{record.id} handed back to the bot")
    return 0
