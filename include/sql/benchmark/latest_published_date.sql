-- The latest logical date a sector has published (NULL before its first publish): a benchmark run
-- through the scheduler refuses a home where it is later than now, since its publish would roll
-- back behind those results instead of publishing. Inputs: %(sector)s text.
SELECT max(published.logical_date) AS logical_date
FROM sync.published_runs AS published
WHERE published.sector = %(sector)s;
