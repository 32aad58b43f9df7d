"""Names shared by the dialogue policy (Rasa side) and the actions (action server), kept free of Rasa imports."""

HANDOFF_SLOT = "handoff_active"  # a human agent owns the conversation
RELAY_ACTION = "action_relay_to_agent"
