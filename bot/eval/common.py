"""Shared plumbing of the ``python -m bot eval ...`` commands: case files and the trained model's NLU."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def read_cases(path: Path, required: Iterable[str], limit: int | None = None) -> list[dict[str, Any]]:
    cases = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            case = json.loads(line)
            missing = [key for key in required if key not in case]
            if missing:
                raise ValueError(f"{path}:{number}: missing {', '.join(missing)}")
            cases.append(case)
            if limit and len(cases) >= limit:
                break
    return cases


class TrainedNlu:
    """Parses texts with a trained Rasa model: the very graph the live server runs for each message."""

    def __init__(self, model: Path | None = None) -> None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        logging.getLogger("rasa").setLevel(logging.WARNING)
        from rasa.core.agent import Agent

        from bot.serve import latest_model

        self.model_path = model or latest_model()
        self.agent = Agent.load(str(self.model_path))
        import structlog  # Rasa logs every parse at debug level through structlog: keep eval output readable

        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
        self._loop = asyncio.new_event_loop()

    def parse(self, text: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
        from rasa.core.channels.channel import UserMessage

        processor = self.agent.processor
        message = UserMessage(text, metadata=metadata)
        return self._loop.run_until_complete(processor.parse_message(message))


def rate(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0
