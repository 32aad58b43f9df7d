"""While a human agent owns a conversation the bot stays silent: every shopper message only goes to the agent.

The ``handoff_active`` slot is set by ``action_handoff`` and cleared when the agent hands the conversation back
(the agent console posts a slot event through Rasa's HTTP API). While it is set this policy outranks the rules
and predicts ``action_relay_to_agent`` (records the message for the agent, says nothing), then listens.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot import rasa_speedups
from bot.handoff.constants import HANDOFF_SLOT, RELAY_ACTION

rasa_speedups.install()  # Rasa loads this policy in every server process


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class HandoffPolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": 10}  # above RulePolicy (6) so the rules cannot speak for the bot

    def train(self, *args: Any, **kwargs: Any) -> Resource:  # pragma: no cover - not trainable
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        if tracker.get_slot(HANDOFF_SLOT):
            after_user = tracker.latest_action_name == ACTION_LISTEN_NAME
            action = RELAY_ACTION if after_user else ACTION_LISTEN_NAME
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities)
