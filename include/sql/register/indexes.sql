-- Built after the bulk load, not before.
-- Not unique: a former CMND may have been issued to two persons (the rules never link it then).
CREATE INDEX IF NOT EXISTS persons_former_cmnd_idx ON dan_cu.persons (former_cmnd) WHERE former_cmnd IS NOT NULL;
CREATE INDEX IF NOT EXISTS persons_updated_at_idx ON dan_cu.persons (updated_at);
