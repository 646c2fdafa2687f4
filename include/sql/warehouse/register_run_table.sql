-- Record (or refresh) one per-run work table before it is created.
-- Inputs: staging.run_tables.
-- Parameters: %(schema_name)s, %(table_name)s, %(sector)s, %(dataset)s, %(run_id)s,
--             %(attempt)s, %(kind)s.
INSERT INTO staging.run_tables AS registered
    (schema_name, table_name, sector, dataset, run_id, attempt, kind, registered_at)
VALUES
    (%(schema_name)s, %(table_name)s, %(sector)s, %(dataset)s, %(run_id)s, %(attempt)s, %(kind)s, clock_timestamp())
ON CONFLICT (schema_name, table_name) DO UPDATE SET
    sector = excluded.sector,
    dataset = excluded.dataset,
    run_id = excluded.run_id,
    attempt = excluded.attempt,
    kind = excluded.kind,
    registered_at = excluded.registered_at
