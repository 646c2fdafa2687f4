-- A dataset's published run: its id, logical date, kept incremental state (NULL: none) and
-- candidate-list table (NULL: published before the lists existed). No row before the first publish.
-- Inputs: %(sector)s, %(dataset)s text.
SELECT published.run_id, published.logical_date, published.state_ref, published.candidates_table
FROM sync.published_runs AS published
WHERE published.sector = %(sector)s AND published.dataset = %(dataset)s;
