-- A dataset's published run, locked for the swap (no row before its first publish).
-- Inputs: %(sector)s, %(dataset)s text.
SELECT published.logical_date, published.matches_table, published.mismatches_table, published.run_id,
    published.candidates_table, published.state_ref
FROM sync.published_runs AS published
WHERE published.sector = %(sector)s AND published.dataset = %(dataset)s
FOR UPDATE;
