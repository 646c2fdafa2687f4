-- Every dataset's published run, for the Data Docs of what is published. No parameters.
SELECT published.sector, published.dataset, published.run_id
FROM sync.published_runs AS published
ORDER BY published.sector, published.dataset;
