-- Wait for a transaction-level advisory lock (released at commit or rollback).
-- Inputs: %(lock)s bigint — one of popsync.db.locks' keys.
SELECT pg_advisory_xact_lock(%(lock)s);
