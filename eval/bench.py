"""Reply latency and throughput of Kefu against a stock ``rasa init`` bot, measured in the same run.

C conversations (one sender id each) run concurrently; each sends its M messages one after another, waiting
for every reply. Kefu and the stock bot are measured one after the other, never at the same time, each on
fresh servers on free loopback ports that are stopped afterwards. Latencies and percentiles are over the
requests answered with HTTP 200; throughput is those requests per second of measured wall time.

    .venv/bin/python eval/bench.py --conversations 8 --messages 5

The last line printed is one JSON object with both bots' figures and their ratio (Kefu / stock).
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
    base_url: str,
    messages: Sequence[str],
    conversations: int,
    per_conversation: int,
    warmup: int,
    cap_s: float,
    label: str,
) -> Result:
    """Warm the bot up, then run the concurrent conversations and collect their latencies."""
    url = f"{base_url}/webhooks/rest/webhook"
    run_id = f"{label}-{os.getpid()}-{int(time.time())}"
    result = Result()
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=conversations + 1)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        for i in range(warmup):
            await _send(session, url, f"{run_id}-warmup", messages[i % len(messages)], None)
        start = time.perf_counter()

        async def conversation(index: int) -> None:
            for j in range(per_conversation):
                if time.perf_counter() - start >= cap_s:
                    result.capped = True
                    return
                text = messages[(index * per_conversation + j) % len(messages)]
                await _send(session, url, f"{run_id}-c{index}", text, result)

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
def kefu_server(model: Path | None, log_dir: Path) -> Iterator[str]:
    """Start Kefu's action server and Rasa server on free loopback ports; yield the Rasa URL."""
    stack = Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        model=model or latest_model(),
        tracker_db=str(log_dir / "kefu-tracker.db"),
        log_dir=log_dir,
        env={"KEFU_DATABASE_URL": f"sqlite:///{log_dir / 'kefu-handoff.db'}"},
    )
    stack.start()
    try:
        yield stack.url
    finally:
        stack.stop()


def _ratio(kefu: dict[str, Any], stock: dict[str, Any], key: str) -> float | None:
    a, b = kefu.get(key), stock.get(key)
    return round(a / b, 2) if a is not None and b else None


def print_table(figures: dict[str, dict[str, Any] | None], ratio: dict[str, float | None] | None) -> None:
    """Print the figures of both bots (and the ratio) as an aligned text table."""
    columns = ("p50_ms", "p95_ms", "p99_ms", "mean_ms", "rps", "requests", "errors", "empty", "wall_s")
    rows = {name: row for name, row in figures.items() if row is not None}
    if ratio:
        rows["ratio"] = {"p50_ms": ratio["p50"], "p95_ms": ratio["p95"], "rps": ratio["rps"]}
    print(f"\n{'bot':<8}" + "".join(f"{c:>10}" for c in columns))
    for name, row in rows.items():
        cells = "".join(f"{'-' if row.get(c) is None else row[c]:>10}" for c in columns)
        note = "  (duration cap hit)" if row.get("capped") else "  (Kefu / stock)" if name == "ratio" else ""
        print(f"{name:<8}{cells}{note}")
    print(flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=8, help="concurrent conversations C (default 8)")
    parser.add_argument("--messages", type=int, default=5, help="messages per conversation M (default 5)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests per bot first (default 3)")
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
    parser.add_argument("--duration-cap", type=float, default=300, help="stop sending after S seconds per bot")
    args = parser.parse_args(argv)
    if args.conversations < 1 or args.messages < 1:
        parser.error("--conversations and --messages must be at least 1")
    if args.skip_kefu and args.skip_stock:
        parser.error("nothing to measure")

    # Ctrl-C and SIGTERM unwind through the ``with`` blocks below, so every server started is stopped.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    log_dir = Path(tempfile.mkdtemp(prefix="kefu-bench-"))
    print(f"Server logs: {log_dir}", flush=True)
    plan = (args.conversations, args.messages, args.warmup, args.duration_cap)
    figures: dict[str, dict[str, Any] | None] = {"kefu": None, "stock": None}

    if not args.skip_kefu:
        if args.kefu_url:
            print(f"Measuring Kefu at {args.kefu_url} ...", flush=True)
            result = asyncio.run(measure(args.kefu_url.rstrip("/"), KEFU_MESSAGES, *plan, label="kefu"))
        else:
            print("Starting Kefu ...", flush=True)
            with kefu_server(args.model, log_dir) as url:
                print(f"Measuring Kefu at {url} ...", flush=True)
                result = asyncio.run(measure(url, KEFU_MESSAGES, *plan, label="kefu"))
        figures["kefu"] = result.summary()

    if not args.skip_stock:
        ensure_stock_bot(args.stock_dir.resolve(), log_dir)
        print("Starting the stock bot ...", flush=True)
        with stock_server(args.stock_dir.resolve(), log_dir) as url:
            print(f"Measuring the stock bot at {url} ...", flush=True)
            result = asyncio.run(measure(url, STOCK_MESSAGES, *plan, label="stock"))
        figures["stock"] = result.summary()

    kefu, stock = figures["kefu"], figures["stock"]
    ratio = (
        {k: _ratio(kefu, stock, f"{k}_ms" if k != "rps" else k) for k in ("p50", "p95", "rps")}
        if kefu and stock
        else None
    )
    print_table(figures, ratio)
    keys = ("p50_ms", "p95_ms", "p99_ms", "mean_ms", "rps", "requests", "errors", "empty")
    print(
        json.dumps(
            {
                "conversations": args.conversations,
                "messages": args.messages,
                **{name: row and {k: row[k] for k in keys} for name, row in figures.items()},
                "ratio": ratio,
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("Interrupted; the servers it started are stopped.", file=sys.stderr)
        sys.exit(130)
