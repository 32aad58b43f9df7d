"""The agent console, served by the Rasa server under ``/webhooks/console/`` (started by ``make run``).

Pages and a JSON API for human agents: log in, see the queue (waiting / mine / all, by priority and SLA),
read a handed-off conversation (the live tracker: every turn with its time, language, FAQ matches and
complaint score), claim it, reply (delivered on the shopper's own channel), add internal notes, resolve
with a category and root cause, hand back to the bot, export transcripts. Every route but the login page
refuses anonymous requests (401 for the API, a redirect for pages).

Agent replies and hand-backs are appended to the Rasa tracker the way Rasa's own
``POST /conversations/<id>/tracker/events?output_channel=latest`` does, under the conversation lock.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel
from rasa.shared.core.events import BotUttered, Event, SlotSet
from sanic import Blueprint, response
from sanic.request import Request

from bot.console.accounts import SESSION_HOURS, Accounts
from bot.console.orders import verified_order
from bot.handoff.constants import HANDOFF_SLOT
from bot.handoff.store import ASSIGNED, OPEN_STATES, RESOLVED, WAITING, Handoff, get_store, utcnow
from bot.handoff.transcript import build_transcript
from bot.responses import get_phrasebook

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
COOKIE = "kefu_agent"
MAX_REPLY_CHARS = 2000
RESOLUTIONS = ("refund", "replacement", "explained", "delivered_late", "carrier_claim", "no_action", "other")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def case_summary(record: Handoff, now: datetime) -> dict[str, Any]:
    created, due = _aware(record.created_at), _aware(record.sla_due_at)
    return {
        "id": record.id,
        "conversation_id": record.conversation_id,
        "channel": record.channel,
        "language": record.language,
        "category": record.category,
        "priority": record.priority,
        "contacts": record.contacts,
        "status": record.status,
        "assigned_agent": record.assigned_agent,
        "complaint_score": record.complaint_score,
        "created_at": created.isoformat(),
        "sla_due_at": due.isoformat(),
        "waiting_minutes": int((now - created).total_seconds() // 60),
        "overdue": record.status != RESOLVED and now > due,
    }


async def deliver(request: Request, conversation_id: str, events: list[Event]) -> None:
    """Append events to the conversation and send its bot messages on the shopper's latest channel."""
    agent = request.app.ctx.agent
    async with agent.lock_store.lock(conversation_id):
        processor = agent.processor
        tracker = await processor.fetch_tracker_with_initial_session(conversation_id)
        for event in events:
            tracker.update(event, agent.domain)
        latest = tracker.get_latest_input_channel()
        output: OutputChannel | None = None
        for channel in getattr(request.app.ctx, "input_channels", None) or []:
            if channel.name() == latest:
                output = channel.get_output_channel()
        await processor.execute_side_effects(events, tracker, output or CollectingOutputChannel())
        await agent.tracker_store.save(tracker)


class AgentConsole(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "console"

    def blueprint(self, on_new_message):  # type: ignore[no-untyped-def]
        console = Blueprint("kefu_agent_console", __name__)
        accounts = Accounts()
        store = get_store()

        def agent_of(request: Request) -> str | None:
            return accounts.user_for(request.cookies.get(COOKIE))

        def unauthorized() -> response.HTTPResponse:
            return response.json({"error": "unauthorized", "message": "log in at /webhooks/console/login"},
                                 status=401)

        def body(request: Request) -> dict[str, Any]:
            try:
                data = json.loads(request.body or b"{}")
            except ValueError:
                return {}
            return data if isinstance(data, dict) else {}

        def page(name: str) -> response.HTTPResponse:
            return response.html((WEB_DIR / name).read_text(encoding="utf-8"))

        @console.route("/", methods=["GET"])
        async def index(request: Request) -> response.HTTPResponse:
            if not agent_of(request):
                return response.redirect("/webhooks/console/login")
            return page("console.html")

        @console.route("/login", methods=["GET"])
        async def login_page(request: Request) -> response.HTTPResponse:
            return page("console-login.html")

        @console.route("/login", methods=["POST"])
        async def login(request: Request) -> response.HTTPResponse:
            form = request.form if request.form else body(request)

            def field(key: str) -> str:
                value = form.get(key, "")
                return value[0] if isinstance(value, list) else value

            token = accounts.login(field("username"), field("password"))
            if token is None:
                if request.form:
                    return response.redirect("/webhooks/console/login?failed=1")
                return response.json({"error": "invalid credentials"}, status=401)
            reply = response.redirect("/webhooks/console/") if request.form else response.json({"ok": True})
            reply.cookies[COOKIE] = token
            reply.cookies[COOKIE]["httponly"] = True
            reply.cookies[COOKIE]["samesite"] = "Strict"
            reply.cookies[COOKIE]["path"] = "/webhooks/console"
            reply.cookies[COOKIE]["max-age"] = SESSION_HOURS * 3600
            return reply

        @console.route("/logout", methods=["POST"])
        async def logout(request: Request) -> response.HTTPResponse:
            accounts.logout(request.cookies.get(COOKIE))
            reply = response.json({"ok": True})
            del reply.cookies[COOKIE]
            return reply

        @console.route("/api/me", methods=["GET"])
        async def me(request: Request) -> response.HTTPResponse:
            agent = agent_of(request)
            return response.json({"agent": agent}) if agent else unauthorized()

        @console.route("/api/queue", methods=["GET"])
        async def queue(request: Request) -> response.HTTPResponse:
            agent = agent_of(request)
            if not agent:
                return unauthorized()
            view = request.args.get("view", "waiting")
            if view == "waiting":
                records = store.queue(status=WAITING)
            elif view == "mine":
                records = [r for r in store.queue(agent=agent) if r.status in OPEN_STATES]
            else:
                records = store.queue()
            now = utcnow()
            return response.json({"view": view, "cases": [case_summary(r, now) for r in records]})

        async def case_or_404(request: Request, case_id: int) -> tuple[str | None, Handoff | None]:
            return agent_of(request), store.get(case_id)

        @console.route("/api/cases/<case_id:int>", methods=["GET"])
        async def case(request: Request, case_id: int) -> response.HTTPResponse:
            agent, record = await case_or_404(request, case_id)
            if not agent:
                return unauthorized()
            if record is None:
                return response.json({"error": "not found"}, status=404)
            tracker = await request.app.ctx.agent.tracker_store.retrieve(record.conversation_id)
            events = [e.as_dict() for e in tracker.events] if tracker else []
            transcript = build_transcript(events) if events else record.transcript
            return response.json({
                **case_summary(record, utcnow()),
                "transcript": transcript,
                "notes": [n.as_dict() for n in store.notes(record.id)],
                "order": await verified_order(tracker),
                "resolution": record.resolution,
                "root_cause": record.root_cause,
            })

        @console.route("/api/cases/<case_id:int>/claim", methods=["POST"])
        async def claim(request: Request, case_id: int) -> response.HTTPResponse:
            agent, record = await case_or_404(request, case_id)
            if not agent:
                return unauthorized()
            if record is None or record.status not in OPEN_STATES:
                return response.json({"error": "no open case with this id"}, status=404)
            if record.status == ASSIGNED and record.assigned_agent not in (None, agent):
                return response.json({"error": f"already claimed by {record.assigned_agent}"}, status=409)
            store.assign(case_id, agent)
            return response.json({"ok": True, "assigned_agent": agent})

        @console.route("/api/cases/<case_id:int>/reply", methods=["POST"])
        async def reply(request: Request, case_id: int) -> response.HTTPResponse:
            agent, record = await case_or_404(request, case_id)
            if not agent:
                return unauthorized()
            text = str(body(request).get("text", "")).strip()
            if record is None or record.status not in OPEN_STATES:
                return response.json({"error": "no open case with this id"}, status=404)
            if not text or len(text) > MAX_REPLY_CHARS:
                return response.json({"error": f"a reply needs 1-{MAX_REPLY_CHARS} characters"}, status=400)
            if record.assigned_agent != agent:
                store.assign(case_id, agent)
            await deliver(request, record.conversation_id, [BotUttered(text, metadata={"agent": agent})])
            return response.json({"ok": True})

        @console.route("/api/cases/<case_id:int>/note", methods=["POST"])
        async def note(request: Request, case_id: int) -> response.HTTPResponse:
            agent, record = await case_or_404(request, case_id)
            if not agent:
                return unauthorized()
            text = str(body(request).get("text", "")).strip()
            if record is None or not text:
                return response.json({"error": "a note needs a case and some text"}, status=400)
            store.add_note(case_id, agent, text[:MAX_REPLY_CHARS])
            return response.json({"ok": True})

        async def close(request: Request, case_id: int, resolution: str, root_cause: str) -> response.HTTPResponse:
            agent, record = await case_or_404(request, case_id)
            if not agent:
                return unauthorized()
            if record is None or record.status not in OPEN_STATES:
                return response.json({"error": "no open case with this id"}, status=404)
            phrase = get_phrasebook().say("bot_resumed", record.language)
            await deliver(request, record.conversation_id, [SlotSet(HANDOFF_SLOT, False), BotUttered(phrase)])
            store.resolve(case_id, resolution, root_cause)
            return response.json({"ok": True, "status": RESOLVED})

        @console.route("/api/cases/<case_id:int>/resolve", methods=["POST"])
        async def resolve(request: Request, case_id: int) -> response.HTTPResponse:
            data = body(request)
            resolution = str(data.get("resolution", ""))
            if resolution not in RESOLUTIONS:
                if not agent_of(request):
                    return unauthorized()
                return response.json({"error": f"resolution must be one of {', '.join(RESOLUTIONS)}"}, status=400)
            return await close(request, case_id, resolution, str(data.get("root_cause", ""))[:1000])

        @console.route("/api/cases/<case_id:int>/handback", methods=["POST"])
        async def handback(request: Request, case_id: int) -> response.HTTPResponse:
            return await close(request, case_id, "handed_back", str(body(request).get("root_cause", ""))[:1000])

        @console.route("/api/export", methods=["GET"])
        async def export(request: Request) -> response.HTTPResponse:
            if not agent_of(request):
                return unauthorized()
            try:
                start = datetime.fromisoformat(request.args.get("from", "1970-01-01")).replace(tzinfo=timezone.utc)
                end = datetime.fromisoformat(request.args["to"]).replace(tzinfo=timezone.utc) + timedelta(days=1) \
                    if "to" in request.args else utcnow() + timedelta(days=1)
            except ValueError:
                return response.json({"error": "from / to must be dates like 2026-11-22"}, status=400)
            records = [r.as_dict() for r in store.created_between(start, end)]
            if request.args.get("format", "jsonl") == "csv":
                out = io.StringIO()
                columns = ["id", "conversation_id", "channel", "language", "category", "priority", "status",
                           "assigned_agent", "created_at", "resolved_at", "resolution", "root_cause", "transcript"]
                writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
                writer.writeheader()
                for r in records:
                    writer.writerow({**r, "transcript": json.dumps(r["transcript"], ensure_ascii=False)})
                return response.text(out.getvalue(), content_type="text/csv; charset=utf-8",
                                     headers={"Content-Disposition": "attachment; filename=kefu-transcripts.csv"})
            lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            return response.text(lines, content_type="application/x-ndjson; charset=utf-8",
                                 headers={"Content-Disposition": "attachment; filename=kefu-transcripts.jsonl"})

        return console
