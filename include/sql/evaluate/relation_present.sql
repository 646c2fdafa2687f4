-- Whether a relation exists (ADBC). Inputs: $1 its qualified name (text).
SELECT to_regclass($1) IS NOT NULL AS present
