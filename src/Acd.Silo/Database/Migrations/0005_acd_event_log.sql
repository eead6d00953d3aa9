-- Acd's own: the event log (every state change, in TaskRouter's event style), appended, paged by time and sequence.
CREATE TABLE IF NOT EXISTS acd_event
(
    sequence   bigserial    PRIMARY KEY,
    service_id varchar(150) NOT NULL,
    type       varchar(100) NOT NULL,
    at         timestamptz  NOT NULL,
    call_id    varchar(128),
    agent_id   varchar(128),
    queue_id   varchar(128),
    data       jsonb        NOT NULL
);
CREATE INDEX IF NOT EXISTS acd_event_time ON acd_event (service_id, at, sequence);
CREATE INDEX IF NOT EXISTS acd_event_call ON acd_event (service_id, call_id, sequence);
CREATE INDEX IF NOT EXISTS acd_event_type ON acd_event (service_id, type, at);
