-- No candidate lists, shaped like evaluate/published_candidates.sql: for a warehouse published
-- before sync.suggestion_candidates existed. No parameters.
SELECT NULL::text AS source_key, NULL::text AS candidate_national_id, NULL::text AS method, NULL::int AS rank
WHERE false
