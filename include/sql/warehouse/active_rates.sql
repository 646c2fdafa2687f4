-- The sync rate over records in force, beside the rate over all records (additive columns).
-- active_total: records whose is_active is true (NULL counts as not in force);
-- active_matched: those of them that matched the register; active_sync_rate = their ratio.
-- All three are NULL for datasets without an is_active column (and for runs before these columns).
ALTER TABLE sync.sector_sync_rate ADD COLUMN IF NOT EXISTS active_total bigint;
ALTER TABLE sync.sector_sync_rate ADD COLUMN IF NOT EXISTS active_matched bigint;
ALTER TABLE sync.sector_sync_rate ADD COLUMN IF NOT EXISTS active_sync_rate double precision;
ALTER TABLE sync.province_sync_rate ADD COLUMN IF NOT EXISTS active_total bigint;
ALTER TABLE sync.province_sync_rate ADD COLUMN IF NOT EXISTS active_matched bigint;
ALTER TABLE sync.province_sync_rate ADD COLUMN IF NOT EXISTS active_sync_rate double precision;
