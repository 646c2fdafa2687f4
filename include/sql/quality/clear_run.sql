-- Remove a run's quality results and GX validations before they are written again (a retried run).
-- Inputs: %(sector)s, %(dataset)s, %(run_id)s text. Returns how many rows of each were removed.
WITH cleared_results AS (
    DELETE FROM sync.quality_results AS results
    WHERE results.sector = %(sector)s AND results.dataset = %(dataset)s AND results.run_id = %(run_id)s
    RETURNING 1
),

cleared_validations AS (
    DELETE FROM sync.quality_validations AS validations
    WHERE validations.sector = %(sector)s AND validations.dataset = %(dataset)s AND validations.run_id = %(run_id)s
    RETURNING 1
)

SELECT
    (SELECT count(*) FROM cleared_results) AS results,
    (SELECT count(*) FROM cleared_validations) AS validations;
