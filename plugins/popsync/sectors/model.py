"""Typed model of a sector definition; every field is checked when the file is parsed."""

import re
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from popsync.db.identifiers import checked_identifier
from popsync.sectors.cron import cron_problem
from popsync.sectors.gx_catalog import catalog, closest
from popsync.settings import SQL_DIR
from popsync.settings import source_conn_id as default_source_conn_id

MAX_BUCKETS = 64
"""Upper bound of a dataset's buckets (each one a mapped task and two result tables)."""

Identifier = Annotated[str, AfterValidator(checked_identifier)]
DateFormat = Literal["dd/mm/yyyy", "yyyy-mm-dd", "yyyymmdd", "yyyymm00", "yyyy0000", "mm/yyyy", "yyyy"]
Severity = Literal["fail", "review", "warn", "off"]
"""fail: stop the run; review: publish only after an operator approves; warn: publish with a mark; off: skip."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnMapping(_Strict):
    """Which column of the dataset's extract query plays which role."""

    source_key: Identifier
    national_id: Identifier
    full_name: Identifier
    birth_date: Identifier
    gender: Identifier
    is_active: Identifier | None = None
    """Boolean: the record is in force (valid card, pension being paid, enrolled pupil)."""
    updated_at: Identifier | None = None
    """Timestamp of the source record's last change, for the freshness check."""
    death_date: Identifier | None = None
    """Date of death (a death registration): checked against the register's deceased flag and date
    of death (DEATH_NOT_IN_REGISTER, DEATH_DATE_MISMATCH)."""


class ShareRule(_Strict):
    """A share of records that must stay at or above (``min``) or below (``max``) a threshold."""

    threshold: float = Field(ge=0.0, le=1.0)
    severity: Severity = "fail"


class PointsRule(_Strict):
    """A maximum change in percentage points (the sync rate against the previous published run)."""

    threshold: float = Field(ge=0.0, le=100.0)
    severity: Severity = "review"


class FreshnessRule(_Strict):
    """The newest ``updated_at`` must be at most ``max_days`` old."""

    max_days: int = Field(default=30, ge=0)
    severity: Severity = "warn"


# Names the rules had before they were named like their checks; still accepted in YAML.
QUALITY_RULE_ALIASES: dict[str, tuple[str, ...]] = {
    "required_present": ("source_key_present", "full_name_present"),
    "garbled_names": ("names_clean",),
    "row_count_drop": ("row_count_stable",),
    "deceased_active": ("deceased_not_active",),
}


class QualityRules(_Strict):
    """Thresholds of the "đúng, đủ, sạch, sống" data-quality gate; one field per check, same name."""

    id_well_formed: ShareRule = ShareRule(threshold=0.80, severity="fail")
    """đúng: minimum share of IDs that are 12-digit with a known province or 9-digit CMND."""
    gender_mapped: ShareRule = ShareRule(threshold=0.95, severity="warn")
    """đúng: minimum share of gender values within the dataset's mapping."""
    birth_date_valid: ShareRule = ShareRule(threshold=0.95, severity="warn")
    """đúng: minimum share of birth dates parseable and not in the future."""
    source_key_present: ShareRule = ShareRule(threshold=1.0, severity="fail")
    """đủ: minimum share of rows with a source key."""
    full_name_present: ShareRule = ShareRule(threshold=1.0, severity="fail")
    """đủ: minimum share of rows with a name."""
    row_count_stable: ShareRule = ShareRule(threshold=0.20, severity="fail")
    """đủ: maximum relative drop of the row count against the previous successful run."""
    source_key_unique: ShareRule = ShareRule(threshold=1.0, severity="fail")
    """sạch: minimum share of records whose source key is not repeated."""
    names_clean: ShareRule = ShareRule(threshold=0.05, severity="warn")
    """sạch: maximum share of names with control characters or legacy-encoding mojibake."""
    deceased_not_active: ShareRule = ShareRule(threshold=0.02, severity="warn")
    """sống: maximum share of active records of deceased persons."""
    extract_fresh: FreshnessRule = FreshnessRule()
    """sống: newest updated_at at most this many days old."""
    sync_rate_drop: PointsRule = PointsRule(threshold=10.0, severity="review")
    """đúng: maximum drop of the sync rate, in percentage points, against the previous published run."""

    @model_validator(mode="before")
    @classmethod
    def _accept_old_names(cls, data: Any) -> Any:
        """Old YAML names (``required_present``, ``garbled_names``, ...) set the checks they became."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for old, new_names in QUALITY_RULE_ALIASES.items():
            if old in data:
                value = data.pop(old)
                for new in new_names:
                    data.setdefault(new, value)
        days, severity = data.pop("freshness_days", None), data.pop("freshness_severity", None)
        if days is not None or severity is not None:
            fresh = dict(data.get("extract_fresh") or {})
            if days is not None:
                fresh.setdefault("max_days", days)
            if severity is not None:
                fresh.setdefault("severity", severity)
            data["extract_fresh"] = fresh
        return data


ExpectationData = Literal["profile", "extract", "mismatches", "matches"]
"""What an expectation from YAML validates: the run's one-row profile (the gate's measures), the
extract as the sector database returns it, or the run's staged (unpublished) result tables."""


class GxExpectation(_Strict):
    """Any Great Expectations expectation, by its type and keyword arguments (GX's own JSON form)."""

    type: str
    """GX expectation type, e.g. ``expect_column_values_to_match_regex``."""
    kwargs: dict[str, Any] = Field(default_factory=dict)
    data: ExpectationData = "extract"
    severity: Severity = "warn"
    quality: Literal["đúng", "đủ", "sạch", "sống"] = "đúng"
    name: Identifier | None = None
    """Name of the check in ``sync.quality_results``; default ``<type>`` (+ ``__<column>``)."""

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        known = catalog()
        if value not in known:
            raise PydanticCustomError(
                "gx_unknown_expectation",
                "unknown Great Expectations expectation '{value}'",
                {"value": value, "suggestion": closest(value, list(known)) or ""},
            )
        return value

    @field_validator("kwargs")
    @classmethod
    def _known_arguments(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        kind = info.data.get("type")
        if kind is None:  # the type itself was wrong; already reported
            return value
        args = catalog()[kind]
        for key in value:
            if key not in args.allowed:
                raise PydanticCustomError(
                    "gx_unknown_argument",
                    "{kind} takes no argument '{key}'; it takes: {allowed}",
                    {
                        "kind": kind,
                        "key": key,
                        "allowed": ", ".join(sorted(args.allowed)),
                        "suggestion": closest(key, args.allowed) or "",
                    },
                )
        missing = sorted(args.required - set(value))
        if missing:
            raise PydanticCustomError(
                "gx_missing_argument",
                "{kind} needs the argument(s) {missing}",
                {"kind": kind, "missing": ", ".join(missing)},
            )
        return value

    @property
    def check_name(self) -> str:
        if self.name is not None:
            return self.name
        column = self.kwargs.get("column")
        return f"{self.type}__{column}" if isinstance(column, str) else self.type


def sql_file_problem(value: str) -> str | None:
    """Why ``value`` is not a usable query file below ``include/sql`` (None when it is)."""
    path = (SQL_DIR / value).resolve()
    if SQL_DIR.resolve() not in path.parents or path.suffix != ".sql":
        return f"{value!r} must be a .sql file below include/sql"
    if not path.is_file():
        return f"extract SQL file include/sql/{value} does not exist"
    return None


def _checked_sql_file(value: str) -> str:
    problem = sql_file_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


SqlFile = Annotated[str, AfterValidator(_checked_sql_file)]


def _known_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r} (an IANA name such as Asia/Ho_Chi_Minh)") from None
    return value


TimeZoneName = Annotated[str, AfterValidator(_known_timezone)]
FILE_PLACEHOLDERS = ("ds", "ds_nodash", "yyyy", "mm", "dd")
"""Placeholders of a file path, from the run's logical date: ``cards_{ds_nodash}.csv``."""
FILE_FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}


class PostgresSource(_Strict):
    """The sector database is PostgreSQL: read through ADBC (binary COPY), the fast path."""

    kind: Literal["postgres"]
    query: SqlFile
    """Path below ``include/sql`` of a query (named CTEs) run against the sector database."""
    conn_id: Identifier | None = None
    """Airflow connection; default the sector's ``source_conn_id``."""


class SqlAlchemySource(_Strict):
    """Any database SQLAlchemy reaches (MySQL/MariaDB, SQL Server, Oracle, SQLite ...).

    The query is written in the source's own dialect and streamed with a server-side cursor
    in batches of ``batch_rows`` (bounded memory).
    """

    kind: Literal["sqlalchemy"]
    query: SqlFile
    conn_id: Identifier | None = None
    """Airflow connection; default the sector's ``source_conn_id``."""
    batch_rows: int = Field(default=65_536, ge=1, le=1_000_000)
    timezone: TimeZoneName = "UTC"
    """Time zone of timestamps the source stores without one (``DATETIME``)."""


class FileSource(_Strict):
    """Files delivered by the sector: CSV, XLSX or Parquet, on a local path or in object storage.

    ``path`` is one file or a pattern: placeholders from the run's logical date
    (``cards_{ds_nodash}.csv``) and shell wildcards (``cards_{yyyy}{mm}*.csv``); every file
    that matches is read, in name order. A relative path is below ``POPSYNC_SOURCE_FILES_DIR``;
    a URL (``s3://…``, ``file://…``) is read through Airflow's object storage with ``conn_id``.
    """

    kind: Literal["file"]
    path: str = Field(min_length=1)
    format: Literal["csv", "xlsx", "parquet"] | None = None
    """Default: from the file name's suffix (.csv/.txt/.tsv, .xlsx, .parquet)."""
    encoding: Literal["auto", "utf-8", "utf-8-sig", "utf-16", "cp1258", "tcvn3"] = "auto"
    """CSV only; ``auto`` tells UTF-8 (with or without BOM), UTF-16, Windows-1258 and TCVN3 apart."""
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    """CSV only; default: a tab for UTF-16 (Excel's "Unicode text"), else the one the header uses."""
    sheet: str | None = None
    """XLSX only; default the first sheet."""
    header_row: int = Field(default=1, ge=1, le=1000)
    conn_id: Identifier | None = None
    """Airflow connection of the object storage (URLs only)."""
    batch_rows: int = Field(default=131_072, ge=1, le=1_000_000)
    timezone: TimeZoneName = "UTC"
    """Time zone of timestamps written without one."""

    @field_validator("path")
    @classmethod
    def _placeholders_known(cls, value: str) -> str:
        names = re.findall(r"{([^{}]*)}", value)
        unknown = sorted(set(names) - set(FILE_PLACEHOLDERS))
        if unknown:
            raise ValueError(
                f"unknown placeholder {{{unknown[0]}}} in {value!r}; known: {', '.join(FILE_PLACEHOLDERS)}"
            )
        return value

    @property
    def file_format(self) -> Literal["csv", "xlsx", "parquet"]:
        if self.format is not None:
            return self.format
        suffix = PurePosixPath(self.path).suffix.lower()
        return "xlsx" if FILE_FORMATS[suffix] == "xlsx" else "parquet" if FILE_FORMATS[suffix] == "parquet" else "csv"

    @model_validator(mode="after")
    def _options_fit_the_format(self) -> "FileSource":
        suffix = PurePosixPath(self.path).suffix.lower()
        if self.format is None and suffix not in FILE_FORMATS:
            raise ValueError(
                f"cannot tell the format from {suffix or 'no suffix'!r}: set `format` (csv, xlsx, parquet)"
            )
        kind = self.file_format
        if kind != "csv" and (self.encoding != "auto" or self.delimiter is not None):
            raise ValueError(f"`encoding` and `delimiter` are for CSV files, not {kind}")
        if kind != "xlsx" and self.sheet is not None:
            raise ValueError(f"`sheet` is for XLSX files, not {kind}")
        return self


SOURCE_KINDS: dict[str, type[BaseModel]] = {
    "postgres": PostgresSource,
    "sqlalchemy": SqlAlchemySource,
    "file": FileSource,
}
"""The model of each ``source.kind`` (the loader names fields and suggests names with it)."""

SourceDefinition = Annotated[PostgresSource | SqlAlchemySource | FileSource, Field(discriminator="kind")]


class IncrementalRuns(_Strict):
    """A dataset whose daily runs classify only what can have changed (docs/running.md, "Incremental runs")."""

    full_every_days: int = Field(default=7, ge=1)
    """A run is full when the last full run is this many days old or more (weekly by default)."""


class DatasetDefinition(_Strict):
    """One dataset of a sector: reconciled and reported on its own."""

    name: Identifier
    title: str
    extract_sql: str | None = None
    """Path below ``include/sql`` of a PostgreSQL query (named CTEs): short for ``source: {kind: postgres}``."""
    source: SourceDefinition | None = None
    """Where the records come from when not the PostgreSQL ``extract_sql``."""
    columns: ColumnMapping
    birth_date_formats: tuple[DateFormat, ...] = Field(min_length=1)
    genders: dict[str, Literal["M", "F"]] = Field(min_length=1)
    """Source gender value -> register gender (M/F); unmapped values are GENDER_MISMATCH."""
    quality: QualityRules = QualityRules()
    buckets: int | None = Field(default=None, ge=1, le=MAX_BUCKETS)
    """How many buckets a run of this dataset is split into (each a task of its own, mapped by
    Airflow over the workers); unset = from the extract's size and ``POPSYNC_ROWS_PER_BUCKET``."""
    incremental: IncrementalRuns | None = None
    """Set: runs are incremental between full runs (``full_every_days``); unset: every run is full."""
    coverage_sql: str | None = None
    """Death registrations: path below ``include/sql`` of a query over the sector database giving the
    digitised scope (``commune``, ``covered_from``, ``covered_to``); register deaths in it with no
    registration are reported in ``sync.unregistered_deaths``. Needs ``columns.death_date``."""
    active_label: str | None = None
    """How the province reports the rate over records in force, e.g. "thẻ BHYT còn hiệu lực"
    (needs ``columns.is_active``); shown beside that rate."""
    expectations: tuple[GxExpectation, ...] = ()
    """Further Great Expectations expectations of the dataset's suite, validated by the gate."""

    @field_validator("expectations")
    @classmethod
    def _check_names_unique(cls, value: tuple[GxExpectation, ...]) -> tuple[GxExpectation, ...]:
        names = [item.check_name for item in value]
        builtin = set(QualityRules.model_fields)
        clashes = sorted({name for name in names if names.count(name) > 1 or name in builtin})
        if clashes:
            raise ValueError(
                f"expectation check names must be unique and differ from the built-in checks: {', '.join(clashes)}"
                "; give each a `name:`"
            )
        return value

    @model_validator(mode="after")
    def _active_label_needs_is_active(self) -> "DatasetDefinition":
        if self.active_label is not None and self.columns.is_active is None:
            raise ValueError("active_label needs columns.is_active (the rate over records in force)")
        if self.coverage_sql is not None and self.columns.death_date is None:
            raise ValueError("coverage_sql needs columns.death_date (a death registration)")
        return self

    @field_validator("extract_sql", "coverage_sql")
    @classmethod
    def _extract_sql_exists(cls, value: str | None) -> str | None:
        return None if value is None else _checked_sql_file(value)

    @model_validator(mode="after")
    def _one_source(self) -> "DatasetDefinition":
        if (self.extract_sql is None) == (self.source is None):
            raise ValueError("a dataset needs exactly one of `extract_sql` (PostgreSQL) and `source`")
        return self

    @property
    def source_definition(self) -> PostgresSource | SqlAlchemySource | FileSource:
        """The dataset's source; ``extract_sql`` is a PostgreSQL source."""
        if self.source is not None:
            return self.source
        assert self.extract_sql is not None
        return PostgresSource(kind="postgres", query=self.extract_sql)

    @property
    def source_summary(self) -> str:
        """One line naming where the records come from (for DAG documentation)."""
        source = self.source_definition
        if isinstance(source, FileSource):
            return f"{source.file_format} files: `{source.path}`"
        return f"{source.kind}: `include/sql/{source.query}`"

    @field_validator("genders")
    @classmethod
    def _genders_normalised(cls, value: dict[str, str]) -> dict[str, str]:
        keys = [key.strip().lower() for key in value]
        if len(set(keys)) != len(keys):
            raise ValueError("gender values must be distinct ignoring case and white space")
        return value


def sector_dag_id(sector: str) -> str:
    """The id of a sector's sync DAG."""
    return f"sync_{sector}"


class SectorDefinition(_Strict):
    """A sector database and the datasets reconciled from it."""

    sector: Identifier
    title: str
    owner: str = Field(min_length=1)
    schedule: str = "0 2 * * *"
    """Cron expression; each sector DAG also runs when the register mirror is updated."""
    source_conn_id: Identifier | None = None
    """Airflow connection of the sector database; default ``popsync_source_<sector>``."""
    tags: tuple[str, ...] = ()
    datasets: tuple[DatasetDefinition, ...] = Field(min_length=1)

    @property
    def conn_id(self) -> str:
        return self.source_conn_id or default_source_conn_id(self.sector)

    @property
    def dag_id(self) -> str:
        return sector_dag_id(self.sector)

    @field_validator("datasets")
    @classmethod
    def _dataset_names_unique(cls, value: tuple[DatasetDefinition, ...]) -> tuple[DatasetDefinition, ...]:
        names = [dataset.name for dataset in value]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"dataset names must be unique within a sector; defined twice: {', '.join(twice)}")
        return value

    @field_validator("schedule")
    @classmethod
    def _schedule_is_cron(cls, value: str) -> str:
        problem = cron_problem(value)
        if problem is not None:
            raise ValueError(f"invalid schedule {value!r}: {problem}")
        return value
