-- Score one dataset's suggested IDs against the generator's ground truth, per method (DuckDB).
-- Inputs: expected_suggestions(source_key, national_id, method): records that do not link and
--         whose person exactly one register person fits; actual_suggestions(source_key,
--         national_id, method): the published suggested IDs.
-- A suggestion is right when both the ID and the method are the expected ones. Only the records
-- of evaluate_scope.sql's scope are scored (within the rules, or with the variable beyond set,
-- those of a family beyond them: beyond_keys).
WITH pairs AS (
    SELECT
        coalesce(expected.source_key, actual.source_key) AS source_key,
        expected.method AS expected_method,
        actual.method AS actual_method,
        expected.national_id IS NOT DISTINCT FROM actual.national_id
            AND expected.method IS NOT DISTINCT FROM actual.method AS correct
    FROM (
        SELECT * FROM expected_suggestions
        WHERE (source_key IN (SELECT beyond_keys.source_key FROM beyond_keys)) = getvariable('beyond')
    ) AS expected
    FULL OUTER JOIN (
        SELECT * FROM actual_suggestions
        WHERE (source_key IN (SELECT beyond_keys.source_key FROM beyond_keys)) = getvariable('beyond')
    ) AS actual ON actual.source_key = expected.source_key
),

methods AS (
    SELECT expected_method AS method FROM pairs WHERE expected_method IS NOT NULL
    UNION
    SELECT actual_method FROM pairs WHERE actual_method IS NOT NULL
),

scored AS (
    SELECT
        methods.method,
        count(*) FILTER (WHERE pairs.expected_method = methods.method) AS expected,
        count(*) FILTER (WHERE pairs.actual_method = methods.method) AS found,
        count(*) FILTER (WHERE pairs.actual_method = methods.method AND pairs.correct) AS true_positives
    FROM methods
    CROSS JOIN pairs
    GROUP BY methods.method
)

SELECT
    method,
    expected,
    found,
    true_positives::DOUBLE / nullif(found, 0) AS precision,
    true_positives::DOUBLE / nullif(expected, 0) AS recall
FROM scored
ORDER BY method
