-- Great Expectations results in the `sync` contract (additive; applied after warehouse/schema.sql).
-- sync.quality_results keeps one row per expectation per run; these columns carry GX's own result.
ALTER TABLE sync.quality_results ADD COLUMN IF NOT EXISTS expectation_type text;   -- GX type, e.g. expect_column_min_to_be_between
ALTER TABLE sync.quality_results ADD COLUMN IF NOT EXISTS data_asset text;         -- profile, extract, mismatches, matches
ALTER TABLE sync.quality_results ADD COLUMN IF NOT EXISTS observed jsonb;          -- GX's observed value (any JSON)
ALTER TABLE sync.quality_results ADD COLUMN IF NOT EXISTS gx_result jsonb;         -- GX's ExpectationValidationResult

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
