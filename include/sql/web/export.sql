-- Every row of the workbench filter as CSV, in the columns of popsync.web.i18n.EXPORT_COLUMNS,
-- streamed by the server (COPY): the web app forwards bytes and never holds the rows.
-- Inputs: filtered (placeholder): web/mismatches.sql with %(limit)s NULL and its parameters;
--         %(province_codes)s, %(province_names)s text[] — the province names of the codes;
--         %(current_codes)s, %(current_names)s text[] — the current province (since 2025-07-01) of each.
COPY (
    WITH filtered AS (
        {filtered}
    ),

    province_names AS (
        SELECT names.code, names.name, names.current_code, names.current_name
        FROM unnest(
            %(province_codes)s::text[], %(province_names)s::text[], %(current_codes)s::text[], %(current_names)s::text[]
        ) AS names (code, name, current_code, current_name)
    )

    SELECT
        f.sector,
        f.dataset,
        f.source_key,
        f.national_id,
        f.linked_national_id,
        f.province_code,
        province_names.name AS province_name,
        province_names.current_code AS current_province_code,
        province_names.current_name AS current_province_name,
        array_to_string(f.reasons, ' ') AS reasons,
        to_char(f.first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS first_seen,
        f.status,
        f.verdict,
        f.run_id
    FROM filtered AS f
    LEFT JOIN province_names ON province_names.code = f.province_code
    ORDER BY f.sector, f.dataset, f.source_key
) TO STDOUT WITH (FORMAT csv)
