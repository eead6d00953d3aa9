-- 1. Grain state: one row per grain and state, enforced. Before this, "insert if absent" was a NOT EXISTS check that two
--    writers could pass at once, leaving two rows for one grain. Duplicates a race left behind are folded first: the row
--    with the highest version stays (then the newest).
DELETE FROM acd_grain_state a
USING acd_grain_state b
WHERE a.ctid <> b.ctid
  AND a.service_id = b.service_id AND a.grain_type_hash = b.grain_type_hash AND a.grain_id_hash = b.grain_id_hash
  AND a.grain_id_n0 = b.grain_id_n0 AND a.grain_id_n1 = b.grain_id_n1 AND a.grain_type = b.grain_type
  AND a.grain_id_string IS NOT DISTINCT FROM b.grain_id_string
  AND (a.version < b.version OR (a.version = b.version AND (a.modified_at, a.ctid) < (b.modified_at, b.ctid)));

CREATE UNIQUE INDEX IF NOT EXISTS acd_grain_state_key ON acd_grain_state
    (service_id, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1, grain_type, COALESCE(grain_id_string, ''));

-- The first write of a grain inserts, and a second writer racing it finds the row and is refused (no version returned:
-- the provider reports an ETag conflict), instead of both inserting.
CREATE OR REPLACE FUNCTION acd_write_grain_state(
    p_id_hash integer, p_n0 bigint, p_n1 bigint, p_type_hash integer, p_type varchar, p_id_string varchar,
    p_service varchar, p_version integer, p_payload bytea)
RETURNS TABLE (newgrainstateversion integer)
LANGUAGE plpgsql AS $$
DECLARE
    written integer;
BEGIN
    IF p_version IS NULL THEN
        INSERT INTO acd_grain_state (service_id, grain_type_hash, grain_type, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_string, payload, version)
        VALUES (p_service, p_type_hash, p_type, p_id_hash, p_n0, p_n1, p_id_string, p_payload, 1)
        ON CONFLICT (service_id, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1, grain_type, COALESCE(grain_id_string, '')) DO NOTHING;
        GET DIAGNOSTICS written = ROW_COUNT;
        RETURN QUERY SELECT CASE WHEN written > 0 THEN 1 ELSE NULL END;
    ELSE
        UPDATE acd_grain_state s
        SET payload = p_payload, version = s.version + 1, modified_at = now()
        WHERE s.grain_id_hash = p_id_hash AND s.grain_type_hash = p_type_hash
          AND s.grain_id_n0 = p_n0 AND s.grain_id_n1 = p_n1 AND s.grain_type = p_type
          AND s.grain_id_string IS NOT DISTINCT FROM p_id_string AND s.service_id = p_service
          AND s.version = p_version;
        GET DIAGNOSTICS written = ROW_COUNT;
        RETURN QUERY SELECT CASE WHEN written > 0 THEN p_version + 1 ELSE p_version END;
    END IF;
END $$;

-- 2. Calls not settled yet (IUnsettledCallStore): live, or ended with a hang-up the network has not confirmed. A restart
--    wakes each one, and the call list rebuilds itself from them.
CREATE TABLE IF NOT EXISTS acd_unsettled_call
(
    service_id varchar(150) NOT NULL,
    call_id    varchar(128) NOT NULL,
    added_at   timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, call_id)
);
