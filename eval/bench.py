"""Reply latency and throughput of Kefu (one or several Rasa instances) against a stock ``rasa init`` bot.

C shoppers run concurrently; each holds conversations of M messages (a new sender id each) one after another,
sending each message when the previous reply came, as many as needed for ``--min-requests`` samples a level. Each bot is
measured on fresh servers on free loopback ports, never two at the same time, at every level of C in turn.
With ``--instances 2`` Kefu runs two Rasa servers behind one action server on the shared PostgreSQL tracker
store and Redis lock store (``--shared-stores``); the load generator spreads the conversations over them, as a
load balancer that keeps a conversation on one instance would. Latencies and percentiles are over requests
answered with HTTP 200; throughput is those requests per second of measured wall time.

    .venv/bin/python eval/bench.py --conversations 1,20,50 --instances 1,2 --shared-stores

The last line printed is one JSON object: a row per bot and level, and the throughput of n instances over one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.serve import BIN, Stack, free_port, latest_model, wait_http  # noqa: E402

# Realistic shop questions in several languages (greetings, shipping, payment, returns, orders).
KEFU_MESSAGES: tuple[str, ...] = (
    "Hi there!",
    "How long does shipping to Canada take?",
    "寄到美国运费多少钱？有包邮吗",
    "¿Qué métodos de pago aceptan? ¿Puedo pagar con PayPal?",
    "Wie lange dauert der Versand nach Deutschland?",
    "返品はできますか？送料は誰が負担しますか？",
    "هل يمكنني إرجاع المنتج إذا لم يعجبني؟",
    "Do you accept Apple Pay or credit cards?",
    "退货政策是什么？可以退货吗",
    "Hola, ¿cuánto tarda el envío a México?",
    "Kann ich mit Rechnung oder Klarna bezahlen?",
    "こんにちは",
    "Where is my order? I ordered a week ago.",
    "你好，请问可以开发票吗？",
    "¿Cómo puedo devolver un producto defectuoso?",
    "Gibt es kostenlosen Versand ab einem bestimmten Betrag?",
    "كم تستغرق مدة الشحن إلى السعودية؟",
    "Can I change the shipping address after ordering?",
    "支払い方法は何がありますか？",
    "Thanks, bye!",
)

# Messages of the stock bot's own domain (greet, mood, affirm/deny, bot challenge, goodbye).
STOCK_MESSAGES: tuple[str, ...] = (
    "hi",
    "I am sad",
    "yes",
    "great",
    "bye",
    "hello there",
    "am I talking to a bot?",
    "I am feeling very good",
    "no",
    "good evening",
    "not really",
    "see you later",
)

ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false", "PYTHONIOENCODING": "utf-8"}


@dataclass
class Result:
    """What one bot did during the measured phase."""

    latencies_ms: list[float] = field(default_factory=list)  # requests answered with 200
    requests: int = 0  # requests sent and finished (any outcome)
    non_200: int = 0
    exceptions: int = 0  # connection errors, timeouts, invalid JSON
    empty: int = 0  # 200 with an empty list of bot messages
    wall_s: float = 0.0
    capped: bool = False  # the duration cap stopped new requests

    @property
    def errors(self) -> int:
        return self.non_200 + self.exceptions

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        return {
            "p50_ms": _round(percentile(lat, 50)),
            "p95_ms": _round(percentile(lat, 95)),
            "p99_ms": _round(percentile(lat, 99)),
            "mean_ms": _round(sum(lat) / len(lat) if lat else math.nan),
            "rps": _round(len(lat) / self.wall_s if self.wall_s > 0 else math.nan, 3),
            "requests": self.requests,
            "errors": self.errors,
            "non_200": self.non_200,
            "empty": self.empty,
            "wall_s": _round(self.wall_s, 2),
            "capped": self.capped,
        }


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (NumPy's default) of already sorted values; NaN when empty."""
    if not sorted_values:
        return math.nan
    pos = (len(sorted_values) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (pos - low)


def _round(value: float, digits: int = 1) -> float | None:
    return None if math.isnan(value) else round(value, digits)


async def _send(session: aiohttp.ClientSession, url: str, sender: str, text: str, result: Result | None) -> None:
    """POST one message; record its outcome in ``result`` (None: warm-up, not recorded)."""
    start = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as reply:
            body = await reply.json(content_type=None) if reply.status == 200 else await reply.read()
            elapsed_ms = (time.perf_counter() - start) * 1000
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        if result is not None:
            result.requests += 1
            result.exceptions += 1
        return
    if result is None:
        return
    result.requests += 1
    if reply.status != 200:
        result.non_200 += 1
    elif not isinstance(body, list):  # 200, but not a list of bot messages
        result.exceptions += 1
    else:
        result.latencies_ms.append(elapsed_ms)
        result.empty += not body


async def measure(
    base_urls: Sequence[str],
    messages: Sequence[str],
    conversations: int,
    per_conversation: int,
    rounds: int,
    warmup: int,
    cap_s: float,
    label: str,
) -> Result:
    """Warm every instance up, then run C concurrent shoppers (shopper i on instance i mod n), each holding
    ``rounds`` conversations of ``per_conversation`` messages one after another, and collect the latencies."""
    urls = [f"{base}/webhooks/rest/webhook" for base in base_urls]
    run_id = f"{label}-{os.getpid()}-{time.time_ns()}"
    result = Result()
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=conversations + len(urls))
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        for url in urls:
            for i in range(warmup):
                await _send(session, url, f"{run_id}-warmup", messages[i % len(messages)], None)
        start = time.perf_counter()

        async def conversation(index: int) -> None:
            for r in range(rounds):
                for j in range(per_conversation):
                    if time.perf_counter() - start >= cap_s:
                        result.capped = True
                        return
                    text = messages[((index + r) * per_conversation + j) % len(messages)]
                    await _send(session, urls[index % len(urls)], f"{run_id}-c{index}-r{r}", text, result)

        await asyncio.gather(*(conversation(i) for i in range(conversations)))
        result.wall_s = time.perf_counter() - start
    return result


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _spawn(args: list[str], cwd: Path, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        args, cwd=cwd, env={**os.environ, **ENV}, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def ensure_stock_bot(folder: Path, log_dir: Path) -> None:
    """Create and train a stock bot with ``rasa init --no-prompt`` unless ``folder/models`` has a model."""
    if any((folder / "models").glob("*.tar.gz")):
        return
    folder.mkdir(parents=True, exist_ok=True)
    log = log_dir / "stock-init.log"
    print(f"Creating and training the stock bot in {folder} (log: {log}) ...", flush=True)
    process = _spawn([str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(folder)], folder, log)
    try:
        code = process.wait()
    finally:
        _stop(process)
    if code != 0 or not any((folder / "models").glob("*.tar.gz")):
        raise RuntimeError(f"`rasa init` failed with {code}; see {log}")


@contextmanager
def stock_server(folder: Path, log_dir: Path, timeout: float = 240) -> Iterator[str]:
    """Serve the stock bot on a free loopback port (no action server); yield its URL."""
    port = free_port()
    log = log_dir / "stock-rasa.log"
    process = _spawn([str(BIN / "rasa"), "run", "--enable-api", "-p", str(port), "-i", "127.0.0.1"], folder, log)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/status", process, timeout, log)
        yield url
    finally:
        _stop(process)


@contextmanager
def kefu_server(model: Path | None, log_dir: Path, instances: int,
                stores: dict[str, str] | None) -> Iterator[list[str]]:
    """Start Kefu's action server and ``instances`` Rasa servers on free loopback ports; yield their URLs.
    ``stores``: the shared PostgreSQL / Redis environment; None: the embedded SQLite defaults."""
    folder = Path(tempfile.mkdtemp(prefix=f"kefu-x{instances}-", dir=log_dir))
    stack = Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        model=model or latest_model(),
        tracker_db=str(folder / "kefu-tracker.db"),
        log_dir=folder,
        env=stores or {"KEFU_DATABASE_URL": f"sqlite:///{folder / 'kefu-handoff.db'}"},
        instances=instances,
    )
    stack.start()
    try:
        yield stack.urls
    finally:
        stack.stop()


def print_table(rows: list[dict[str, Any]]) -> None:
    """Print every bot's figures at every level as an aligned text table."""
    columns = ("p50_ms", "p95_ms", "p99_ms", "mean_ms", "rps", "requests", "errors", "empty", "wall_s")
    print(f"\n{'bot':<10}{'C':>4}" + "".join(f"{c:>10}" for c in columns))
    for row in rows:
        cells = "".join(f"{'-' if row.get(c) is None else row[c]:>10}" for c in columns)
        print(f"{row['bot']:<10}{row['conversations']:>4}{cells}" + ("  (duration cap hit)" if row["capped"] else ""))
    print(flush=True)


def levels(text: str) -> list[int]:
    values = [int(v) for v in text.split(",") if v.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("a comma-separated list of positive integers, e.g. 1,20,50")
    return values


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=levels, default=[8], help="concurrent shoppers C: 1,20,50")
    parser.add_argument("--messages", type=int, default=5, help="messages per conversation M (default 5)")
    parser.add_argument("--min-requests", type=int, default=60, help="requests per level at least (default 60)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests per instance first (default 3)")
    parser.add_argument("--instances", type=levels, default=[1], help="Kefu Rasa instances: 1 or 1,2 (default 1)")
    parser.add_argument("--shared-stores", action="store_true",
                        help="PostgreSQL tracker/handoff store + Redis lock store (needed for several instances)")
    parser.add_argument("--postgres-url", default=os.environ.get("KEFU_TRACKER_STORE_URL",
                                                                 "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--redis-url", default=os.environ.get("KEFU_LOCK_STORE_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--kefu-url", help="measure an already running Kefu instead of starting one")
    parser.add_argument("--model", type=Path, help="Kefu model to serve (default: newest in models/)")
    parser.add_argument(
        "--stock-dir",
        type=Path,
        default=Path("/tmp/kefu-bench-stock"),
        help="stock `rasa init` bot; created and trained when it has no model",
    )
    parser.add_argument("--skip-stock", action="store_true", help="measure Kefu only")
    parser.add_argument("--skip-kefu", action="store_true", help="measure the stock bot only")
    parser.add_argument("--duration-cap", type=float, default=300, help="stop sending after S seconds per level")
    args = parser.parse_args(argv)
    if args.messages < 1:
        parser.error("--messages must be at least 1")
    if args.skip_kefu and args.skip_stock:
        parser.error("nothing to measure")
    if max(args.instances) > 1 and not args.shared_stores:
        parser.error("several instances must share their stores: add --shared-stores")
    stores = ({"KEFU_TRACKER_STORE_URL": args.postgres_url, "KEFU_LOCK_STORE_URL": args.redis_url,
               "KEFU_DATABASE_URL": args.postgres_url} if args.shared_stores else None)

    # Ctrl-C and SIGTERM unwind through the ``with`` blocks below, so every server started is stopped.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    log_dir = Path(tempfile.mkdtemp(prefix="kefu-bench-"))
    print(f"Server logs: {log_dir}", flush=True)
    rows: list[dict[str, Any]] = []

    def run_levels(bot: str, urls: list[str], messages: Sequence[str]) -> None:
        for c in args.conversations:
            rounds = max(1, math.ceil(args.min_requests / (c * args.messages)))
            print(f"Measuring {bot} at C={c} ({rounds} conversation(s) of {args.messages} messages each) ...",
                  flush=True)
            result = asyncio.run(measure(urls, messages, c, args.messages, rounds, args.warmup, args.duration_cap,
                                         label=bot))
            rows.append({"bot": bot, "conversations": c, **result.summary()})

    if not args.skip_kefu:
        if args.kefu_url:
            run_levels("kefu", [args.kefu_url.rstrip("/")], KEFU_MESSAGES)
        for n in [] if args.kefu_url else args.instances:
            print(f"Starting Kefu with {n} Rasa instance(s) ...", flush=True)
            with kefu_server(args.model, log_dir, n, stores) as urls:
                run_levels(f"kefu-x{n}", urls, KEFU_MESSAGES)

    if not args.skip_stock:
        ensure_stock_bot(args.stock_dir.resolve(), log_dir)
        print("Starting the stock bot ...", flush=True)
        with stock_server(args.stock_dir.resolve(), log_dir) as url:
            run_levels("stock", [url], STOCK_MESSAGES)

    print_table(rows)
    rps = {(r["bot"], r["conversations"]): r["rps"] for r in rows}
    scaling = {
        f"kefu-x{n}/kefu-x1@C={c}": round(rps[(f"kefu-x{n}", c)] / rps[("kefu-x1", c)], 2)
        for n in args.instances if n > 1 for c in args.conversations
        if rps.get((f"kefu-x{n}", c)) and rps.get(("kefu-x1", c))
    }
    keys = ("bot", "conversations", "p50_ms", "p95_ms", "p99_ms", "mean_ms", "rps", "requests", "errors", "empty")
    print(json.dumps({"shared_stores": args.shared_stores, "rows": [{k: r[k] for k in keys} for r in rows],
                      "scaling": scaling}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("Interrupted; the servers it started are stopped.", file=sys.stderr)
        sys.exit(130)
