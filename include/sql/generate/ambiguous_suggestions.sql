-- Expected name_birth_gender suggestions that are not unique (DuckDB, generator's ground truth).
-- Inputs: probe(dataset, source_key, national_id, birth_date, birth_date_precision): the record's
--         person and its birth date as written; register_persons(national_id, full_name, gender,
--         birth_date, birth_date_precision): the whole register.
-- Output: the probes for which not exactly one register person has the same name key and gender
--         and a birth date that agrees at the coarser precision.
WITH persons AS (
    SELECT
        national_id,
        name_key(full_name) AS name_key,
        gender,
        birth_date,
        birth_date_precision
    FROM register_persons
),

probe_persons AS (
    SELECT
        probe.*,
        persons.name_key,
        persons.gender
    FROM probe
    JOIN persons ON persons.national_id = probe.national_id
),

fits AS (
    SELECT
        probe_persons.dataset,
        probe_persons.source_key,
        count(*) AS candidates
    FROM probe_persons
    JOIN persons AS other
        ON other.name_key = probe_persons.name_key
        AND other.gender = probe_persons.gender
    WHERE dates_agree(
        other.birth_date, other.birth_date_precision, probe_persons.birth_date, probe_persons.birth_date_precision
    )
    GROUP BY probe_persons.dataset, probe_persons.source_key
)

SELECT probe.dataset, probe.source_key
FROM probe
LEFT JOIN fits ON fits.dataset = probe.dataset AND fits.source_key = probe.source_key
WHERE coalesce(fits.candidates, 0) <> 1
