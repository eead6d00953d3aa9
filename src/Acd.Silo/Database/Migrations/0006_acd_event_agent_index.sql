-- Where each agent stood when a statistics window opens: the last activity event per agent before a time.
CREATE INDEX IF NOT EXISTS acd_event_agent ON acd_event (service_id, type, agent_id, at DESC);
