-- Built after the bulk load, not before.
CREATE UNIQUE INDEX IF NOT EXISTS persons_former_cmnd_idx ON dan_cu.persons (former_cmnd) WHERE former_cmnd IS NOT NULL;
CREATE INDEX IF NOT EXISTS persons_updated_at_idx ON dan_cu.persons (updated_at);
