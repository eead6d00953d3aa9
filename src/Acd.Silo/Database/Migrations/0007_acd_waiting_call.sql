-- Acd's own: the calls waiting in each queue, one row per call (IWaitingCallStore), so that joining or leaving a
-- long queue is one small write. The payload is the WaitingCall in Orleans' binary serialization, as grain state is.
CREATE TABLE IF NOT EXISTS acd_waiting_call
(
    service_id varchar(150) NOT NULL,
    queue_id   varchar(128) NOT NULL,
    call_id    varchar(128) NOT NULL,
    payload    bytea        NOT NULL,
    updated_at timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, queue_id, call_id)
);
