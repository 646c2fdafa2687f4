-- The unregistered deaths published for a dataset (ADBC). Inputs: $1 sector, $2 dataset (text).
SELECT deaths.national_id
FROM sync.unregistered_deaths AS deaths
WHERE deaths.sector = $1 AND deaths.dataset = $2
