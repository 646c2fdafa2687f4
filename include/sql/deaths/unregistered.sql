-- Replace a death-registration dataset's unregistered deaths after its run was published.
-- Inputs: death_coverage (temporary: commune, covered_from, covered_to from the sector database),
--         reference.persons, the dataset's published sync.matches and sync.mismatches.
-- Parameters: sector, dataset, run_id, logical_date.
WITH registered AS (
    SELECT national_id AS linked_id
    FROM sync.matches
    WHERE sector = %(sector)s AND dataset = %(dataset)s
    UNION
    SELECT linked_national_id
    FROM sync.mismatches
    WHERE sector = %(sector)s AND dataset = %(dataset)s AND linked_national_id IS NOT NULL
),

deaths_in_scope AS (
    SELECT
        persons.national_id,
        persons.residence_commune,
        persons.residence_province,
        persons.date_of_death
    FROM reference.persons AS persons
    INNER JOIN death_coverage AS coverage
        ON coverage.commune = persons.residence_commune
        AND persons.date_of_death BETWEEN coverage.covered_from AND coverage.covered_to
    WHERE persons.is_deceased
)

INSERT INTO sync.unregistered_deaths (
    sector, dataset, national_id, residence_commune, residence_province, date_of_death, run_id, logical_date
)
SELECT
    %(sector)s, %(dataset)s, deaths.national_id, deaths.residence_commune, deaths.residence_province,
    deaths.date_of_death, %(run_id)s, %(logical_date)s
FROM deaths_in_scope AS deaths
WHERE NOT EXISTS (SELECT 1 FROM registered WHERE registered.linked_id = deaths.national_id)
