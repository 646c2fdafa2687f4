-- The province reference (reference.provinces) for the pages' province filters: every province of
-- either table with the current province it belongs to. Read under the app's own role (sector
-- roles read only the sync schema).
WITH provinces AS (
    SELECT reference_rows.code, reference_rows.code_set, reference_rows.name, reference_rows.current_code
    FROM reference.provinces AS reference_rows
)

SELECT provinces.code, provinces.code_set, provinces.name, provinces.current_code
FROM provinces
ORDER BY provinces.code_set DESC, provinces.code;
