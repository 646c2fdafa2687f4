-- Indexes for the web workbench (keyset pagination and search over millions of mismatches).
-- Inputs: none (DDL, idempotent). Created on the partitioned parent, so every published
-- partition gets them (PostgreSQL builds them when a run's partition is attached).

CREATE INDEX IF NOT EXISTS mismatches_workbench_key ON sync.mismatches (sector, dataset, source_key);
CREATE INDEX IF NOT EXISTS mismatches_national_id ON sync.mismatches (national_id);
CREATE INDEX IF NOT EXISTS mismatches_linked_national_id ON sync.mismatches (linked_national_id);
