-- Name normalisation shared by normalise.sql and reconcile.sql (DuckDB).
-- The Python side of every rule is popsync.domain.name_repairs / legacy_encodings; tests check
-- that both agree character by character.

-- Each macro first checks cheaply whether it has anything to do: most names need nothing.

-- Unicode NFC (only text with combining marks can change).
CREATE OR REPLACE MACRO nfc(txt) AS
    CASE WHEN regexp_matches(txt, '[\x{0300}-\x{036F}]') THEN nfc_normalize(txt) ELSE txt END;

-- Characters that are not what they look like: look-alikes of Vietnamese/Latin letters
-- (Ð U+00D0, Ɖ U+0189, ð, ɖ for Đ/đ; Cyrillic, Greek and full-width letters), white space other
-- than ASCII (no-break, ideographic, ...) and invisible characters (zero-width, BOM, soft hyphen,
-- direction marks). Same list as popsync.domain.name_repairs.
CREATE OR REPLACE MACRO has_lookalikes(txt) AS
    regexp_matches(txt, '[\x{00D0}\x{0189}\x{00F0}\x{0256}\x{0410}\x{0412}\x{0415}\x{041A}\x{041C}-\x{041E}\x{0420}-\x{0422}\x{0425}\x{0406}\x{0408}\x{0405}\x{0423}\x{0430}\x{0435}\x{043E}\x{0440}\x{0441}\x{0443}\x{0445}\x{0456}\x{0458}\x{0455}\x{0501}\x{0391}\x{0392}\x{0395}-\x{0397}\x{0399}\x{039A}\x{039C}\x{039D}\x{039F}\x{03A1}\x{03A4}\x{03A5}\x{03A7}\x{03BF}\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A}\x{00A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{00AD}\x{034F}\x{180E}\x{200B}-\x{200F}\x{202A}-\x{202E}\x{2060}-\x{2064}\x{2066}-\x{2069}\x{FEFF}]');

-- Invisible characters dropped, other white space made ASCII, look-alikes replaced by the letter
-- they stand for (translate maps the n-th character of the second argument to the n-th of the third).
CREATE OR REPLACE MACRO fold_lookalikes(txt) AS
    CASE WHEN has_lookalikes(txt) THEN
        translate(
            regexp_replace(
                regexp_replace(txt, '[\x{00AD}\x{034F}\x{180E}\x{200B}-\x{200F}\x{202A}-\x{202E}\x{2060}-\x{2064}\x{2066}-\x{2069}\x{FEFF}]', '', 'g'),
                '[\x{00A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]', ' ', 'g'),
            'ÐƉðɖАВЕКМНОРСТХІЈЅУаеорсухіјѕԁΑΒΕΖΗΙΚΜΝΟΡΤΥΧοＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ',
            'ĐĐđđABEKMHOPCTXIJSYaeopcyxijsdABEZHIKMNOPTYXoABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')
    ELSE txt END;

-- Every character a Windows-1252 or Latin-1 decoder can produce: only such text can be the
-- result of reading bytes in another encoding (the one mojibake character class).
CREATE OR REPLACE MACRO single_byte_text(txt) AS
    regexp_full_match(txt, '[\x00-\xFF€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]*');

-- Text that may be an encoding accident: single-byte text that is not ASCII, or ASCII with VIQR
-- marks (a vowel followed by ( ^ + * or a tone character, or dd for đ).
CREATE OR REPLACE MACRO may_be_misencoded(txt) AS
    single_byte_text(txt)
    AND (
        NOT regexp_full_match(txt, '[\x00-\x7F]*')
        OR regexp_matches(txt, '[aeiouyAEIOUY][(^+*''`?~.]|[dD][dD]')
    );

-- Control characters (C0, DEL, C1) become spaces; runs of white space collapse; trimmed.
CREATE OR REPLACE MACRO clean_spaces(txt) AS
    CASE
        WHEN regexp_matches(txt, '[\x00-\x1F\x7F-\x9F]|\s\s|^\s|\s$')
            THEN trim(regexp_replace(regexp_replace(txt, '[\x00-\x1F\x7F-\x9F]', ' ', 'g'), '\s+', ' ', 'g'))
        ELSE txt
    END;

-- The coarser of two birth-date precisions ('year' > 'month' > 'day').
CREATE OR REPLACE MACRO coarser_precision(a, b) AS
    CASE WHEN 'year' IN (a, b) THEN 'year' WHEN 'month' IN (a, b) THEN 'month' ELSE 'day' END;

-- Two dates agree when equal at the coarser of their precisions (compared field by field: a
-- date_trunc whose part varies per row costs half as much again).
CREATE OR REPLACE MACRO dates_agree(a, a_precision, b, b_precision) AS
    CASE coarser_precision(a_precision, b_precision)
        WHEN 'day' THEN a = b
        WHEN 'month' THEN year(a) = year(b) AND month(a) = month(b)
        ELSE year(a) = year(b)
    END;

-- How a register person's ID (`person_nid`) is one slip away from a record's ID (`record_nid`, of
-- kind `record_id_kind`): 1 leading zeros lost (10 or 11 digits padded on the left), 2 letters typed
-- for the digits they look like, 3 two adjacent digits swapped, 4 one digit mistyped; NULL when
-- it is none of these (the ID itself included). The suggested-ID search compares a record's ID
-- with the IDs of the persons in its name blocks (suggestions.sql). Same relation and letter table
-- as popsync.domain.id_suggestions.id_method; tests compare the two.
CREATE OR REPLACE MACRO id_slip(record_nid, record_id_kind, person_nid) AS
    CASE
        WHEN NOT regexp_full_match(person_nid, '[0-9]{12}') THEN NULL
        WHEN regexp_full_match(record_nid, '[0-9]{12}') THEN
            CASE hamming(record_nid, person_nid)
                WHEN 1 THEN 4
                WHEN 2 THEN CASE WHEN list_contains(
                    [substr(record_nid, 1, p - 1) || substr(record_nid, p + 1, 1) || substr(record_nid, p, 1)
                        || substr(record_nid, p + 2) FOR p IN range(1, 12)],
                    person_nid
                ) THEN 3 END
            END
        WHEN record_id_kind <> 'invalid' THEN NULL
        WHEN regexp_full_match(record_nid, '[0-9]{10,11}') THEN
            CASE WHEN lpad(record_nid, 12, '0') = person_nid THEN 1 END
        WHEN regexp_matches(record_nid, '[^0-9]') THEN
            CASE WHEN translate(record_nid, 'OoQDIlLi|ZzSsGTBgq', '000011111225567899') = person_nid THEN 2 END
    END;

-- Old-style tone placement (hòa, thúy, khỏe) rewritten to the new style (hoà, thuý, khoẻ).
CREATE OR REPLACE MACRO new_style_tones(txt) AS
    CASE WHEN NOT regexp_matches(txt, '[òóỏõọ][ae]|[ùúủũụ]y') THEN txt ELSE
    replace(replace(replace(replace(replace(
    replace(replace(replace(replace(replace(
    replace(replace(replace(replace(replace(txt,
        'òa', 'oà'), 'óa', 'oá'), 'ỏa', 'oả'), 'õa', 'oã'), 'ọa', 'oạ'),
        'òe', 'oè'), 'óe', 'oé'), 'ỏe', 'oẻ'), 'õe', 'oẽ'), 'ọe', 'oẹ'),
        'ùy', 'uỳ'), 'úy', 'uý'), 'ủy', 'uỷ'), 'ũy', 'uỹ'), 'ụy', 'uỵ')
    END;

-- Two names are the same name when their keys are equal.
CREATE OR REPLACE MACRO name_key(txt) AS
    new_style_tones(lower(clean_spaces(nfc(fold_lookalikes(txt)))));

-- A name key with every diacritic dropped and đ mapped to d.
CREATE OR REPLACE MACRO fold_key(key) AS
    strip_accents(replace(key, 'đ', 'd'));

-- The name key with every diacritic dropped and đ mapped to d.
CREATE OR REPLACE MACRO name_without_diacritics(txt) AS
    fold_key(name_key(txt));

-- The names the suggested-ID search looks a record's name up by (docs/reconciliation-rules.md,
-- "Suggested IDs"): the keys of the repairs of an encoding accident, beside the name as written.
CREATE OR REPLACE MACRO repaired_keys(txt) AS
    CASE WHEN txt IS NOT NULL AND may_be_misencoded(txt) THEN
        list_distinct(list_transform(name_repairs(txt), lambda repaired: name_key(repaired)))
    ELSE []::VARCHAR[] END;

-- A name that is not clean: control characters, look-alikes, unusual or invisible white space,
-- or an encoding accident the repair recognises (repair_name is the Python UDF registered by the
-- DuckDB session). Used by the data-quality gate's "sạch" check.
CREATE OR REPLACE MACRO looks_garbled(txt) AS
    CASE
        WHEN txt IS NULL THEN false
        WHEN regexp_matches(txt, '[\x00-\x1F\x7F-\x9F]') OR has_lookalikes(txt) THEN true
        WHEN may_be_misencoded(txt) THEN repair_name(txt) <> nfc(txt)
        ELSE false
    END;

-- Where a key (the ID a record resolves to, a register person's ID) lies among the 65,536 key slots:
-- the register snapshot is stored sorted by the slot of each person's ID, and bucket b of a run in
-- B buckets holds the keys of slots [ceil(b·65536/B), ceil((b+1)·65536/B)), so a bucket reads only
-- its own stretch of the snapshot (plan.py: slot_range). DuckDB's hash is fixed per DuckDB version;
-- the snapshot records the version it was written with. The slot hashes the key with a suffix, so
-- it is independent of the key's own hash: DuckDB's join and aggregate tables place a key by the
-- low bits of its hash, and a bucket whose keys all shared those bits would crowd its tables
-- (measured: a 10M-register bucket's register join 4.5 → 28 s, its classification 4.4 → 45 s).
CREATE OR REPLACE MACRO key_slot(key) AS
    (hash(key || '#slot') % 65536)::INTEGER;

-- The bucket of a key slot in a run of `buckets` buckets (contiguous stretches of slots).
CREATE OR REPLACE MACRO slot_bucket(slot, buckets) AS
    (slot * buckets // 65536)::INTEGER;

-- One version of a register person: a 64-bit hash of every column the classification reads (the
-- snapshot stores it per person; incremental/register_changes.sql compares versions by it).
CREATE OR REPLACE MACRO person_hash(
    national_id, former_cmnd, full_name, birth_date, birth_date_precision, gender, residence_province,
    is_deceased, date_of_death, name_key
) AS
    hash(national_id, former_cmnd, full_name, birth_date, birth_date_precision, gender, residence_province,
        is_deceased, date_of_death, name_key);
