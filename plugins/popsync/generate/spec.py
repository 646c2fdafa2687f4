"""What each generated dataset looks like: its table, formats, gender codes and population.

These mirror ``include/sectors/*.yaml`` and ``include/sql/sources/*/schema.sql``; a test
checks that they agree.
"""

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

from popsync.domain.legacy_encodings import LegacyEncoding
from popsync.sectors.model import DateFormat

NameStyle = Literal["nfc", "upper", "nfd"]


@dataclass(frozen=True)
class DatasetSpec:
    """One sector dataset as the generator writes it."""

    sector: str
    name: str
    stream: int
    """Fixed random-stream number: a dataset's rows do not depend on which others are generated."""
    table: tuple[str, str]
    columns: tuple[str, ...]
    key_column: str
    day_format: DateFormat
    month_format: DateFormat | None
    year_format: DateFormat | None
    male: str
    female: str
    unmappable: tuple[str, ...]
    name_style: NameStyle
    mojibake: LegacyEncoding | None
    has_active: bool
    membership: float
    """Probability that an eligible register person has a record."""
    active_share: float
    """Share of the living members whose record is active (in force)."""
    min_age: int
    max_age: int
    female_min_age: int | None = None

    @property
    def key(self) -> str:
        return f"{self.sector}.{self.name}"

    @property
    def formats(self) -> tuple[DateFormat, ...]:
        """The birth-date formats the generator writes."""
        return tuple(fmt for fmt in (self.day_format, self.month_format, self.year_format) if fmt is not None)

    def eligible(self, age: np.ndarray, female: np.ndarray) -> np.ndarray:
        """Which people (by age at the generation date and gender) may have a record."""
        low = np.where(female, self.female_min_age, self.min_age) if self.female_min_age is not None else self.min_age
        return np.asarray((age >= low) & (age <= self.max_age))


DATASET_SPECS: Final[tuple[DatasetSpec, ...]] = (
    DatasetSpec(
        sector="health_insurance",
        name="cards",
        stream=0,
        table=("bhyt", "the_bhyt"),
        columns=(
            "ma_the",
            "so_dinh_danh",
            "ho_ten",
            "ngay_sinh",
            "gioi_tinh",
            "gt_tu_ngay",
            "gt_den_ngay",
            "ngay_cap_nhat",
        ),
        key_column="ma_the",
        day_format="dd/mm/yyyy",
        month_format="mm/yyyy",
        year_format="yyyy",
        male="1",
        female="2",
        unmappable=("3", "3", "X", ""),
        name_style="upper",
        mojibake=None,
        has_active=True,
        membership=0.85,
        active_share=0.92,
        min_age=0,
        max_age=100,
    ),
    DatasetSpec(
        sector="education",
        name="pupils",
        stream=1,
        table=("giao_duc", "hoc_sinh"),
        columns=("ma_hoc_sinh", "ma_dinh_danh", "ho_va_ten", "ngay_sinh", "gioi_tinh", "trang_thai", "cap_nhat_luc"),
        key_column="ma_hoc_sinh",
        day_format="dd/mm/yyyy",
        month_format=None,
        year_format=None,
        male="Nam",
        female="Nữ",
        unmappable=("X", ""),
        name_style="nfd",
        mojibake=None,
        has_active=True,
        membership=0.95,
        active_share=0.95,
        min_age=6,
        max_age=18,
    ),
    DatasetSpec(
        sector="education",
        name="teachers",
        stream=2,
        table=("giao_duc", "giao_vien"),
        columns=("ma_giao_vien", "so_cccd", "ho_ten", "ngay_sinh", "gioi_tinh", "dang_cong_tac", "cap_nhat_luc"),
        key_column="ma_giao_vien",
        day_format="yyyy-mm-dd",
        month_format=None,
        year_format=None,
        male="Nam",
        female="Nữ",
        unmappable=("X", ""),
        name_style="nfc",
        mojibake=None,
        has_active=True,
        membership=0.02,
        active_share=0.95,
        min_age=22,
        max_age=65,
    ),
    DatasetSpec(
        sector="social_insurance",
        name="participants",
        stream=3,
        table=("bhxh", "nguoi_tham_gia"),
        columns=("ma_so_bhxh", "so_cccd", "ho_ten", "ngay_sinh", "gioi_tinh", "trang_thai", "ngay_cap_nhat"),
        key_column="ma_so_bhxh",
        male="1",
        female="0",
        unmappable=("X", ""),
        name_style="nfc",
        mojibake="tcvn3",
        has_active=True,
        membership=0.40,
        active_share=0.90,
        min_age=18,
        max_age=60,
        day_format="yyyymmdd",
        month_format="yyyymm00",
        year_format="yyyy0000",
    ),
    DatasetSpec(
        sector="social_insurance",
        name="pensioners",
        stream=4,
        table=("bhxh", "huong_luong_huu"),
        columns=(
            "ma_ho_so",
            "ma_so_bhxh",
            "so_dinh_danh",
            "ho_ten",
            "ngay_sinh",
            "gioi_tinh",
            "dang_chi_tra",
            "ngay_cap_nhat",
        ),
        key_column="ma_ho_so",
        male="1",
        female="0",
        unmappable=("X", ""),
        name_style="nfc",
        mojibake="vni",
        has_active=True,
        membership=0.60,
        active_share=0.97,
        min_age=60,
        max_age=100,
        female_min_age=55,
        day_format="yyyymmdd",
        month_format="yyyymm00",
        year_format="yyyy0000",
    ),
    DatasetSpec(
        sector="justice",
        name="birth_registrations",
        stream=5,
        table=("ho_tich", "dang_ky_khai_sinh"),
        columns=(
            "so_dang_ky",
            "ma_dinh_danh",
            "ho_ten",
            "ngay_sinh",
            "gioi_tinh",
            "noi_dang_ky",
            "ngay_dang_ky",
            "ngay_so_hoa",
        ),
        key_column="so_dang_ky",
        day_format="dd/mm/yyyy",
        month_format=None,
        year_format=None,
        male="M",
        female="F",
        unmappable=("X", ""),
        name_style="nfc",
        mojibake=None,
        has_active=False,
        membership=0.70,
        active_share=0.0,
        min_age=0,
        max_age=30,
    ),
    DatasetSpec(
        sector="justice",
        name="death_registrations",
        stream=6,
        table=("ho_tich", "dang_ky_khai_tu"),
        columns=(
            "so_dang_ky",
            "so_giay_to",
            "ho_ten",
            "ngay_sinh",
            "gioi_tinh",
            "ngay_chet",
            "ma_xa_dang_ky",
            "ngay_dang_ky",
            "ngay_so_hoa",
        ),
        key_column="so_dang_ky",
        day_format="dd/mm/yyyy",
        month_format="mm/yyyy",
        year_format="yyyy",
        male="Nam",
        female="Nữ",
        unmappable=("X", ""),
        name_style="nfc",
        mojibake=None,
        has_active=False,
        membership=0.0,  # built by generate.death_registrations from the register's deaths, not by membership
        active_share=0.0,
        min_age=0,
        max_age=130,
    ),
)


def specs_for(sectors: tuple[str, ...]) -> list[DatasetSpec]:
    """The dataset specs of the given sectors, in a fixed order."""
    return [spec for spec in DATASET_SPECS if spec.sector in sectors]
