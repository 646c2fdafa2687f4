-- Each province code of either table with the current province it belongs to (reference.provinces).
-- A current code is the former code of its seat province, so a code found in both tables names the
-- same current province in both rows; DISTINCT keeps one row per code.
WITH codes AS (
    SELECT DISTINCT provinces.code, provinces.current_code
    FROM reference.provinces AS provinces
)

SELECT codes.code, codes.current_code
FROM codes
