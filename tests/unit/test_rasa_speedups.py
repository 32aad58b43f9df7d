"""The Rasa hot-path speed-up keeps Rasa's behaviour: the same responses pass, the same ones fail."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import rasa_speedups


@pytest.fixture
def action() -> RemoteAction:
    rasa_speedups.install()
    return RemoteAction.__new__(RemoteAction)  # only the validation is used


def test_valid_action_server_responses_still_pass(action: RemoteAction) -> None:
    result = {"events": [{"event": "slot", "name": "faq_id", "value": "returns", "timestamp": None},
                         {"event": "active_loop", "name": None}],
              "responses": [{"text": "hi", "buttons": []}]}
    assert action._validate_action_result(result) is True
    assert action._validate_action_result({"events": [], "responses": []}) is True


@pytest.mark.parametrize("result", [
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": [1, 2]},
])
def test_invalid_responses_fail_with_rasas_explanation(action: RemoteAction, result: dict) -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(result)
