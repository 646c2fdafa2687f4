"""Side-by-side comparison: the differing parts of each field are marked."""

from datetime import UTC, date, datetime
from typing import Any

from popsync.web.compare import compare, diff_segments
from popsync.web.i18n import Translator
from popsync.web.queries import MismatchRecord, RegisterPerson

T = Translator("en")


def _record(details: dict[str, Any], national_id: str = "001088254914", linked: str | None = "001088254914") -> Any:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return MismatchRecord("s", "d", "k", national_id, linked, "001", ("X",), details, now, "run", now)


PERSON = RegisterPerson("001088254914", "Nguyễn Văn Hòa", date(1988, 12, 2), "day", "M", False, None, "001")


def _marked(parts: Any) -> str:
    return "".join(p.text for p in parts if p.differs)


def test_diff_segments_mark_only_what_differs() -> None:
    left, right = diff_segments("Nguyen Van Hoa", "Nguyễn Văn Hòa")
    assert "".join(p.text for p in left) == "Nguyen Van Hoa"
    assert "".join(p.text for p in right) == "Nguyễn Văn Hòa"
    assert _marked(right) == "ễăò" and _marked(left) == "eao"


def test_name_date_and_gender_rows() -> None:
    details = {
        "full_name": {"sector": "Nguyen Van Hoa", "register": "Nguyễn Văn Hòa"},
        "birth_date": {
            "sector": "1988",
            "register": "1988-12-02",
            "sector_precision": "year",
            "register_precision": "day",
        },
        "gender": {"sector": "2", "mapped": "F", "register": "M"},
    }
    rows = {row.field: row for row in compare(_record(details), PERSON, T)}
    assert rows["full_name"].differs and _marked(rows["full_name"].register) == "ễăò"
    assert _marked(rows["birth_date"].register) == "-12-02" and rows["birth_date"].note == "year / day"
    assert "".join(p.text for p in rows["gender"].sector) == "2 → Female"
    assert "".join(p.text for p in rows["gender"].register) == "Male"
    assert not rows["national_id"].differs


def test_agreeing_fields_show_the_register_value() -> None:
    rows = {row.field: row for row in compare(_record({"duplicate": {"count": 2}}), PERSON, T)}
    assert rows["full_name"].sector_same_as_register and not rows["full_name"].differs
    assert "".join(p.text for p in rows["birth_date"].register) == "1988-12-02"


def test_likely_typo_marks_the_contradicting_id_digits() -> None:
    detail = {"kind": "cccd", "likely_typo": True, "id_gender": "M", "id_birth_year": 1928}
    detail |= {"record_gender": "M", "record_birth_year": 1982}
    rows = compare(_record({"national_id": detail}, "012028165549", None), None, T)
    segments = rows[0].sector
    assert [(p.text, p.differs) for p in segments] == [("012", False), ("0", False), ("28", True), ("165549", False)]
    assert rows[0].note == "likely_typo"


def test_deceased_row() -> None:
    details = {"deceased": {"date_of_death": "2022-09-25", "sector_active": True}}
    rows = {row.field: row for row in compare(_record(details), PERSON, T)}
    assert "".join(p.text for p in rows["deceased"].register) == "† 2022-09-25"
    assert rows["deceased"].differs


def test_case_alone_is_not_marked() -> None:
    left, right = diff_segments("PHAM THANH", "Phạm Thanh")
    assert _marked(left) == "A" and _marked(right) == "ạ"
