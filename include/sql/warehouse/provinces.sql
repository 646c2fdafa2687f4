-- Provinces with validity dates: the 63 former ones (valid until 2025-06-30) and the 34 current
-- ones (from 2025-07-01, Resolution 202/2025/QH15), each with the current province it is part of.
-- Rows come from popsync.domain.provinces_now (upserted by the schema set-up). A province code
-- keeps its meaning in the ID (where a birth was registered); residence codes of either table
-- resolve to the same current province through current_code.
CREATE TABLE IF NOT EXISTS reference.provinces (
    code         text NOT NULL,
    code_set     text NOT NULL CHECK (code_set IN ('former', 'current')),
    name         text NOT NULL,
    valid_from   date,
    valid_to     date,
    current_code text NOT NULL,
    PRIMARY KEY (code, code_set)
);
