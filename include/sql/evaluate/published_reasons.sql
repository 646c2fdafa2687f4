-- Every published record of a dataset with its reason codes (none for a match), from the
-- warehouse (ADBC). Inputs: $1 sector, $2 dataset (text).
WITH matched AS (
    SELECT matches.source_key, ARRAY[]::text[] AS reasons
    FROM sync.matches AS matches
    WHERE matches.sector = $1 AND matches.dataset = $2
),

mismatched AS (
    SELECT mismatches.source_key, mismatches.reasons
    FROM sync.mismatches AS mismatches
    WHERE mismatches.sector = $1 AND mismatches.dataset = $2
)

SELECT matched.source_key, matched.reasons FROM matched
UNION ALL
SELECT mismatched.source_key, mismatched.reasons FROM mismatched
