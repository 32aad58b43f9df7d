"""Handoff records: the cases human agents work on, in a SQL database (SQLite by default, PostgreSQL by URL).

One record per open case and conversation. A repeat complaint in the same conversation raises the record's
priority and contact count instead of opening a second ticket. First-contact responsibility: a shopper with an
open or recent case is routed to the agent who handled it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from sqlalchemy import Column, DateTime, Float, Integer, String, Text, create_engine, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, sessionmaker

from bot import sqlite_tuning

sqlite_tuning.install()  # WAL: the Rasa server, the action server and the console share the SQLite file
Base = declarative_base()

WAITING, ASSIGNED, RESOLVED = "waiting", "assigned", "resolved"
OPEN_STATES = (WAITING, ASSIGNED)
RECENT = timedelta(days=7)  # "recent case" for first-contact responsibility


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Handoff(Base):
    __tablename__ = "kefu_handoffs"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(64), nullable=False)
    shopper_id = Column(String(255), nullable=False, index=True)
    language = Column(String(16), nullable=False)
    category = Column(String(64), nullable=False)
    complaint_score = Column(Float, nullable=False, default=0.0)
    priority = Column(Integer, nullable=False)  # higher = more urgent
    contacts = Column(Integer, nullable=False, default=1)
    status = Column(String(16), nullable=False, index=True, default=WAITING)
    assigned_agent = Column(String(128))
    created_at = Column(DateTime(timezone=True), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)
    sla_due_at = Column(DateTime(timezone=True), nullable=False)
    resolved_at = Column(DateTime(timezone=True))
    resolution = Column(String(64))
    root_cause = Column(Text)
    transcript_json = Column(Text, nullable=False, default="[]")  # PII-redacted turns

    @property
    def transcript(self) -> list[dict[str, Any]]:
        return json.loads(self.transcript_json or "[]")

    def as_dict(self) -> dict[str, Any]:
        data = {c.name: getattr(self, c.name) for c in self.__table__.columns if c.name != "transcript_json"}
        for key, value in data.items():
            if isinstance(value, datetime):
                data[key] = _aware(value).isoformat()
        data["transcript"] = self.transcript
        return data


class HandoffNote(Base):
    """An agent's internal note on a case: never shown to the shopper."""

    __tablename__ = "kefu_handoff_notes"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, nullable=False, index=True)
    agent = Column(String(128), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)

    def as_dict(self) -> dict[str, Any]:
        return {"agent": self.agent, "text": self.text, "time": _aware(self.created_at).isoformat()}


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class CaseInput:
    conversation_id: str
    channel: str
    shopper_id: str
    language: str
    category: str
    complaint_score: float
    base_priority: int
    transcript: list[dict[str, Any]]


class HandoffStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(url, future=True, pool_pre_ping=True)
        Base.metadata.create_all(self.engine)
        self._session = sessionmaker(self.engine, expire_on_commit=False, future=True)

    def session(self) -> Session:
        return self._session()

    def open_case(self, case: CaseInput, sla: timedelta, now: datetime | None = None) -> tuple[Handoff, bool]:
        """Open a case, or escalate the conversation's open one. Returns (record, created)."""
        now = now or utcnow()
        with self.session() as session, session.begin():
            current = session.scalars(
                select(Handoff)
                .where(Handoff.conversation_id == case.conversation_id, Handoff.status.in_(OPEN_STATES))
                .order_by(Handoff.id.desc())
                .with_for_update()
            ).first()
            if current is not None:
                current.contacts += 1
                current.priority += 1
                current.complaint_score = max(current.complaint_score, case.complaint_score)
                if current.category == "human_request" and case.category != "human_request":
                    current.category = case.category
                current.transcript_json = json.dumps(case.transcript, ensure_ascii=False)
                current.updated_at = now
                return current, False
            previous = session.scalars(
                select(Handoff)
                .where(
                    Handoff.shopper_id == case.shopper_id,
                    Handoff.assigned_agent.is_not(None),
                    or_(Handoff.status.in_(OPEN_STATES), Handoff.updated_at >= now - RECENT),
                )
                .order_by(Handoff.updated_at.desc())
            ).first()
            record = Handoff(
                conversation_id=case.conversation_id,
                channel=case.channel,
                shopper_id=case.shopper_id,
                language=case.language,
                category=case.category,
                complaint_score=case.complaint_score,
                priority=case.base_priority,
                contacts=1,
                status=ASSIGNED if previous else WAITING,
                assigned_agent=previous.assigned_agent if previous else None,
                created_at=now,
                updated_at=now,
                sla_due_at=now + sla,
                transcript_json=json.dumps(case.transcript, ensure_ascii=False),
            )
            session.add(record)
        return record, True

    def append_turns(self, conversation_id: str, transcript: list[dict[str, Any]]) -> Handoff | None:
        """Replace the open case's transcript with a newer (longer) one: messages sent while an agent owns it."""
        with self.session() as session, session.begin():
            record = self._open(session, conversation_id)
            if record is not None:
                record.transcript_json = json.dumps(transcript, ensure_ascii=False)
                record.updated_at = utcnow()
            return record

    def escalate(self, conversation_id: str) -> Handoff | None:
        with self.session() as session, session.begin():
            record = self._open(session, conversation_id)
            if record is not None:
                record.contacts += 1
                record.priority += 1
                record.updated_at = utcnow()
            return record

    @staticmethod
    def _open(session: Session, conversation_id: str) -> Handoff | None:
        return session.scalars(
            select(Handoff)
            .where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN_STATES))
            .order_by(Handoff.id.desc())
        ).first()

    def open_case_for(self, conversation_id: str) -> Handoff | None:
        with self.session() as session:
            return self._open(session, conversation_id)

    def get(self, handoff_id: int) -> Handoff | None:
        with self.session() as session:
            return session.get(Handoff, handoff_id)

    def queue(self, status: str | None = None, agent: str | None = None) -> list[Handoff]:
        """Cases by urgency: priority first, then the earliest SLA due time."""
        with self.session() as session:
            query = select(Handoff)
            if status:
                query = query.where(Handoff.status == status)
            if agent:
                query = query.where(Handoff.assigned_agent == agent)
            return list(session.scalars(query.order_by(Handoff.priority.desc(), Handoff.sla_due_at.asc())))

    def assign(self, handoff_id: int, agent: str) -> Handoff | None:
        with self.session() as session, session.begin():
            record = session.get(Handoff, handoff_id)
            if record is not None and record.status in OPEN_STATES:
                record.status, record.assigned_agent, record.updated_at = ASSIGNED, agent, utcnow()
            return record

    def add_note(self, handoff_id: int, agent: str, text: str) -> HandoffNote:
        with self.session() as session, session.begin():
            note = HandoffNote(handoff_id=handoff_id, agent=agent, text=text, created_at=utcnow())
            session.add(note)
        return note

    def notes(self, handoff_id: int) -> list[HandoffNote]:
        with self.session() as session:
            return list(session.scalars(
                select(HandoffNote).where(HandoffNote.handoff_id == handoff_id).order_by(HandoffNote.id)))

    def created_between(self, start: datetime, end: datetime) -> list[Handoff]:
        with self.session() as session:
            return list(session.scalars(
                select(Handoff).where(Handoff.created_at >= start, Handoff.created_at < end).order_by(Handoff.id)))

    def resolve(self, handoff_id: int, resolution: str, root_cause: str = "") -> Handoff | None:
        with self.session() as session, session.begin():
            record = session.get(Handoff, handoff_id)
            if record is not None:
                now = utcnow()
                record.status, record.resolution, record.root_cause = RESOLVED, resolution, root_cause
                record.resolved_at = record.updated_at = now
            return record


@lru_cache(maxsize=4)
def get_store(url: str | None = None) -> HandoffStore:
    from bot.settings import get_settings

    return HandoffStore(url or get_settings().database_url)
