-- Name, birth date and gender suggestions the rules give (DuckDB, generator's ground truth).
-- Inputs: probe(dataset, source_key, full_name, gender, birth_date, birth_date_precision): records
--         that do not link and whose name, gender and date (as written) let a register person fit:
--         records of register persons (their own person always fits) and of people outside the
--         register (a stranger may fit); register_persons(national_id, full_name, gender,
--         birth_date, birth_date_precision): the whole register.
-- Output: every probe with the number of register persons that have its name key and gender and
--         a birth date that agrees at the coarser precision, and the one such person when it is one.
WITH persons AS (
    SELECT
        national_id,
        name_key(full_name) AS name_key,
        gender,
        birth_date,
        birth_date_precision
    FROM register_persons
),

probe_keys AS (
    SELECT
        dataset,
        source_key,
        name_key(full_name) AS name_key,
        gender,
        birth_date,
        birth_date_precision
    FROM probe
),

fits AS (
    SELECT
        probe_keys.dataset,
        probe_keys.source_key,
        count(*) AS candidates,
        min(other.national_id) AS national_id
    FROM probe_keys
    JOIN persons AS other
        ON other.name_key = probe_keys.name_key
        AND other.gender = probe_keys.gender
    WHERE dates_agree(
        other.birth_date, other.birth_date_precision, probe_keys.birth_date, probe_keys.birth_date_precision
    )
    GROUP BY probe_keys.dataset, probe_keys.source_key
)

SELECT
    probe.dataset,
    probe.source_key,
    coalesce(fits.candidates, 0) AS candidates,
    fits.national_id
FROM probe
LEFT JOIN fits ON fits.dataset = probe.dataset AND fits.source_key = probe.source_key
