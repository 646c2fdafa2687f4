-- One audit event. Parameters: actor, action, sector, dataset, detail (jsonb).
INSERT INTO sync.audit_log (actor, action, sector, dataset, detail)
VALUES (%(actor)s, %(action)s, %(sector)s, %(dataset)s, %(detail)s)
RETURNING event_id;
