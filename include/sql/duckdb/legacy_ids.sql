-- The former CMNDs that resolve to one register person: the same rule as reconcile.sql's
-- legacy_ids (a former CMND held by exactly one person). Read by bucket_keys.sql and
-- plan_links.sql. Input: legacy_candidates (legacy_candidates.sql). Output: former_cmnd, national_id.
SELECT
    former_cmnd,
    any_value(national_id) AS national_id
FROM legacy_candidates
GROUP BY former_cmnd
HAVING count(*) = 1
