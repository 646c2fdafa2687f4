-- Register persons whose former CMND is one of a dataset's 9-digit IDs (DuckDB), for legacy_ids.sql
-- (reconcile.py: legacy_ids_query). `persons_source` is replaced by the whole register (the plan
-- of a split run) or by an unsplit run's linkable register, which holds every such person.
-- Inputs: normalised (normalise.sql). Output: former_cmnd, national_id.
WITH dataset_cmnds AS (
    SELECT national_id FROM normalised WHERE id_kind = 'cmnd'
)

SELECT
    persons.former_cmnd,
    persons.national_id
FROM persons_source AS persons
WHERE persons.former_cmnd IN (SELECT national_id FROM dataset_cmnds)
