-- Reason counts per province and run, beside the sync rate (additive column): records per reason
-- code, a record counted once for each of its reasons. '{}' for runs published before the column.
SELECT pg_temp.add_column_if_missing('sync.province_sync_rate', 'reason_counts', 'jsonb NOT NULL DEFAULT ''{}''::jsonb');
