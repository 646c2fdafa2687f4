-- Audit trail: who did what to the contract's data (verdicts, exports, access changes).
-- Append-only; readable by the pipeline's role and popsync_auditor only.
-- Inputs: none (DDL, idempotent).

CREATE TABLE IF NOT EXISTS sync.audit_log (
    event_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL,   -- Airflow user name, or the OS user for the CLI
    action      text        NOT NULL,   -- e.g. verdict.set, export.csv, export.xlsx
    sector      text,
    dataset     text,
    detail      jsonb       NOT NULL DEFAULT '{}'   -- never an ID number or a name: source keys, filters, counts
);

CREATE INDEX IF NOT EXISTS audit_log_sector_time ON sync.audit_log (sector, occurred_at);
