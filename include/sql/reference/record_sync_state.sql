-- Record a mirror's high watermark and row count after a sync (one row per mirror).
-- Inputs: %(mirror)s text; %(high_watermark)s timestamptz — the newest updated_at mirrored;
-- %(row_count)s bigint — the mirror's rows after the sync.
INSERT INTO reference.sync_state AS sync_state (mirror, high_watermark, row_count)
VALUES (%(mirror)s, %(high_watermark)s, %(row_count)s)
ON CONFLICT (mirror) DO UPDATE SET
    high_watermark = excluded.high_watermark,
    row_count = excluded.row_count,
    synced_at = now();
