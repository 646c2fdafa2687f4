-- The population register (reference database). Created by the demo-data generator;
-- in production this is the national population database's export interface.
CREATE SCHEMA IF NOT EXISTS dan_cu;

CREATE TABLE IF NOT EXISTS dan_cu.persons (
    national_id          char(12)    PRIMARY KEY,
    former_cmnd          char(9),
    full_name            text        NOT NULL,
    birth_date           date        NOT NULL,
    birth_date_precision text        NOT NULL CHECK (birth_date_precision IN ('day', 'month', 'year')),
    gender               char(1)     NOT NULL CHECK (gender IN ('M', 'F')),
    residence_province   char(3)     NOT NULL,
    is_deceased          boolean     NOT NULL DEFAULT false,
    date_of_death        date,
    updated_at           timestamptz NOT NULL,
    residence_commune    char(5)                 -- five-digit commune code (NULL: not known)
);
