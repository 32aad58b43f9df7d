"""Local stand-ins for outside HTTP APIs: an aiohttp app served on a free loopback port in its own thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from bot.serve import free_port


def serve_in_thread(build_app: Callable[[], object]) -> str:
    """Serve the aiohttp app that ``build_app`` returns (called in the server's loop); return its base URL."""
    from aiohttp import web

    port = free_port()
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    async def start() -> None:
        runner = web.AppRunner(build_app())
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    if not ready.wait(10):
        raise RuntimeError("the fake server did not start")
    return f"http://127.0.0.1:{port}"
