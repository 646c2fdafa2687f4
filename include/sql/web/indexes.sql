-- Indexes for the web workbench (keyset pagination and search over millions of mismatches).
-- Inputs: none (DDL, idempotent). Created on the partitioned parent, so every published
-- partition gets them (PostgreSQL builds them when a run's partition is attached).

CREATE INDEX IF NOT EXISTS mismatches_workbench_key ON sync.mismatches (sector, dataset, source_key);
CREATE INDEX IF NOT EXISTS mismatches_national_id ON sync.mismatches (national_id);
CREATE INDEX IF NOT EXISTS mismatches_linked_national_id ON sync.mismatches (linked_national_id);

-- The workbench's lifecycle filters (reopened records, records with a current verdict) start from
-- these few rows instead of joining the whole lifecycle table. Applied after review/schema.sql.
CREATE INDEX IF NOT EXISTS mismatch_lifecycle_reopened
    ON sync.mismatch_lifecycle (sector, dataset, source_key) WHERE reopened_count > 0;
CREATE INDEX IF NOT EXISTS mismatch_lifecycle_current_verdict
    ON sync.mismatch_lifecycle (sector, dataset, source_key, verdict) WHERE verdict IS NOT NULL AND verdict_closed_at IS NULL;
