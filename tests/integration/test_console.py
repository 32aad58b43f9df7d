"""The agent console's API over the real server: auth everywhere, queue, claim, reply on the shopper's channel,
notes, resolve, export."""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import urllib.error
import urllib.request
import uuid

import pytest

from bot.console.accounts import Accounts
from bot.handoff.store import HandoffStore
from tests.conftest import Shopper
from tests.integration.test_socketio import WidgetClient

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery"


class Agent:
    def __init__(self, stack, username: str) -> None:  # noqa: ANN001
        self.base = f"{stack.url}/webhooks/console"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(self, method: str, path: str, payload: dict | None = None) -> tuple[int, object]:
        data = json.dumps(payload).encode() if payload is not None else (b"{}" if method == "POST" else None)
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with self.opener.open(request, timeout=30) as reply:
                raw = reply.read().decode()
                kind = reply.headers.get("Content-Type", "")
                return reply.status, json.loads(raw) if kind.startswith("application/json") else raw
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


@pytest.fixture(scope="module")
def agent_account(stack) -> str:  # noqa: ANN001
    accounts = Accounts(HandoffStore(stack.env["KEFU_DATABASE_URL"]))
    name = f"mei{uuid.uuid4().hex[:4]}"
    accounts.create(name, PASSWORD, "Mei")
    return name


ROUTES = [("GET", "/api/queue"), ("GET", "/api/me"), ("GET", "/api/cases/1"), ("POST", "/api/cases/1/claim"),
          ("POST", "/api/cases/1/reply"), ("POST", "/api/cases/1/note"), ("POST", "/api/cases/1/resolve"),
          ("POST", "/api/cases/1/handback"), ("GET", "/api/export?format=csv")]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_api_route_refuses_anonymous_requests(stack, method: str, path: str) -> None:
    assert Agent(stack, "nobody").call(method, path)[0] == 401


def test_pages_redirect_to_login_and_wrong_passwords_fail(stack, agent_account: str) -> None:
    anonymous = Agent(stack, "nobody")
    status, page = anonymous.call("GET", "/")
    assert status == 200 and 'action="/webhooks/console/login"' in page  # redirected to the login page
    assert anonymous.call("POST", "/login", {"username": agent_account, "password": "wrong"})[0] == 401
    assert anonymous.call("POST", "/login", {"username": "ghost", "password": PASSWORD})[0] == 401


def test_agent_works_a_case_end_to_end(stack, handoff_store, agent_account: str) -> None:
    async def scenario() -> None:
        shopper = WidgetClient(stack.url)
        session = await shopper.connect(f"console-{uuid.uuid4().hex[:8]}")
        await shopper.say("My blender arrived broken, the jar is cracked. Very disappointed!")
        await shopper.reply()  # the de-escalation message
        record = handoff_store.open_case_for(session)
        assert record is not None

        agent = Agent(stack, agent_account)
        assert agent.call("POST", "/login", {"username": agent_account, "password": PASSWORD}) == (200, {"ok": True})
        status, waiting = await asyncio.to_thread(agent.call, "GET", "/api/queue?view=waiting")
        assert status == 200 and record.id in [c["id"] for c in waiting["cases"]]
        case = next(c for c in waiting["cases"] if c["id"] == record.id)
        assert case["channel"] == "socketio" and case["overdue"] is False and case["language"] == "en"

        assert (await asyncio.to_thread(agent.call, "POST", f"/api/cases/{record.id}/claim"))[0] == 200
        status, mine = await asyncio.to_thread(agent.call, "GET", "/api/queue?view=mine")
        assert record.id in [c["id"] for c in mine["cases"]]

        reply = "Hi, I'm Mei. I'm sorry about the jar, could you send a photo?"
        assert (await asyncio.to_thread(agent.call, "POST", f"/api/cases/{record.id}/reply", {"text": reply}))[0] == 200
        assert (await shopper.reply())["text"] == reply  # on the shopper's own channel
        await asyncio.to_thread(agent.call, "POST", f"/api/cases/{record.id}/note", {"text": "carrier damage?"})

        await shopper.say("ok here it is, the jar is cracked on the side")
        await asyncio.sleep(1)
        status, detail = await asyncio.to_thread(agent.call, "GET", f"/api/cases/{record.id}")
        roles = [t["role"] for t in detail["transcript"]]
        assert roles.count("shopper") >= 2 and "agent" in roles and "bot" in roles
        assert detail["transcript"][0]["language"] == "en" and "complaint_score" in detail["transcript"][0]
        assert detail["notes"][0]["text"] == "carrier damage?"
        assert detail["order"] is None  # the shopper verified no order

        bad = await asyncio.to_thread(agent.call, "POST", f"/api/cases/{record.id}/resolve", {"resolution": "x"})
        assert bad[0] == 400
        done = await asyncio.to_thread(agent.call, "POST", f"/api/cases/{record.id}/resolve",
                                       {"resolution": "replacement", "root_cause": "carrier damage"})
        assert done[0] == 200
        assert (await shopper.reply())["text"]  # the bot says it is back
        assert handoff_store.get(record.id).root_cause == "carrier damage"

        status, csv_text = await asyncio.to_thread(agent.call, "GET", "/api/export?format=csv")
        assert status == 200 and "carrier damage" in csv_text and "[" in csv_text
        status, jsonl = await asyncio.to_thread(agent.call, "GET", "/api/export?from=2000-01-01")
        assert any(json.loads(line)["id"] == record.id for line in jsonl.splitlines())
        assert (await asyncio.to_thread(agent.call, "GET", "/api/export?from=yesterday"))[0] == 400
        await shopper.sio.disconnect()

    asyncio.run(scenario())


def test_the_case_shows_the_order_the_shopper_verified(stack, handoff_store, agent_account: str) -> None:
    shopper = Shopper(stack, f"console-order-{uuid.uuid4().hex[:8]}")
    shopper.say("Where is my order? Can you check it for me?")
    shopper.say("KF-10034")
    assert "DHL" in shopper.say("80331")[0]["text"]  # verified: the delayed order, with its tracking
    shopper.say("/request_human")  # the delayed-order reply offers a person
    record = handoff_store.open_case_for(shopper.sender)
    assert record is not None

    agent = Agent(stack, agent_account)
    agent.call("POST", "/login", {"username": agent_account, "password": PASSWORD})
    status, detail = agent.call("GET", f"/api/cases/{record.id}")
    assert status == 200
    order = detail["order"]
    assert (order["number"], order["status"], order["carrier"]) == ("KF-10034", "delayed", "DHL")
    assert order["tracking_number"] == "00340434161094042557" and order["shipped_on"] and order["eta"] is not None
    assert order["email"] == "j***@example.com" and "jonas.weber" not in json.dumps(detail)


def test_an_unverified_order_number_is_not_shown(stack, handoff_store, agent_account: str) -> None:
    shopper = Shopper(stack, f"console-order-{uuid.uuid4().hex[:8]}")
    shopper.say("Where is my order? Can you check it for me?")
    shopper.say("KF-10034")
    shopper.say("wrong.person@example.com")  # not the order's e-mail: not verified
    shopper.say("/request_human")
    record = handoff_store.open_case_for(shopper.sender)
    agent = Agent(stack, agent_account)
    agent.call("POST", "/login", {"username": agent_account, "password": PASSWORD})
    assert agent.call("GET", f"/api/cases/{record.id}")[1]["order"] is None
