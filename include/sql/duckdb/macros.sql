-- Name normalisation shared by normalise.sql and reconcile.sql (DuckDB).

-- Control characters become spaces; runs of white space collapse; trimmed.
CREATE OR REPLACE MACRO clean_spaces(txt) AS
    trim(regexp_replace(regexp_replace(txt, '[\x00-\x1F\x7F]', ' ', 'g'), '\s+', ' ', 'g'));

-- Old-style tone placement (hòa, thúy, khỏe) rewritten to the new style (hoà, thuý, khoẻ).
CREATE OR REPLACE MACRO new_style_tones(txt) AS
    replace(replace(replace(replace(replace(
    replace(replace(replace(replace(replace(
    replace(replace(replace(replace(replace(txt,
        'òa', 'oà'), 'óa', 'oá'), 'ỏa', 'oả'), 'õa', 'oã'), 'ọa', 'oạ'),
        'òe', 'oè'), 'óe', 'oé'), 'ỏe', 'oẻ'), 'õe', 'oẽ'), 'ọe', 'oẹ'),
        'ùy', 'uỳ'), 'úy', 'uý'), 'ủy', 'uỷ'), 'ũy', 'uỹ'), 'ụy', 'uỵ');

-- Two names are the same name when their keys are equal.
CREATE OR REPLACE MACRO name_key(txt) AS
    new_style_tones(lower(clean_spaces(nfc_normalize(txt))));

-- The name key with every diacritic dropped and đ mapped to d.
CREATE OR REPLACE MACRO name_without_diacritics(txt) AS
    strip_accents(replace(name_key(txt), 'đ', 'd'));
