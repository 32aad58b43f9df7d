"""``python -m bot ...``: Kefu's command line (serve, evaluations, knowledge-base tools, encoder build).

Each command lives in its own module exposing ``add_arguments(parser)`` and ``run(args) -> int``; modules are
imported only when their command runs, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

Command = tuple[str, str]  # (module, help)

COMMANDS: dict[str, Command | dict[str, Command]] = {
    "serve": ("bot.serve", "start the action server and the Rasa server (REST, socket.io, demo page)"),
    "eval": {
        "faq": ("bot.eval.faq", "FAQ retrieval: top-1/top-3/MRR per language, out-of-scope rejection"),
        "langid": ("bot.eval.langid", "language identification accuracy vs raw langdetect"),
        "complaint": ("bot.eval.complaint", "complaint detection precision/recall/F1 per language"),
    },
    "kb": {
        "validate": ("bot.faq.validate", "check the knowledge base; non-zero exit when anything is wrong"),
        "stats": ("bot.faq.stats", "coverage per language and topic"),
    },
    "handoff": ("bot.handoff.control", "list open handoff cases, or hand a conversation back to the bot"),
    "agents": {
        "add": ("bot.console.accounts", "create an agent account for the console (or reset its password)"),
    },
    "encoder": {
        "build": ("bot.encoder_build", "build the multilingual encoder folder into models/"),
    },
}


def _usage() -> str:
    lines = ["usage: python -m bot COMMAND [options]", "", "commands:"]
    for name, entry in COMMANDS.items():
        if isinstance(entry, tuple):
            lines.append(f"  {name:<18} {entry[1]}")
        else:
            lines += [f"  {name + ' ' + sub:<18} {help_}" for sub, (_m, help_) in entry.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    entry = COMMANDS.get(argv[0]) if argv else None
    words = argv[:1]
    if isinstance(entry, dict):
        entry = entry.get(argv[1]) if len(argv) > 1 else None
        words = argv[:2]
    if not isinstance(entry, tuple):
        print(_usage(), file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    module_name, help_text = entry
    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(prog="python -m bot " + " ".join(words), description=help_text)
    module.add_arguments(parser)
    return int(module.run(parser.parse_args(argv[len(words):])) or 0)
