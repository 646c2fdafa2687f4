-- When each record of a dataset now in sync.mismatches was first seen, so that a record still
-- mismatched keeps its first_seen. Read over ADBC: $1 sector, $2 dataset (text).
SELECT mismatches.source_key, mismatches.first_seen
FROM sync.mismatches AS mismatches
WHERE mismatches.sector = $1 AND mismatches.dataset = $2
