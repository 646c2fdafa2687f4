"""Every mistake in a sector YAML fails at parse time naming the file, the line and the field.

Table-driven: each case edits one valid definition (a text replacement) and states the line
and field the error must name, a fragment of the message, and the suggestion for near-misses.
"""

from dataclasses import dataclass
from pathlib import Path

import pytest

from popsync.sectors import SectorConfigError, load_sector, load_sectors
from popsync.sectors.cron import cron_problem

VALID = """\
sector: demo
title: Demo
owner: demo-team
schedule: "0 2 * * *"
source_conn_id: popsync_source_demo
datasets:
  people:
    title: People
    extract_sql: sources/justice/birth_registrations.sql
    columns:
      source_key: so_dang_ky
      national_id: ma_dinh_danh
      full_name: ho_ten
      birth_date: ngay_sinh
      gender: gioi_tinh
      updated_at: ngay_so_hoa
    birth_date_formats: [dd/mm/yyyy, yyyy]
    genders: {M: M, F: F}
    quality:
      row_count_stable: {threshold: 0.3, severity: fail}
      extract_fresh: {max_days: 30}
    expectations:
      - type: expect_column_values_to_match_regex
        kwargs: {column: so_dang_ky, regex: "^[0-9]+$"}
        data: extract
"""
# Line numbers of VALID:  1 sector, 4 schedule, 5 source_conn_id, 7 people, 9 extract_sql,
# 10 columns, 12 national_id, 15 gender, 17 birth_date_formats, 18 genders, 19 quality,
# 20 row_count_stable, 21 extract_fresh, 22 expectations, 23 type, 24 kwargs, 25 data.


@dataclass(frozen=True)
class Mistake:
    name: str
    old: str
    new: str
    line: int
    field: str
    message: str
    suggestion: str | None = None


MISTAKES = [
    # unknown keys, near misses
    Mistake("typo_birth_date_formats", "    birth_date_formats:", "    birth_date_fromats:", 17,
            "datasets.people.birth_date_fromats", "unknown field", "birth_date_formats"),
    Mistake("singular_birth_date_format", "    birth_date_formats:", "    birth_date_format:", 17,
            "datasets.people.birth_date_format", "unknown field", "birth_date_formats"),
    Mistake("typo_column_role", "      gender: gioi_tinh", "      gendre: gioi_tinh", 15,
            "datasets.people.columns.gendre", "unknown field", "gender"),
    Mistake("typo_top_level", "schedule:", "schedul:", 4, "schedul", "unknown field", "schedule"),
    Mistake("typo_extract_sql", "    extract_sql:", "    extract_query:", 9,
            "datasets.people.extract_query", "unknown field", "extract_sql"),
    Mistake("typo_quality_rule", "      row_count_stable:", "      row_count_stabel:", 20,
            "datasets.people.quality.row_count_stabel", "unknown field", "row_count_stable"),
    Mistake("typo_share_rule_field", "{threshold: 0.3, severity: fail}", "{treshold: 0.3, severity: fail}", 20,
            "datasets.people.quality.row_count_stable.treshold", "unknown field", "threshold"),
    Mistake("unrelated_unknown_key", "      gender: gioi_tinh\n", "      gender: gioi_tinh\n      shoe_size: x\n", 16,
            "datasets.people.columns.shoe_size", "allowed: birth_date, death_date, full_name, gender"),
    # wrong types
    Mistake("formats_not_a_list", "[dd/mm/yyyy, yyyy]", "dd/mm/yyyy", 17,
            "datasets.people.birth_date_formats", "valid tuple"),
    Mistake("genders_a_list", "{M: M, F: F}", "[M, F]", 18, "datasets.people.genders", "valid dictionary"),
    Mistake("threshold_percent_text", "threshold: 0.3", "threshold: 30%", 20,
            "datasets.people.quality.row_count_stable.threshold", "valid number"),
    Mistake("threshold_above_one", "threshold: 0.3", "threshold: 30", 20,
            "datasets.people.quality.row_count_stable.threshold", "less than or equal to 1"),
    Mistake("negative_freshness", "max_days: 30", "max_days: -1", 21,
            "datasets.people.quality.extract_fresh.max_days", "greater than or equal to 0"),
    Mistake("freshness_not_a_number", "max_days: 30", "max_days: a month", 21,
            "datasets.people.quality.extract_fresh.max_days", "valid integer"),
    Mistake("column_a_number", "national_id: ma_dinh_danh", "national_id: 12", 12,
            "datasets.people.columns.national_id", "valid string"),
    Mistake("columns_a_list", "    columns:\n", "    columns: [so_dang_ky]\n    unused_columns:\n", 10,
            "datasets.people.columns", "valid dictionary"),
    Mistake("dataset_body_empty", "  people:\n    title: People\n", "  empty:\n  people:\n    title: People\n", 7,
            "datasets.empty", "valid dictionary"),
    Mistake("severity_unknown", "severity: fail}", "severity: fatal}", 20,
            "datasets.people.quality.row_count_stable.severity", "Input should be", "fail"),
    Mistake("gender_code_unknown", "{M: M, F: F}", "{M: M, F: W}", 18, "datasets.people.genders.F", "Input should be"),
    Mistake("gender_code_lower_case", "{M: M, F: F}", "{M: M, F: f}", 18,
            "datasets.people.genders.F", "Input should be", "F"),
    Mistake("gender_keys_equal_ignoring_case", "{M: M, F: F}", "{M: M, m: M, F: F}", 18,
            "datasets.people.genders", "distinct ignoring case"),
    Mistake("genders_empty", "{M: M, F: F}", "{}", 18, "datasets.people.genders", "at least 1"),
    Mistake("formats_empty", "[dd/mm/yyyy, yyyy]", "[]", 17, "datasets.people.birth_date_formats", "at least 1"),
    Mistake("title_missing_value", "title: Demo\n", "title:\n", 2, "title", "valid string"),
    # buckets of a partitioned run
    Mistake("buckets_zero", "    genders: {M: M, F: F}\n", "    genders: {M: M, F: F}\n    buckets: 0\n", 19,
            "datasets.people.buckets", "greater than or equal to 1"),
    Mistake("buckets_too_many", "    genders: {M: M, F: F}\n", "    genders: {M: M, F: F}\n    buckets: 65\n", 19,
            "datasets.people.buckets", "less than or equal to 64"),
    Mistake("buckets_text", "    genders: {M: M, F: F}\n", "    genders: {M: M, F: F}\n    buckets: four\n", 19,
            "datasets.people.buckets", "valid integer"),
    # missing required fields
    Mistake("owner_missing", "owner: demo-team\n", "", 1, "owner", "Field required"),
    Mistake("source_key_missing", "      source_key: so_dang_ky\n", "", 10,
            "datasets.people.columns.source_key", "Field required"),
    Mistake("columns_missing", "    columns:\n      source_key: so_dang_ky\n      national_id: ma_dinh_danh\n"
            "      full_name: ho_ten\n      birth_date: ngay_sinh\n      gender: gioi_tinh\n"
            "      updated_at: ngay_so_hoa\n", "", 7, "datasets.people.columns", "Field required"),
    Mistake("datasets_missing", "datasets:\n  people:", "datasetz:\n  people:", 6, "datasetz", "unknown field",
            "datasets"),
    Mistake("owner_empty", "owner: demo-team", "owner: ''", 3, "owner", "at least 1 character"),
    # identifiers, injection, paths
    Mistake("sector_upper_case", "sector: demo", "sector: Demo", 1, "sector", "not a valid identifier"),
    Mistake("sector_with_space", "sector: demo", "sector: health insurance", 1, "sector", "not a valid identifier"),
    Mistake("sector_injection", "sector: demo", "sector: \"demo; DROP TABLE sync.matches; --\"", 1, "sector",
            "not a valid identifier"),
    Mistake("dataset_name_dash", "  people:", "  people-list:", 7, "datasets.people-list.name",
            "not a valid identifier"),
    Mistake("column_injection", "national_id: ma_dinh_danh", "national_id: ma_dinh_danh; DROP TABLE x", 12,
            "datasets.people.columns.national_id", "not a valid identifier"),
    Mistake("column_quote_injection", "full_name: ho_ten", "full_name: 'ho_ten\" FROM pg_shadow --'", 13,
            "datasets.people.columns.full_name", "not a valid identifier"),
    Mistake("column_too_long", "full_name: ho_ten", "full_name: " + "x" * 64, 13,
            "datasets.people.columns.full_name", "at most 63"),
    Mistake("conn_id_injection", "source_conn_id: popsync_source_demo", "source_conn_id: \"x'; --\"", 5,
            "source_conn_id", "not a valid identifier"),
    Mistake("extract_sql_missing_file", "birth_registrations.sql", "missing.sql", 9,
            "datasets.people.extract_sql", "does not exist"),
    Mistake("extract_sql_path_traversal", "sources/justice/birth_registrations.sql", "../../../etc/passwd.sql", 9,
            "datasets.people.extract_sql", "below include/sql"),
    Mistake("extract_sql_not_sql", "sources/justice/birth_registrations.sql", "sources/justice/schema.txt", 9,
            "datasets.people.extract_sql", "below include/sql"),
    # date formats
    Mistake("date_format_dots", "[dd/mm/yyyy, yyyy]", "[dd.mm.yyyy, yyyy]", 17,
            "datasets.people.birth_date_formats.0", "Input should be", "dd/mm/yyyy"),
    Mistake("date_format_strftime", "[dd/mm/yyyy, yyyy]", "['%d/%m/%Y', yyyy]", 17,
            "datasets.people.birth_date_formats.0", "Input should be"),
    Mistake("date_format_upper_case", "[dd/mm/yyyy, yyyy]", "[DD/MM/YYYY, yyyy]", 17,
            "datasets.people.birth_date_formats.0", "Input should be", "dd/mm/yyyy"),
    Mistake("date_format_two_digit_year", "[dd/mm/yyyy, yyyy]", "[dd/mm/yy, yyyy]", 17,
            "datasets.people.birth_date_formats.0", "Input should be", "dd/mm/yyyy"),
    # cron
    Mistake("cron_four_fields", '"0 2 * * *"', '"0 2 * *"', 4, "schedule", "five fields"),
    Mistake("cron_hour_out_of_range", '"0 2 * * *"', '"0 24 * * *"', 4, "schedule", "outside 0-23"),
    Mistake("cron_minute_out_of_range", '"0 2 * * *"', '"60 2 * * *"', 4, "schedule", "outside 0-59"),
    Mistake("cron_bad_month_name", '"0 2 * * *"', '"0 2 1 foo *"', 4, "schedule", "not a number"),
    Mistake("cron_backwards_range", '"0 2 * * *"', '"0 5-2 * * *"', 4, "schedule", "backwards"),
    Mistake("cron_zero_step", '"0 2 * * *"', '"*/0 2 * * *"', 4, "schedule", "step"),
    Mistake("cron_words", '"0 2 * * *"', '"every day"', 4, "schedule", "five fields"),
    Mistake("cron_a_number", '"0 2 * * *"', "2", 4, "schedule", "valid string"),
    # duplicates
    Mistake("duplicate_yaml_key", "    genders: {M: M, F: F}\n", "    genders: {M: M, F: F}\n    genders: {M: M}\n",
            19, "datasets.people.genders", "written twice"),
    Mistake("duplicate_top_level_key", "owner: demo-team\n", "owner: demo-team\nowner: other-team\n", 4, "owner",
            "written twice"),
    Mistake("duplicate_dataset_key", "    quality:\n", "    quality: {}\n  people:\n    title: Again\n    unused:\n",
            20, "datasets.people", "written twice"),
    Mistake("duplicate_gender_key", "{M: M, F: F}", "{M: M, F: F, M: F}", 18, "datasets.people.genders.M",
            "written twice"),
    # Great Expectations expectations (checked against the catalog of GX's expectations)
    Mistake("gx_unknown_expectation", "type: expect_column_values_to_match_regex",
            "type: expect_column_value_to_match_regex", 23, "datasets.people.expectations.0.type",
            "unknown Great Expectations expectation",
            "expect_column_values_to_match_regex"),
    Mistake("gx_made_up_expectation", "type: expect_column_values_to_match_regex", "type: expect_pupils_to_be_happy",
            23, "datasets.people.expectations.0.type", "unknown Great Expectations expectation"),
    Mistake("gx_unknown_argument", 'regex: "^[0-9]+$"', 'regx: "^[0-9]+$"', 24,
            "datasets.people.expectations.0.kwargs.regx", "takes no argument 'regx'", "regex"),
    Mistake("gx_missing_argument", "{column: so_dang_ky, regex", "{regex", 24,
            "datasets.people.expectations.0.kwargs", "needs the argument(s) column"),
    Mistake("gx_unknown_data", "data: extract", "data: extrakt", 25,
            "datasets.people.expectations.0.data", "Input should be", "extract"),
    Mistake("gx_name_of_a_builtin_check", "        data: extract\n",
            "        data: extract\n        name: names_clean\n", 22, "datasets.people.expectations",
            "differ from the built-in checks"),
    Mistake("dataset_name_differs_from_key", "    title: People\n", "    name: persons\n    title: People\n", 8,
            "datasets.people.name", "name is its key"),
]  # fmt: skip


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_valid_definition_loads(tmp_path: Path) -> None:
    sector = load_sector(_write(tmp_path, VALID))
    assert sector.datasets[0].quality.row_count_stable.threshold == 0.3


def test_the_catalogue_is_broad() -> None:
    assert len(MISTAKES) >= 50
    assert len({mistake.name for mistake in MISTAKES}) == len(MISTAKES)


@pytest.mark.parametrize("mistake", MISTAKES, ids=[mistake.name for mistake in MISTAKES])
def test_mistake_names_file_line_and_field(tmp_path: Path, mistake: Mistake) -> None:
    assert VALID.count(mistake.old) == 1, "the case must edit exactly one place"
    path = _write(tmp_path, VALID.replace(mistake.old, mistake.new))
    with pytest.raises(SectorConfigError) as raised:
        load_sector(path)
    matching = [issue for issue in raised.value.issues if issue.field == mistake.field]
    assert matching, f"no issue for {mistake.field}: {raised.value}"
    issue = matching[0]
    assert issue.file == path
    assert issue.line == mistake.line, str(raised.value)
    assert mistake.message in issue.message, str(raised.value)
    assert issue.suggestion == mistake.suggestion, str(raised.value)
    text = str(raised.value)
    assert f"{path}:{mistake.line}: field {mistake.field}: " in text
    if mistake.suggestion:
        assert f"did you mean `{mistake.suggestion}`?" in text


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", 1, "empty"),
        ("- just\n- a list\n", 1, "mapping at the top level"),
        ("sector: demo\ntitle: [Demo\nowner: x\n", 2, "noticed at line 3"),
        ("sector: demo\n\ttitle: Demo\n", 2, "invalid YAML"),
        ("sector: demo\ntitle: 'open\n", 2, "invalid YAML"),
    ],
    ids=["empty_file", "top_level_list", "unclosed_bracket", "tab_indent", "unclosed_quote"],
)
def test_unreadable_file_names_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(SectorConfigError) as raised:
        load_sector(path)
    assert [(issue.line, issue.field) for issue in raised.value.issues][:1] == [(line, "<file>")], str(raised.value)
    assert message in str(raised.value)
    assert f"{path}:{line}: " in str(raised.value)


def test_not_utf8_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_bytes(VALID.replace("Demo", "Ph\xe1p").encode("latin-1"))
    with pytest.raises(SectorConfigError, match="not UTF-8"):
        load_sector(path)


def test_every_mistake_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = VALID.replace("    birth_date_formats:", "    birth_date_fromats:").replace('"0 2 * * *"', '"0 2 * *"')
    with pytest.raises(SectorConfigError) as raised:
        load_sector(_write(tmp_path, text))
    fields = [issue.field for issue in raised.value.issues]
    # sorted by line: the missing field is reported where its dataset starts
    assert fields == ["schedule", "datasets.people.birth_date_formats", "datasets.people.birth_date_fromats"]


LIST_FORM = """\
sector: demo
title: Demo
owner: demo-team
datasets:
  - name: people
    title: People
    extract_sql: sources/justice/birth_registrations.sql
    columns: {source_key: a, national_id: b, full_name: c, birth_date: d, gender: e}
    birth_date_formats: [yyyy]
    genders: {M: M}
  - name: people
    title: People again
    extract_sql: sources/justice/birth_registrations.sql
    columns: {source_key: a, national_id: b, full_name: c, birth_date: d, gender: e}
    birth_date_formats: [yyyy]
    genders: {M: M}
"""


def test_duplicate_dataset_names_in_a_list(tmp_path: Path) -> None:
    assert load_sector(
        _write(tmp_path, LIST_FORM.replace("- name: people\n    title: People again", "- name: b\n    title: B"))
    )
    with pytest.raises(SectorConfigError) as raised:
        load_sector(_write(tmp_path, LIST_FORM))
    issue = next(issue for issue in raised.value.issues if "defined twice" in issue.message)
    assert (issue.field, issue.line) == ("datasets.people", 11)
    assert "first at line 5" in issue.message


def test_numeric_gender_keys_keep_their_text(tmp_path: Path) -> None:
    sector = load_sector(_write(tmp_path, VALID.replace("{M: M, F: F}", "{1: M, 2: F, 01: M}")))
    assert dict(sector.datasets[0].genders) == {"1": "M", "2": "F", "01": "M"}


def test_injection_looking_free_text_is_accepted_as_text(tmp_path: Path) -> None:
    text = VALID.replace("title: People", 'title: "People\'); DROP TABLE sync.matches; --"')
    sector = load_sector(_write(tmp_path, text))
    assert sector.datasets[0].title.endswith("--")


def test_yaml_merge_keys_are_followed(tmp_path: Path) -> None:
    text = VALID.replace("    genders: {M: M, F: F}", "    genders:\n      <<: {M: M}\n      F: F")
    assert dict(load_sector(_write(tmp_path, text)).datasets[0].genders) == {"M": "M", "F": "F"}


def test_duplicate_sector_names_name_both_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(VALID, encoding="utf-8")
    with pytest.raises(SectorConfigError, match=r"demo in a\.yaml, b\.yaml"):
        load_sectors(tmp_path)


@pytest.mark.parametrize(
    "expression", ["0 2 * * *", "*/15 * * * *", "0 0-6/2 1,15 jan-mar mon-fri", "@daily", "30 4 * * 7"]
)
def test_valid_cron_expressions(expression: str) -> None:
    assert cron_problem(expression) is None
