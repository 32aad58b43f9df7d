"""The PostgreSQL and Redis servers the multi-instance tests share: found on this machine, started when they are
installed but stopped, or the tests skip with the reason (a laptop without them still runs everything else).

``KEFU_TEST_POSTGRES_URL`` / ``KEFU_TEST_REDIS_URL`` point the tests at other servers.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
import urllib.parse

POSTGRES_URL = os.environ.get("KEFU_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("KEFU_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _listening(url: str, default_port: int) -> bool:
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def _start_postgres() -> None:
    if not shutil.which("pg_ctlcluster"):
        return
    for version in sorted(os.path.basename(p) for p in glob.glob("/etc/postgresql/*")):
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                       capture_output=True, timeout=60, check=False)


def _start_redis() -> None:
    if shutil.which("redis-server"):
        subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",
                        "--save", "", "--appendonly", "no"], capture_output=True, timeout=30, check=False)


def _ensure(name: str, url: str, port: int, start) -> str | None:  # noqa: ANN001
    """None when the server answers (after starting it if needed), else why not."""
    if _listening(url, port):
        return None
    local = urllib.parse.urlsplit(url).hostname in ("127.0.0.1", "localhost")
    if local:
        try:
            start()
        except (OSError, subprocess.SubprocessError):
            pass
        for _ in range(20):
            if _listening(url, port):
                return None
            time.sleep(0.5)
    return f"{name} is not running at {url} and could not be started here"


def shared_stores_or_reason() -> tuple[dict[str, str] | None, str | None]:
    """The environment that points Kefu at the shared stores, or why they are not available."""
    reasons = [r for r in (_ensure("PostgreSQL", POSTGRES_URL, 5432, _start_postgres),
                           _ensure("Redis", REDIS_URL, 6379, _start_redis)) if r]
    if reasons:
        return None, "; ".join(reasons)
    return {"KEFU_TRACKER_STORE_URL": POSTGRES_URL, "KEFU_LOCK_STORE_URL": REDIS_URL,
            "KEFU_DATABASE_URL": POSTGRES_URL}, None
