"""Apply the rules oracle to generated chunks without a database.

The sector tables are read the way their extract SQL reads them (is_active derived from
the table's status columns), the register from the register rows of every chunk.
"""

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence

from popsync.generate.stream import Chunk
from popsync.sectors import load_sectors
from tests.generate.reconciliation_oracle import Person, Record, evaluate

Expected = dict[str, tuple[tuple[str, ...], str | None]]
Row = dict[str, str | None]


def _active(dataset: str, as_of: datetime.date) -> Callable[[Row], bool | None]:
    """is_active as the dataset's extract SQL computes it."""
    if dataset == "cards":
        return lambda row: str(row["gt_tu_ngay"]) <= as_of.isoformat() <= str(row["gt_den_ngay"])
    if dataset == "pupils":
        return lambda row: row["trang_thai"] == "dang_hoc"
    if dataset == "teachers":
        return lambda row: row["dang_cong_tac"] == "t"
    if dataset == "participants":
        return lambda row: row["trang_thai"] == "dang_dong"
    if dataset == "pensioners":
        return lambda row: row["dang_chi_tra"] == "t"
    return lambda row: None


# Column roles per dataset: source_key, national_id, full_name, birth_date, gender.
ROLES = {
    "cards": ("ma_the", "so_dinh_danh", "ho_ten", "ngay_sinh", "gioi_tinh"),
    "pupils": ("ma_hoc_sinh", "ma_dinh_danh", "ho_va_ten", "ngay_sinh", "gioi_tinh"),
    "teachers": ("ma_giao_vien", "so_cccd", "ho_ten", "ngay_sinh", "gioi_tinh"),
    "participants": ("ma_so_bhxh", "so_cccd", "ho_ten", "ngay_sinh", "gioi_tinh"),
    "pensioners": ("ma_ho_so", "so_dinh_danh", "ho_ten", "ngay_sinh", "gioi_tinh"),
    "birth_registrations": ("so_dang_ky", "ma_dinh_danh", "ho_ten", "ngay_sinh", "gioi_tinh"),
    "death_registrations": ("so_dang_ky", "so_giay_to", "ho_ten", "ngay_sinh", "gioi_tinh"),
}


def rows_of(columns: Sequence[Sequence[str | None]], names: Sequence[str]) -> list[Row]:
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def register_of(chunks: Iterable[Chunk]) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for chunk in chunks:
        for nid, cmnd, name, birth, precision, gender, _, dead, death, *_ in zip(*chunk.register_columns, strict=True):
            assert nid is not None and name is not None and birth is not None and precision and gender
            died = datetime.date.fromisoformat(death) if death else None
            people[nid] = Person(
                nid, cmnd, name, datetime.date.fromisoformat(birth), precision, gender, dead == "t", died
            )
    return people


def check_chunks(
    chunks: list[Chunk], as_of: datetime.date, formats_override: Mapping[str, tuple[str, ...]] | None = None
) -> dict[str, tuple[Expected, Expected]]:
    """dataset -> (oracle's reasons, ground truth) per source key, over all chunks.

    Formats and genders come from the sector YAML files (``formats_override`` replaces a
    dataset's formats, for tests that generate a modified dataset).
    """
    formats_override = formats_override or {}
    register = register_of(chunks)
    records: dict[str, list[Record]] = {}
    truth: dict[str, Expected] = {}
    beyond_keys: set[str] = set()
    specs = {}
    for chunk in chunks:
        for part in chunk.datasets:
            spec = part.spec
            specs[spec.name] = spec
            key, nid, name, birth, gender = ROLES[spec.name]
            active = _active(spec.name, as_of)
            for row in rows_of(part.table_columns, spec.columns):
                records.setdefault(spec.name, []).append(
                    Record(
                        str(row[key]), row[nid], row[name], row[birth], row[gender], active(row), row.get("ngay_chet")
                    )
                )
            truth_columns = (*part.ground_truth_columns[:4], part.ground_truth_columns[7])
            for _, source_key, reasons, linked, beyond in zip(*truth_columns, strict=True):
                assert source_key is not None and reasons is not None
                if beyond is not None:  # a family beyond the rules: the rules say nothing about it
                    beyond_keys.add(source_key)
                    continue
                codes = tuple(code for code in reasons.strip("{}").split(",") if code)
                truth.setdefault(spec.name, {})[source_key] = (codes, linked)
    definitions = {dataset.name: dataset for sector in load_sectors() for dataset in sector.datasets}
    result = {}
    for name, items in records.items():
        definition = definitions[name]
        formats = formats_override.get(name, definition.birth_date_formats)
        checks_death = definition.columns.death_date is not None
        oracle = evaluate(items, register, formats, definition.genders, specs[name].has_active, as_of, checks_death)
        in_rules = {key: value for key, value in oracle.items() if key not in beyond_keys}
        result[name] = (in_rules, truth[name])
    return result
