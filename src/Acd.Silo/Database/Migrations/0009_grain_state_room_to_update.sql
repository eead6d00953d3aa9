-- Grain state is updated many times per call (offered, connected, wrap-up, completed, settled) and never by an indexed
-- column. With room left on each page, PostgreSQL writes the new version beside the old one and leaves the indexes
-- alone (a "heap-only tuple" update), instead of a new index entry per write. Pages filled from now on keep a quarter
-- free; autovacuum reclaims the old versions sooner on a table this busy.
ALTER TABLE acd_grain_state SET (fillfactor = 75, autovacuum_vacuum_scale_factor = 0.05);
ALTER TABLE acd_unsettled_call SET (autovacuum_vacuum_scale_factor = 0.05);
