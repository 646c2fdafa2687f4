"""The provinces of today: 34 since 1 July 2025 (Resolution 202/2025/QH15), and the 63 former ones.

Source: ``DOMAIN.md`` (the merger list) and the province codes of Circular 07/2016/TT-BCA. Each
current province carries a code of the former table: the code of the former province that hosts
its seat (Decision 19/2025/QĐ-TTg numbering, e.g. Lào Cai 015, the former Yên Bái), so every
former code maps to one current province and a current code maps to itself: a residence code
resolves to the same current province whichever table it was written in.

The first three digits of a personal ID are where the birth was registered (former table) and
never change; they are not rewritten, only counted under the current successor.
"""

from dataclasses import dataclass
from datetime import date
from typing import Final

from popsync.domain.provinces import PROVINCES

MERGER_DATE: Final = date(2025, 7, 1)
"""The first day of the 34 provinces; the former ones are valid until the day before."""

CURRENT_PROVINCES: Final[dict[str, str]] = {
    "001": "Hà Nội", "004": "Cao Bằng", "008": "Tuyên Quang", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Lào Cai", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh",
    "024": "Bắc Ninh", "025": "Phú Thọ", "031": "Hải Phòng", "033": "Hưng Yên", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Trị", "046": "Huế",
    "048": "Đà Nẵng", "051": "Quảng Ngãi", "052": "Gia Lai", "056": "Khánh Hòa", "066": "Đắk Lắk",
    "068": "Lâm Đồng", "075": "Đồng Nai", "079": "Hồ Chí Minh", "080": "Tây Ninh", "082": "Đồng Tháp",
    "086": "Vĩnh Long", "091": "An Giang", "092": "Cần Thơ", "096": "Cà Mau",
}  # fmt: skip
"""Code -> name of the 34 provinces since ``MERGER_DATE``."""

SUCCESSORS: Final[dict[str, str]] = {
    # current province code: the former province codes it was formed from (DOMAIN.md)
    "001": "001", "004": "004", "011": "011", "012": "012", "014": "014", "020": "020", "022": "022",
    "038": "038", "040": "040", "042": "042", "046": "046",
    "008": "008 002", "015": "010 015", "019": "019 006", "025": "025 026 017", "024": "027 024",
    "033": "033 034", "031": "031 030", "037": "037 035 036", "044": "045 044", "048": "048 049",
    "051": "051 062", "052": "064 052", "056": "056 058", "068": "068 067 060", "066": "066 054",
    "079": "079 074 077", "075": "075 070", "080": "072 080", "092": "092 094 093", "086": "086 083 084",
    "082": "087 082", "096": "096 095", "091": "089 091",
}  # fmt: skip

CURRENT_OF: Final[dict[str, str]] = {
    former: current for current, formers in SUCCESSORS.items() for former in formers.split()
}
"""Former province code -> the current province it is part of (every one of the 63)."""


@dataclass(frozen=True)
class ProvinceRow:
    """One row of ``reference.provinces``: a province of either table with its validity."""

    code: str
    name: str
    code_set: str
    """``former`` (the 63, valid until 2025-06-30) or ``current`` (the 34, from 2025-07-01)."""
    valid_from: date | None
    valid_to: date | None
    current_code: str
    """The current province: itself for a current one, the successor for a former one."""


def province_rows() -> list[ProvinceRow]:
    """The 63 former and 34 current provinces, with validity dates and successors."""
    former = [
        ProvinceRow(code, name, "former", None, date(2025, 6, 30), CURRENT_OF[code]) for code, name in PROVINCES.items()
    ]
    current = [ProvinceRow(code, name, "current", MERGER_DATE, None, code) for code, name in CURRENT_PROVINCES.items()]
    return former + current


def current_province(code: str | None) -> str | None:
    """The current province of a province code of either table (None when unknown)."""
    if code is None:
        return None
    return CURRENT_OF.get(code)
