wanted_keys AS MATERIALIZED (
    -- The keys of the records an incremental run reads again (PostgreSQL; sources/postgres.py adds
    -- this to the extract query read by key). Parameter: $1 (TEXT: a JSON array of keys).
    SELECT DISTINCT wanted.key
    FROM jsonb_array_elements_text($1::jsonb) AS wanted (key)
)
