-- Remove a death list's unregistered deaths before the run writes them again.
-- Inputs: %(sector)s, %(dataset)s text.
DELETE FROM sync.unregistered_deaths AS deaths
WHERE deaths.sector = %(sector)s AND deaths.dataset = %(dataset)s;
