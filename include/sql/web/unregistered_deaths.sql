-- Register deaths with no death registration, per dataset, residence province and commune.
-- Inputs: %(sectors)s text[] — the sectors the user may see. No ID numbers: counts only.
WITH deaths AS (
    SELECT sector, dataset, residence_province, residence_commune, date_of_death
    FROM sync.unregistered_deaths
    WHERE sector = ANY(%(sectors)s)
)

SELECT
    deaths.sector,
    deaths.dataset,
    deaths.residence_province,
    deaths.residence_commune,
    count(*)::bigint AS deaths,
    min(deaths.date_of_death) AS first_death,
    max(deaths.date_of_death) AS last_death
FROM deaths
GROUP BY deaths.sector, deaths.dataset, deaths.residence_province, deaths.residence_commune
ORDER BY deaths DESC, deaths.residence_commune;
