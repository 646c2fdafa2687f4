-- Warehouse schema: register mirror, per-run work tables and the public `sync` contract.
-- Idempotent: applied before every pipeline step that needs it.

CREATE SCHEMA IF NOT EXISTS reference;     -- mirror of the population register
CREATE SCHEMA IF NOT EXISTS staging;       -- raw and normalised extracts, one table per run
CREATE SCHEMA IF NOT EXISTS sync;          -- the public data contract
CREATE SCHEMA IF NOT EXISTS sync_partitions;  -- one partition per dataset and run, behind sync.*

CREATE TABLE IF NOT EXISTS reference.persons (
    national_id          text        PRIMARY KEY,
    former_cmnd          text,
    full_name            text        NOT NULL,
    birth_date           date,
    birth_date_precision text        NOT NULL,
    gender               text        NOT NULL,
    residence_province   text,
    is_deceased          boolean     NOT NULL,
    date_of_death        date,
    updated_at           timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS reference.sync_state (
    mirror         text        PRIMARY KEY,
    high_watermark timestamptz NOT NULL,
    row_count      bigint      NOT NULL,
    synced_at      timestamptz NOT NULL DEFAULT now()
);

-- Latest run of each dataset: a swap of one leaf partition publishes a run atomically.
CREATE TABLE IF NOT EXISTS sync.matches (
    sector        text        NOT NULL,
    dataset       text        NOT NULL,
    source_key    text,
    national_id   text        NOT NULL,
    province_code text,
    run_id        text        NOT NULL,
    logical_date  timestamptz NOT NULL
) PARTITION BY LIST (sector);

CREATE TABLE IF NOT EXISTS sync.mismatches (
    sector             text        NOT NULL,
    dataset            text        NOT NULL,
    source_key         text,
    national_id        text,
    linked_national_id text,
    province_code      text,
    reasons            text[]      NOT NULL,
    details            jsonb       NOT NULL,
    first_seen         timestamptz NOT NULL,
    run_id             text        NOT NULL,
    logical_date       timestamptz NOT NULL
) PARTITION BY LIST (sector);

-- One row per run and dataset; history is kept.
CREATE TABLE IF NOT EXISTS sync.sector_sync_rate (
    sector           text             NOT NULL,
    dataset          text             NOT NULL,
    run_id           text             NOT NULL,
    logical_date     timestamptz      NOT NULL,
    total            bigint           NOT NULL,
    matched          bigint           NOT NULL,
    mismatched       bigint           NOT NULL,
    sync_rate        double precision,
    reason_counts    jsonb            NOT NULL,
    quality_status   text             NOT NULL DEFAULT 'passed',
    quality_warnings jsonb            NOT NULL DEFAULT '[]',
    published_at     timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (sector, dataset, run_id)
);

CREATE TABLE IF NOT EXISTS sync.province_sync_rate (
    sector        text             NOT NULL,
    dataset       text             NOT NULL,
    run_id        text             NOT NULL,
    logical_date  timestamptz      NOT NULL,
    province_code text             NOT NULL,
    total         bigint           NOT NULL,
    matched       bigint           NOT NULL,
    mismatched    bigint           NOT NULL,
    sync_rate     double precision,
    PRIMARY KEY (sector, dataset, run_id, province_code)
);

-- One row per expectation per run of the data-quality gate.
CREATE TABLE IF NOT EXISTS sync.quality_results (
    sector         text        NOT NULL,
    dataset        text        NOT NULL,
    run_id         text        NOT NULL,
    logical_date   timestamptz NOT NULL,
    check_name     text        NOT NULL,
    quality        text        NOT NULL,   -- đúng, đủ, sạch, sống
    expectation    text        NOT NULL,
    severity       text        NOT NULL,   -- fail, warn
    success        boolean     NOT NULL,
    observed_value double precision,
    threshold      double precision,
    details        jsonb       NOT NULL,
    checked_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sector, dataset, run_id, check_name)
);

-- Which run of each dataset is published, and the partitions that hold it.
CREATE TABLE IF NOT EXISTS sync.published_runs (
    sector           text        NOT NULL,
    dataset          text        NOT NULL,
    run_id           text        NOT NULL,
    logical_date     timestamptz NOT NULL,
    matches_table    text        NOT NULL,
    mismatches_table text        NOT NULL,
    published_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sector, dataset)
);

-- The files a run of a file-sourced dataset read: name, SHA-256 and size, rows; one row per file
-- per reconcile attempt (written when the file has been read, whether or not the run is published).
CREATE TABLE IF NOT EXISTS sync.source_files (
    sector       text        NOT NULL,
    dataset      text        NOT NULL,
    run_id       text        NOT NULL,
    attempt      text        NOT NULL DEFAULT '',
    logical_date timestamptz NOT NULL,
    file_name    text        NOT NULL,
    sha256       text        NOT NULL,
    size_bytes   bigint      NOT NULL,
    row_count    bigint      NOT NULL,
    encoding     text,
    read_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sector, dataset, run_id, attempt, file_name)
);
