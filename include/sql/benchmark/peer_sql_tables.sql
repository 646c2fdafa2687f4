-- Benchmark peer "hand-written SQL": the warehouse tables it moves the inputs into and writes
-- its results to (dropped and made again at each run). Inputs: none.
CREATE SCHEMA IF NOT EXISTS bench_peers;
DROP TABLE IF EXISTS bench_peers.sql_register, bench_peers.sql_cards, bench_peers.sql_mismatches;
CREATE UNLOGGED TABLE bench_peers.sql_register (
    national_id          text,
    former_cmnd          text,
    full_name            text,
    birth_date           date,
    birth_date_precision text,
    gender               text,
    residence_province   text,
    is_deceased          boolean
);
CREATE UNLOGGED TABLE bench_peers.sql_cards (
    source_key  text,
    national_id text,
    full_name   text,
    birth_date  text,
    gender      text,
    is_active   boolean
);
CREATE TABLE bench_peers.sql_mismatches (
    source_key  text NOT NULL,
    national_id text,
    reasons     text NOT NULL
);
-- The name key a data engineer would write once: NFC, control characters to spaces, lower case,
-- collapsed spaces, new-style tone placement (an SQL function, inlined by the planner).
CREATE OR REPLACE FUNCTION pg_temp.name_key(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
           replace(replace(replace(replace(replace(
        btrim(regexp_replace(lower(regexp_replace(normalize(coalesce(raw, ''), NFC), '[\x01-\x1f\x7f]', ' ', 'g')),
                             '[\s\u00a0]+', ' ', 'g')),
        'òa', 'oà'), 'óa', 'oá'), 'ỏa', 'oả'), 'õa', 'oã'), 'ọa', 'oạ'),
        'òe', 'oè'), 'óe', 'oé'), 'ỏe', 'oẻ'), 'õe', 'oẽ'), 'ọe', 'oẹ'),
        'ùy', 'uỳ'), 'úy', 'uý'), 'ủy', 'uỷ'), 'ũy', 'uỹ'), 'ụy', 'uỵ')
$$;
-- The name key without diacritics.
CREATE OR REPLACE FUNCTION pg_temp.name_plain(key text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT translate(key,
        'àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ',
        'aaaaaaaaaaaaaaaaadeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyy')
$$;
