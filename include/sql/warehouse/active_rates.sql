-- The sync rate over records in force, beside the rate over all records (additive columns).
-- active_total: records whose is_active is true (NULL counts as not in force);
-- active_matched: those of them that matched the register; active_sync_rate = their ratio.
-- All three are NULL for datasets without an is_active column (and for runs before these columns).
SELECT pg_temp.add_column_if_missing('sync.sector_sync_rate', 'active_total', 'bigint');
SELECT pg_temp.add_column_if_missing('sync.sector_sync_rate', 'active_matched', 'bigint');
SELECT pg_temp.add_column_if_missing('sync.sector_sync_rate', 'active_sync_rate', 'double precision');
SELECT pg_temp.add_column_if_missing('sync.province_sync_rate', 'active_total', 'bigint');
SELECT pg_temp.add_column_if_missing('sync.province_sync_rate', 'active_matched', 'bigint');
SELECT pg_temp.add_column_if_missing('sync.province_sync_rate', 'active_sync_rate', 'double precision');
