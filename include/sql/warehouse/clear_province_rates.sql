-- Remove a run's rates per province before they are written again (a retried run).
-- Inputs: %(sector)s, %(dataset)s, %(run_id)s text.
DELETE FROM sync.province_sync_rate AS provinces
WHERE provinces.sector = %(sector)s AND provinces.dataset = %(dataset)s AND provinces.run_id = %(run_id)s;
