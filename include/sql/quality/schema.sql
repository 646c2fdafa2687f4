-- Great Expectations results in the `sync` contract (additive; applied after warehouse/schema.sql).
-- sync.quality_results keeps one row per expectation per run; these columns carry GX's own result.
SELECT pg_temp.add_column_if_missing('sync.quality_results', 'expectation_type', 'text');   -- GX type, e.g. expect_column_min_to_be_between
SELECT pg_temp.add_column_if_missing('sync.quality_results', 'data_asset', 'text');         -- profile, extract, mismatches, matches
SELECT pg_temp.add_column_if_missing('sync.quality_results', 'observed', 'jsonb');          -- GX's observed value (any JSON)
SELECT pg_temp.add_column_if_missing('sync.quality_results', 'gx_result', 'jsonb');         -- GX's ExpectationValidationResult

-- GX's validation result of each kind of data of a run (one per data asset), as GX serialises it:
-- the source of the Data Docs pages, built after publishing.
CREATE TABLE IF NOT EXISTS sync.quality_validations (
    sector       text        NOT NULL,
    dataset      text        NOT NULL,
    run_id       text        NOT NULL,
    data_asset   text        NOT NULL,
    logical_date timestamptz NOT NULL,
    suite        jsonb       NOT NULL,   -- the Expectation Suite validated (GX JSON)
    result       jsonb       NOT NULL,   -- ExpectationSuiteValidationResult (GX JSON)
    success      boolean     NOT NULL,
    validated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sector, dataset, run_id, data_asset)
);
