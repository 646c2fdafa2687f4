-- Every ID one slip away from the ID of a record that does not link (DuckDB): the body of
-- suggestions.sql's `variants` CTE (placed there by reconcile.py's with_id_variants).
-- Inputs: unlinked (record_id, national_id, id_kind), twelve_digits (the unlinked rows whose ID is
--         twelve digits). Output: record_id, candidate_id, rank (1 leading zeros, 2 look-alike
--         letters, 3 transposition, 4 typo).
-- leading zeros lost: a 10- or 11-digit number padded on the left
SELECT record_id, lpad(national_id, 12, '0') AS candidate_id, 1 AS rank
FROM unlinked
WHERE id_kind = 'invalid' AND regexp_full_match(national_id, '[0-9]{10,11}')
UNION ALL
-- letters typed for digits that look alike (same table as popsync.domain.id_suggestions)
SELECT record_id, translate(national_id, 'OoQDIlLi|ZzSsGTBgq', '000011111225567899'), 2
FROM unlinked
WHERE id_kind = 'invalid' AND regexp_matches(national_id, '[^0-9]')
    AND regexp_full_match(translate(national_id, 'OoQDIlLi|ZzSsGTBgq', '000011111225567899'), '[0-9]{12}')
UNION ALL
-- two adjacent digits swapped
SELECT
    record_id,
    substr(national_id, 1, p - 1) || substr(national_id, p + 1, 1) || substr(national_id, p, 1)
        || substr(national_id, p + 2),
    3
FROM twelve_digits, range(1, 12) AS positions(p)
WHERE substr(national_id, p, 1) <> substr(national_id, p + 1, 1)
UNION ALL
-- one digit mistyped
SELECT
    record_id,
    substr(national_id, 1, p - 1) || d::VARCHAR || substr(national_id, p + 1),
    4
FROM twelve_digits, range(1, 13) AS positions(p), range(0, 10) AS digits(d)
WHERE substr(national_id, p, 1) <> d::VARCHAR
