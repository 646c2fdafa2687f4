-- Reason counts per province and run, beside the sync rate (additive column): records per reason
-- code, a record counted once for each of its reasons. '{}' for runs published before the column.
ALTER TABLE sync.province_sync_rate ADD COLUMN IF NOT EXISTS reason_counts jsonb NOT NULL DEFAULT '{}'::jsonb;
