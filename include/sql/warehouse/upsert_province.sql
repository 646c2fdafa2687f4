-- One province of reference.provinces. Parameters: code, code_set, name, valid_from, valid_to, current_code.
INSERT INTO reference.provinces AS provinces (code, code_set, name, valid_from, valid_to, current_code)
VALUES (%(code)s, %(code_set)s, %(name)s, %(valid_from)s, %(valid_to)s, %(current_code)s)
ON CONFLICT (code, code_set) DO UPDATE SET
    name = excluded.name,
    valid_from = excluded.valid_from,
    valid_to = excluded.valid_to,
    current_code = excluded.current_code
WHERE (provinces.name, provinces.valid_from, provinces.valid_to, provinces.current_code)
    IS DISTINCT FROM (excluded.name, excluded.valid_from, excluded.valid_to, excluded.current_code)
