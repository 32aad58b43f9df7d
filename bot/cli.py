"""``python -m bot ...``: Kefu's command line (evaluations, knowledge-base tools, encoder build).

Each command lives in its own module exposing ``add_arguments(parser)`` and ``run(args) -> int``; they are
imported only when called so that ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS: dict[str, dict[str, tuple[str, str]]] = {
    "eval": {
        "faq": ("bot.eval.faq", "FAQ retrieval: top-1/top-3/MRR per language, out-of-scope rejection"),
        "langid": ("bot.eval.langid", "language identification accuracy vs raw langdetect"),
        "complaint": ("bot.eval.complaint", "complaint detection precision/recall/F1 per language"),
    },
    "kb": {
        "validate": ("bot.faq.validate", "check the knowledge base; non-zero exit when anything is wrong"),
        "stats": ("bot.faq.stats", "coverage per language and topic"),
    },
    "encoder": {
        "build": ("bot.encoder_build", "build the multilingual encoder folder into models/"),
    },
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    groups = parser.add_subparsers(dest="group", required=True)
    for group, commands in COMMANDS.items():
        group_parser = groups.add_parser(group)
        subs = group_parser.add_subparsers(dest="command", required=True)
        for name, (module, help_text) in commands.items():
            sub = subs.add_parser(name, help=help_text, description=help_text)
            sub.set_defaults(module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    # Two-step parse: find the command, then let its module add its own arguments.
    known, _ = parser.parse_known_args(argv[:2] if len(argv) >= 2 else argv)
    module = importlib.import_module(known.module)
    sub = argparse.ArgumentParser(prog=f"python -m bot {known.group} {known.command}")
    module.add_arguments(sub)
    args = sub.parse_args(argv[2:])
    return int(module.run(args) or 0)
