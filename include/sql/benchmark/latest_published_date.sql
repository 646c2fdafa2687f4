-- The latest logical date a sector has published (NULL before its first publish): a benchmark run
-- through the scheduler takes a later logical date, so that its publish publishes instead of
-- rolling back behind newer results. Inputs: %(sector)s text.
SELECT max(published.logical_date) AS logical_date
FROM sync.published_runs AS published
WHERE published.sector = %(sector)s;
