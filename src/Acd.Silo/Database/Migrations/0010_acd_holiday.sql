-- Acd's own: national holidays imported from the Cabinet Office's syukujitsu.csv (`holidays import FILE`). For every
-- year listed here they replace the holidays Acd computes by the law; the nodes read them when they start.
CREATE TABLE IF NOT EXISTS acd_holiday
(
    service_id  varchar(150) NOT NULL,
    day         date         NOT NULL,
    name        text         NOT NULL,
    imported_at timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, day)
);
