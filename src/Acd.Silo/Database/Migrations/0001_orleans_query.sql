-- The named queries Orleans' ADO.NET providers run, looked up by key at start. Later migrations add theirs
-- with INSERT ... ON CONFLICT, so re-applying a migration replaces a query's text instead of failing.
CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64)   NOT NULL PRIMARY KEY,
    querytext varchar(8000) NOT NULL
);
