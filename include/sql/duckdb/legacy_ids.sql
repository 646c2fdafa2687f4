-- The former CMNDs that resolve to one register person (a former CMND held by exactly one person):
-- LEGACY_ID's link (reconcile.sql), the bucket key (bucket_keys.sql) and the dataset's links
-- (plan_links.sql). Input: legacy_candidates, the register persons holding one of the records'
-- 9-digit IDs as former CMND (legacy_candidates.sql, put in front as a CTE by reconcile.py:
-- legacy_ids_query). Output: former_cmnd, national_id.
SELECT
    former_cmnd,
    any_value(national_id) AS national_id
FROM legacy_candidates
GROUP BY former_cmnd
HAVING count(*) = 1
