-- What the last sync of a mirror recorded (no row before the first sync).
-- Inputs: %(mirror)s text — the mirror's name ('population_register').
SELECT sync_state.high_watermark, sync_state.row_count
FROM reference.sync_state AS sync_state
WHERE sync_state.mirror = %(mirror)s;
