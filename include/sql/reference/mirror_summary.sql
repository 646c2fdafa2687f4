-- The register mirror's row count and newest updated_at (NULL when empty). No parameters.
SELECT count(*) AS row_count, max(mirror.updated_at) AS high_watermark
FROM reference.persons AS mirror;
