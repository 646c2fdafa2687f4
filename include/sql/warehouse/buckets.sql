-- The bucket of a partitioned dataset run (additive to the contract; 0 for a run in one bucket).
-- A dataset run split into buckets publishes its run table as a partitioned table, LIST on
-- `bucket`, with one leaf per bucket (docs/performance.md, "Partitioned dataset runs").
-- Added to the partitioned parents, so every partition and every per-run table created LIKE them
-- carries it. Guarded by a catalog check: ALTER TABLE would take an exclusive lock on the
-- published tables at every schema check, queueing behind readers.
-- Inputs: sync.matches, sync.mismatches, sync.suggestion_candidates.
DO $buckets$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_attribute
        WHERE attrelid = 'sync.matches'::regclass AND attname = 'bucket' AND NOT attisdropped
    ) THEN
        ALTER TABLE sync.matches ADD COLUMN bucket smallint NOT NULL DEFAULT 0;
        COMMENT ON COLUMN sync.matches.bucket IS
            'Bucket of the dataset run that produced the row (a hash of the resolved personal ID); 0 when unsplit.';
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_attribute
        WHERE attrelid = 'sync.mismatches'::regclass AND attname = 'bucket' AND NOT attisdropped
    ) THEN
        ALTER TABLE sync.mismatches ADD COLUMN bucket smallint NOT NULL DEFAULT 0;
        COMMENT ON COLUMN sync.mismatches.bucket IS
            'Bucket of the dataset run that produced the row (a hash of the resolved personal ID); 0 when unsplit.';
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_attribute
        WHERE attrelid = 'sync.suggestion_candidates'::regclass AND attname = 'bucket' AND NOT attisdropped
    ) THEN
        ALTER TABLE sync.suggestion_candidates ADD COLUMN bucket smallint NOT NULL DEFAULT 0;
        COMMENT ON COLUMN sync.suggestion_candidates.bucket IS
            'Bucket of the dataset run that produced the row (a hash of the resolved personal ID); 0 when unsplit.';
    END IF;
END
$buckets$;
