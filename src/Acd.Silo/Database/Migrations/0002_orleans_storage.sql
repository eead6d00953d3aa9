-- Grain state (Orleans.Persistence.AdoNet). One row per grain and state; "version" is the ETag the provider checks:
-- a write that does not find the version it read changes nothing and returns the old version, which the provider
-- turns into an InconsistentStateException.
CREATE TABLE IF NOT EXISTS acd_grain_state
(
    service_id        varchar(150) NOT NULL,
    grain_type_hash   integer      NOT NULL,
    grain_type        varchar(512) NOT NULL,
    grain_id_hash     integer      NOT NULL,
    grain_id_n0       bigint       NOT NULL,
    grain_id_n1       bigint       NOT NULL,
    grain_id_string   varchar(512),
    payload           bytea,
    version           integer      NOT NULL,
    modified_at       timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS acd_grain_state_lookup ON acd_grain_state (grain_id_hash, grain_type_hash);

-- Insert (no version yet) or update (the version read); returns the new version, or the old one when nothing
-- was written.
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
        SELECT p_service, p_type_hash, p_type, p_id_hash, p_n0, p_n1, p_id_string, p_payload, 1
        WHERE NOT EXISTS (
            SELECT 1 FROM acd_grain_state s
            WHERE s.grain_id_hash = p_id_hash AND s.grain_type_hash = p_type_hash
              AND s.grain_id_n0 = p_n0 AND s.grain_id_n1 = p_n1 AND s.grain_type = p_type
              AND s.grain_id_string IS NOT DISTINCT FROM p_id_string AND s.service_id = p_service);
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

INSERT INTO orleansquery (querykey, querytext) VALUES
('WriteToStorageKey',
 'SELECT newgrainstateversion FROM acd_write_grain_state(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary)'),
('ReadFromStorageKey',
 'SELECT payload AS payloadbinary, version FROM acd_grain_state
  WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
    AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
    AND grain_id_string IS NOT DISTINCT FROM @GrainIdExtensionString AND service_id = @ServiceId'),
('ClearStorageKey',
 'UPDATE acd_grain_state SET payload = NULL, version = version + 1, modified_at = now()
  WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
    AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
    AND grain_id_string IS NOT DISTINCT FROM @GrainIdExtensionString AND service_id = @ServiceId
    AND version = @GrainStateVersion
  RETURNING version'),
('DeleteStorageKey',
 'DELETE FROM acd_grain_state
  WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
    AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
    AND grain_id_string IS NOT DISTINCT FROM @GrainIdExtensionString AND service_id = @ServiceId
    AND version = @GrainStateVersion
  RETURNING version')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;
