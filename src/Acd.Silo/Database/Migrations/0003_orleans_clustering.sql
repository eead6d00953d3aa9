-- Cluster membership (Orleans.Clustering.AdoNet): a version row per cluster, bumped on every change, and a row per
-- silo. Inserts and updates succeed only against the table version the silo read (optimistic concurrency).
CREATE TABLE IF NOT EXISTS acd_cluster_version
(
    deployment_id varchar(150) NOT NULL PRIMARY KEY,
    changed_at    timestamptz  NOT NULL DEFAULT now(),
    version       integer      NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS acd_cluster_member
(
    deployment_id  varchar(150)  NOT NULL REFERENCES acd_cluster_version (deployment_id),
    address        varchar(45)   NOT NULL,
    port           integer       NOT NULL,
    generation     integer       NOT NULL,
    silo_name      varchar(150)  NOT NULL,
    host_name      varchar(150)  NOT NULL,
    status         integer       NOT NULL,
    proxy_port     integer,
    suspect_times  varchar(8000),
    start_time     timestamptz   NOT NULL,
    i_am_alive     timestamptz   NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

CREATE OR REPLACE FUNCTION acd_cluster_insert_version(p_deployment varchar)
RETURNS TABLE (row_count integer)
LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    INSERT INTO acd_cluster_version (deployment_id) VALUES (p_deployment) ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN QUERY SELECT n;
END $$;

CREATE OR REPLACE FUNCTION acd_cluster_insert_member(
    p_deployment varchar, p_address varchar, p_port integer, p_generation integer, p_silo varchar, p_host varchar,
    p_status integer, p_proxy integer, p_start timestamptz, p_alive timestamptz, p_version integer)
RETURNS TABLE (row_count integer)
LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    UPDATE acd_cluster_version SET version = version + 1, changed_at = now()
    WHERE deployment_id = p_deployment AND version = p_version;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
        RETURN QUERY SELECT 0;
        RETURN;
    END IF;
    INSERT INTO acd_cluster_member (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port, start_time, i_am_alive)
    VALUES (p_deployment, p_address, p_port, p_generation, p_silo, p_host, p_status, p_proxy, p_start, p_alive)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
        -- The silo row already exists: undo the version bump by failing the whole statement.
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'acd: membership row exists';
    END IF;
    RETURN QUERY SELECT 1;
EXCEPTION WHEN SQLSTATE 'P0001' THEN
    RETURN QUERY SELECT 0;
END $$;

CREATE OR REPLACE FUNCTION acd_cluster_update_member(
    p_deployment varchar, p_address varchar, p_port integer, p_generation integer, p_status integer,
    p_suspects varchar, p_alive timestamptz, p_version integer)
RETURNS TABLE (row_count integer)
LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    UPDATE acd_cluster_version SET version = version + 1, changed_at = now()
    WHERE deployment_id = p_deployment AND version = p_version;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
        RETURN QUERY SELECT 0;
        RETURN;
    END IF;
    UPDATE acd_cluster_member
    SET status = p_status, suspect_times = p_suspects, i_am_alive = p_alive
    WHERE deployment_id = p_deployment AND address = p_address AND port = p_port AND generation = p_generation;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'acd: no such membership row';
    END IF;
    RETURN QUERY SELECT 1;
EXCEPTION WHEN SQLSTATE 'P0001' THEN
    RETURN QUERY SELECT 0;
END $$;

INSERT INTO orleansquery (querykey, querytext) VALUES
('UpdateIAmAlivetimeKey',
 'UPDATE acd_cluster_member SET i_am_alive = @IAmAliveTime
  WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation'),
('InsertMembershipVersionKey',
 'SELECT row_count FROM acd_cluster_insert_version(@DeploymentId)'),
('InsertMembershipKey',
 'SELECT row_count FROM acd_cluster_insert_member(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version)'),
('UpdateMembershipKey',
 'SELECT row_count FROM acd_cluster_update_member(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime, @Version)'),
('MembershipReadRowKey',
 'SELECT v.deployment_id AS deploymentid, m.address, m.port, m.generation, m.silo_name AS siloname, m.host_name AS hostname,
         m.status, m.proxy_port AS proxyport, m.suspect_times AS suspecttimes, m.start_time AS starttime,
         m.i_am_alive AS iamalivetime, v.version
  FROM acd_cluster_version v
  LEFT JOIN acd_cluster_member m ON m.deployment_id = v.deployment_id
       AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
  WHERE v.deployment_id = @DeploymentId'),
('MembershipReadAllKey',
 'SELECT v.deployment_id AS deploymentid, m.address, m.port, m.generation, m.silo_name AS siloname, m.host_name AS hostname,
         m.status, m.proxy_port AS proxyport, m.suspect_times AS suspecttimes, m.start_time AS starttime,
         m.i_am_alive AS iamalivetime, v.version
  FROM acd_cluster_version v
  LEFT JOIN acd_cluster_member m ON m.deployment_id = v.deployment_id
  WHERE v.deployment_id = @DeploymentId'),
('DeleteMembershipTableEntriesKey',
 'DELETE FROM acd_cluster_member WHERE deployment_id = @DeploymentId;
  DELETE FROM acd_cluster_version WHERE deployment_id = @DeploymentId'),
('GatewaysQueryKey',
 'SELECT address, proxy_port AS proxyport, generation FROM acd_cluster_member
  WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0'),
('CleanupDefunctSiloEntriesKey',
 'DELETE FROM acd_cluster_member WHERE deployment_id = @DeploymentId AND i_am_alive < @IAmAliveTime AND status <> 3'),
('CleanupDefunctSiloEntryKey',
 'DELETE FROM acd_cluster_member WHERE deployment_id = @DeploymentId AND i_am_alive < @IAmAliveTime AND status <> 3')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;
