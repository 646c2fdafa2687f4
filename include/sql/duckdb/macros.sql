-- Name normalisation shared by normalise.sql and reconcile.sql (DuckDB).

-- Each macro first checks cheaply whether it has anything to do: most names need nothing.

-- Unicode NFC (only text with combining marks can change).
CREATE OR REPLACE MACRO nfc(txt) AS
    CASE WHEN regexp_matches(txt, '[\x{0300}-\x{036F}]') THEN nfc_normalize(txt) ELSE txt END;

-- Control characters (C0, DEL, C1) become spaces; runs of white space collapse; trimmed.
CREATE OR REPLACE MACRO clean_spaces(txt) AS
    CASE
        WHEN regexp_matches(txt, '[\x00-\x1F\x7F-\x9F]|\s\s|^\s|\s$')
            THEN trim(regexp_replace(regexp_replace(txt, '[\x00-\x1F\x7F-\x9F]', ' ', 'g'), '\s+', ' ', 'g'))
        ELSE txt
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
    new_style_tones(lower(clean_spaces(nfc(txt))));

-- The name key with every diacritic dropped and đ mapped to d.
CREATE OR REPLACE MACRO name_without_diacritics(txt) AS
    strip_accents(replace(name_key(txt), 'đ', 'd'));

-- A name that is not clean: control characters, or legacy-encoding mojibake (characters a
-- Windows-1252 decoder produces but Vietnamese never uses, in text made only of such
-- characters). Used by the data-quality gate's "sạch" check.
CREATE OR REPLACE MACRO looks_garbled(txt) AS
    regexp_matches(txt, '[\x00-\x1F\x7F-\x9F]')
    OR (
        regexp_full_match(txt, '[\x20-\x7E\xA0-\xFF€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]*')
        AND regexp_matches(
            txt, '[\xA0-\xBF\xC4-\xC7\xCB\xCE-\xD1\xD6-\xD8\xDB\xDC\xDE\xDF\xE4-\xE7\xEB\xEE-\xF1\xF6-\xF8\xFB\xFC\xFE\xFF€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]'
        )
    );
