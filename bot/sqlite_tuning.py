"""SQLite settings for every SQLAlchemy engine of a Kefu process (Rasa's tracker store, the handoff store, the
orders database), applied when a connection opens:

* ``journal_mode=WAL``: readers do not block the writer, and the Rasa server, the action server and the agent
  console open the same files at once;
* ``synchronous=NORMAL``: no fsync per commit (the Rasa server commits twice per message; the fsyncs were a
  tenth of its time per message). With WAL the database stays consistent; a power cut may lose the last
  commits, a crashed process loses nothing.

PostgreSQL and other databases are left alone.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

_INSTALLED = False


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")  # a no-op for in-memory databases
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()


def install() -> None:
    global _INSTALLED
    if not _INSTALLED:
        event.listen(Engine, "connect", _on_connect)
        _INSTALLED = True
