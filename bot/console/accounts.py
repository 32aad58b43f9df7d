"""Agent accounts and login sessions, in the same SQL database as the handoff cases.

Passwords are hashed with Argon2id (argon2-cffi). A session is a random token in an HttpOnly cookie; only its
SHA-256 is stored, so a leaked database does not let anyone log in.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import secrets
import sys
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Column, DateTime, String, select

from bot.handoff.store import Base, HandoffStore, get_store, utcnow

SESSION_HOURS = 12
HASHER = PasswordHasher()


class AgentAccount(Base):
    __tablename__ = "kefu_agents"

    username = Column(String(64), primary_key=True)
    display_name = Column(String(128), nullable=False)
    password_hash = Column(String(255), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)


class AgentSession(Base):
    __tablename__ = "kefu_agent_sessions"

    token_sha256 = Column(String(64), primary_key=True)
    username = Column(String(64), nullable=False, index=True)
    expires_at = Column(DateTime(timezone=True), nullable=False)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    def __init__(self, store: HandoffStore | None = None) -> None:
        self.store = store or get_store()
        Base.metadata.create_all(self.store.engine)

    def create(self, username: str, password: str, display_name: str = "") -> None:
        if len(password) < 8:
            raise ValueError("a password needs at least 8 characters")
        with self.store.session() as session, session.begin():
            account = session.get(AgentAccount, username)
            if account is None:
                account = AgentAccount(username=username, created_at=utcnow())
                session.add(account)
            account.display_name = display_name or username
            account.password_hash = HASHER.hash(password)

    def check(self, username: str, password: str) -> bool:
        with self.store.session() as session:
            account = session.get(AgentAccount, username)
            try:
                # hash a dummy when the user is unknown so both cases take the same time
                return HASHER.verify(account.password_hash if account else _DUMMY, password) and account is not None
            except (VerificationError, InvalidHashError):
                return False

    def login(self, username: str, password: str) -> str | None:
        if not self.check(username, password):
            return None
        token = secrets.token_urlsafe(32)
        with self.store.session() as session, session.begin():
            session.add(AgentSession(token_sha256=_digest(token), username=username,
                                     expires_at=utcnow() + timedelta(hours=SESSION_HOURS)))
        return token

    def user_for(self, token: str | None) -> str | None:
        if not token:
            return None
        with self.store.session() as session:
            found = session.get(AgentSession, _digest(token))
            if found is None:
                return None
            expires = found.expires_at if found.expires_at.tzinfo else found.expires_at.replace(tzinfo=timezone.utc)
            return found.username if expires > datetime.now(timezone.utc) else None

    def logout(self, token: str | None) -> None:
        if not token:
            return
        with self.store.session() as session, session.begin():
            found = session.get(AgentSession, _digest(token))
            if found is not None:
                session.delete(found)

    def usernames(self) -> list[str]:
        with self.store.session() as session:
            return list(session.scalars(select(AgentAccount.username)))


_DUMMY = HASHER.hash("not-a-real-password")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("username")
    parser.add_argument("--name", default="", help="display name shown to colleagues")
    parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")


def run(args: argparse.Namespace) -> int:
    """``python -m bot agents add USERNAME``: create an agent account (or reset its password)."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat: ") != password:
            print("passwords differ", file=sys.stderr)
            return 1
    try:
        Accounts().create(args.username, password, args.name)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"agent '{args.username}' can now log in at /webhooks/console/")
    return 0
