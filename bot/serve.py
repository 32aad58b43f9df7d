"""Start Kefu: the rasa-sdk action server and the Rasa server, wait until both answer, print where to chat.

The same ``Stack`` starts the real servers for the integration tests and the benchmark, so what is tested is
what ``make run`` serves.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.settings import PROJECT_ROOT, get_settings

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def latest_model(models_dir: Path | None = None) -> Path:
    models = sorted((models_dir or get_settings().models_dir).glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise FileNotFoundError("no trained model in models/: run `make train`")
    return models[-1]


def store_endpoints(environ: dict[str, str]) -> dict[str, dict]:
    """Tracker / lock store settings selected by environment (several Rasa instances share them).

    ``KEFU_TRACKER_STORE_URL=postgresql://user:pw@host:5432/db`` -> Rasa's SQL tracker store on PostgreSQL;
    ``KEFU_LOCK_STORE_URL=redis://host:6379/1`` -> a Redis lock store (``bot.lock_store``).
    Unset: endpoints.yml's defaults.
    """
    stores: dict[str, dict] = {}
    tracker = environ.get("KEFU_TRACKER_STORE_URL")
    if tracker:
        url = urllib.parse.urlsplit(tracker)
        stores["tracker_store"] = {
            "type": "SQL",
            "dialect": "postgresql" if url.scheme.startswith("postgres") else url.scheme,
            "url": url.hostname or "127.0.0.1",
            "port": url.port or 5432,
            "db": url.path.lstrip("/") or "rasa",
            "username": urllib.parse.unquote(url.username or ""),
            "password": urllib.parse.unquote(url.password or ""),
        }
    lock = environ.get("KEFU_LOCK_STORE_URL")
    if lock:
        url = urllib.parse.urlsplit(lock)
        stores["lock_store"] = {
            "type": "bot.lock_store.AtomicRedisLockStore",  # Rasa's, with atomic lock changes (see its docstring)
            "url": url.hostname or "127.0.0.1",
            "port": url.port or 6379,
            "db": int(url.path.lstrip("/") or 0),
            "password": urllib.parse.unquote(url.password) if url.password else None,
        }
    return stores


def wait_http(url: str, process: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s; see {log}")


@dataclass
class Stack:
    """The action server and one or more Rasa servers on loopback ports, as child processes.

    Several instances (``instances > 1``) share the action server and must share their tracker and lock stores
    (``KEFU_TRACKER_STORE_URL`` / ``KEFU_LOCK_STORE_URL``): the first is started alone so that it creates the
    database tables, then the others together.
    """

    rasa_port: int = 5005
    action_port: int = 5055
    model: Path | None = None
    tracker_db: str | None = None  # SQLite file; None keeps endpoints.yml's tracker store
    endpoints: dict | None = None  # a whole endpoints config instead of endpoints.yml
    channels: dict | None = None  # extra channels, added to credentials.yml's (e.g. DM connectors in tests)
    log_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="kefu-logs-")))
    env: dict[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"
    instances: int = 1
    extra_ports: list[int] = field(default_factory=list)  # the ports of instances 2..n (free ones by default)
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def urls(self) -> list[str]:
        """Every Rasa instance's URL, the first one's first."""
        return [self.url] + [f"http://{self.host}:{port}" for port in self.extra_ports]

    @property
    def action_url(self) -> str:
        return f"http://{self.host}:{self.action_port}"

    def _endpoints_file(self) -> Path:
        config = self.endpoints or yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
        config["action_endpoint"] = {"url": f"{self.action_url}/webhook"}
        if self.tracker_db:
            config["tracker_store"] = {"type": "SQL", "dialect": "sqlite", "db": self.tracker_db}
        config.update(store_endpoints({**os.environ, **self.env}))
        path = self.log_dir / "endpoints.yml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        return path

    def _credentials_file(self) -> Path:
        if not self.channels:
            return PROJECT_ROOT / "credentials.yml"
        config = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text(encoding="utf-8")) or {}
        config.update(self.channels)
        path = self.log_dir / "credentials.yml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        return path

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = self.log_dir / f"{name}.log"
        # rasa-sdk takes its interface from SANIC_HOST. Rasa opens a new connection for every action call; under
        # load its event loop can be busy for seconds between connecting and sending, and Sanic's default 5 s
        # keep-alive timeout then closes the idle new connection ("Cannot write to closing transport": a lost
        # reply). A longer timeout keeps it; the connection is closed by Rasa right after the call anyway.
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false",
               "SANIC_HOST": self.host, "SANIC_KEEP_ALIVE_TIMEOUT": "120", **self.env}
        process = subprocess.Popen(
            args,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def _spawn_rasa(self, name: str, port: int, model: Path, endpoints: Path, credentials: Path) -> subprocess.Popen:
        return self._spawn(
            name,
            [str(BIN / "rasa"), "run", "-m", str(model), "--enable-api", "--cors", "*",
             "-i", self.host, "-p", str(port), "--endpoints", str(endpoints), "--credentials", str(credentials)],
        )

    def start(self, timeout: float = 240) -> Stack:
        model = self.model or latest_model()
        endpoints, credentials = self._endpoints_file(), self._credentials_file()
        while len(self.extra_ports) < self.instances - 1:
            self.extra_ports.append(free_port())
        try:
            actions = self._spawn(
                "actions",
                [str(BIN / "python"), "-m", "rasa_sdk", "--actions", "actions", "-p", str(self.action_port)],
            )
            rasa = self._spawn_rasa("rasa", self.rasa_port, model, endpoints, credentials)
            wait_http(f"{self.action_url}/health", actions, timeout, self.log_dir / "actions.log")
            wait_http(f"{self.url}/status", rasa, timeout, self.log_dir / "rasa.log")
            others = [(f"rasa-{i + 2}", port, self._spawn_rasa(f"rasa-{i + 2}", port, model, endpoints, credentials))
                      for i, port in enumerate(self.extra_ports)]
            for name, port, process in others:
                wait_http(f"http://{self.host}:{port}/status", process, timeout, self.log_dir / f"{name}.log")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--action-port", type=int, default=5055)
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (0.0.0.0 for a LAN)")
    parser.add_argument("--model", type=Path, default=None, help="trained model (default: newest in models/)")


def run(args: argparse.Namespace) -> int:
    stack = Stack(rasa_port=args.rasa_port, action_port=args.action_port, model=args.model, host=args.host,
                  log_dir=PROJECT_ROOT / ".rasa" / "logs")
    stack.log_dir.mkdir(parents=True, exist_ok=True)
    print(f"Starting Kefu (logs in {stack.log_dir}) ...", flush=True)
    stack.start()
    print(
        f"\nKefu is running.\n"
        f"  Demo chat page:  {stack.url}/webhooks/widget/\n"
        f"  REST webhook:    POST {stack.url}/webhooks/rest/webhook  {{\"sender\": \"me\", \"message\": \"hi\"}}\n"
        f"  Action server:   {stack.action_url}/health\n"
        f"Press Ctrl-C to stop.",
        flush=True,
    )
    try:
        while all(p.poll() is None for p in stack.processes):
            time.sleep(1)
        print("A server stopped; see the logs above.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()
