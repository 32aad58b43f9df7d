"""Speed-ups for Rasa 3.6's per-message hot path, found by profiling the server (``py-spy``; README "Speed").

Installed when Rasa loads Kefu's components (``bot.policies``), so they apply in every Rasa server process and
nowhere else. Each keeps Rasa's behaviour and only removes repeated work:

* ``RemoteAction._validate_action_result`` calls ``jsonschema.validate(result, schema)`` for every action server
  response. That first re-checks the large, constant events schema against the JSON Schema meta-schema, which
  took a third of the server's CPU per message. Here the schema is checked once and its validator reused: each
  response is still validated against the same schema and fails with the same error.
* numpy's OpenBLAS runs one worker thread per core, and after each small matrix product (the classifiers'
  384-wide vectors) the idle worker spins in ``sched_yield``: under load it took a whole second core, mostly
  system time, so a second Rasa instance on the machine had nothing left to run on. Limited to one thread
  (faiss likewise, in ``bot.faq.index``); the encoder's torch threads are ``kefu.yml`` ``encoder.threads``.
* SQLite (the default tracker store) in WAL mode without an fsync per commit: ``bot.sqlite_tuning``.
"""

from __future__ import annotations

from typing import Any

_INSTALLED = False


def install() -> None:
    global _INSTALLED
    if _INSTALLED:
        return
    from threadpoolctl import threadpool_limits

    from bot import sqlite_tuning

    threadpool_limits(limits=1, user_api="blas")
    sqlite_tuning.install()
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    original = RemoteAction._validate_action_result

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            validator.validate(result)
        except ValidationError:
            return original(self, result)  # Rasa's own path: the same error, with its explanatory message
        return True

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    _INSTALLED = True
