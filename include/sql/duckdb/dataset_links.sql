-- Register persons the dataset's records link to, with how many records link to each (DuckDB).
-- Inputs: reconciled (reconcile.sql). Output: national_id, records.
-- In a run split into buckets this set spans every bucket: the plan step computes it over the
-- whole dataset (plan_links.sql) and each bucket reads it instead (docs/running.md,
-- "Partitioned dataset runs").
SELECT
    linked_national_id AS national_id,
    count(*) AS records
FROM reconciled
WHERE is_linked
GROUP BY linked_national_id
