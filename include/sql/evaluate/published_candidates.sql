-- A dataset's published candidate lists for suggested IDs (ADBC; sync.suggestion_candidates exists).
-- Inputs: $1 sector, $2 dataset (text).
SELECT candidates.source_key, candidates.candidate_national_id, candidates.method, candidates.rank
FROM sync.suggestion_candidates AS candidates
WHERE candidates.sector = $1 AND candidates.dataset = $2
