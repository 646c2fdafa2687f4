-- "Points at the true person": one dataset's suggestions against the person each record is about
-- (DuckDB, evaluation; "follows the rule" is evaluate_suggestions.sql).
-- Inputs: expected_all(source_key, expected_reasons, true_national_id, beyond_rules): the ground
--         truth, true_national_id NULL for people outside the register;
--         actual_suggestions(source_key, national_id, method): the published single suggestions;
--         candidate_lists(source_key, candidate_national_id, method, rank): the published candidate
--         lists (empty when the warehouse has none).
-- Output: one row per method of a single suggestion or candidate list, and a row 'all': records
--         that do not link, those whose person is in the register, single suggestions issued and
--         right (the true person), records given a candidate list instead and lists holding the
--         true person, records whose true person is their single suggestion.
WITH unlinked AS (
    SELECT source_key, true_national_id
    FROM expected_all
    WHERE list_has_any(expected_reasons, ['MISSING_ID', 'INVALID_ID', 'NOT_IN_REFERENCE'])
),

lists AS (
    SELECT
        source_key,
        arg_min(method, rank) AS method,
        count(DISTINCT candidate_national_id) AS candidates,
        list(candidate_national_id) AS candidate_ids
    FROM candidate_lists
    GROUP BY source_key
    HAVING count(DISTINCT candidate_national_id) > 1
),

records AS (
    SELECT
        unlinked.source_key,
        unlinked.true_national_id,
        actual.method AS single_method,
        actual.national_id IS NOT NULL AS has_single,
        actual.national_id IS NOT NULL AND actual.national_id IS NOT DISTINCT FROM unlinked.true_national_id
            AS single_right,
        lists.method AS list_method,
        lists.source_key IS NOT NULL AND actual.national_id IS NULL AS has_list,
        coalesce(list_contains(lists.candidate_ids, unlinked.true_national_id), FALSE) AS list_right
    FROM unlinked
    LEFT JOIN actual_suggestions AS actual ON actual.source_key = unlinked.source_key
    LEFT JOIN lists ON lists.source_key = unlinked.source_key
),

per_method AS (
    SELECT
        coalesce(single_method, list_method) AS method,
        count(*) FILTER (WHERE has_single) AS singles,
        count(*) FILTER (WHERE single_right) AS singles_right,
        count(*) FILTER (WHERE has_list) AS lists,
        count(*) FILTER (WHERE has_list AND list_right) AS lists_right
    FROM records
    WHERE has_single OR has_list
    GROUP BY 1
)

SELECT
    method,
    NULL::BIGINT AS unlinked,
    NULL::BIGINT AS in_register,
    singles,
    singles_right,
    lists,
    lists_right
FROM per_method
UNION ALL
SELECT
    'all',
    count(*),
    count(true_national_id),
    count(*) FILTER (WHERE has_single),
    count(*) FILTER (WHERE single_right),
    count(*) FILTER (WHERE has_list),
    count(*) FILTER (WHERE has_list AND list_right)
FROM records
ORDER BY method = 'all', method
