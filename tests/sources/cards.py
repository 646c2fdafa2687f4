"""Example cards in the conventions of the MariaDB/SQLite example sector, and its definition."""

from datetime import date, datetime
from typing import Any

from popsync.sectors.model import SectorDefinition

COLUMNS = {
    "source_key": "ma_the",
    "national_id": "so_dinh_danh",
    "full_name": "ho_ten",
    "birth_date": "ngay_sinh",
    "gender": "gioi_tinh",
    "is_active": "con_hieu_luc",
    "updated_at": "ngay_cap_nhat",
}

# (ma_the, so_dinh_danh, ho_ten, ngay_sinh, gioi_tinh, con_hieu_luc, ngay_cap_nhat)
CARDS: list[tuple[Any, ...]] = [
    ("HN-é001", "001090012345", "Nguyễn Thị Hồng Nhung", date(1990, 3, 7), 2, 1, datetime(2026, 11, 20, 8, 30)),
    ("HN-é002", "079185000123", "Trần Văn Đức", date(1985, 12, 31), 1, 0, datetime(2026, 11, 19, 23, 59, 59)),
    ("HN-003", None, "Lê Ánh 😀", None, None, 1, None),
]


def sector(name: str, conn_id: str, **source: Any) -> SectorDefinition:
    return SectorDefinition.model_validate(
        {
            "sector": name,
            "title": name,
            "owner": "tests",
            "source_conn_id": conn_id,
            "datasets": [
                {
                    "name": "cards",
                    "title": "Cards",
                    "source": {
                        "kind": "sqlalchemy",
                        "query": "sources/examples/mariadb_cards.sql",
                        "timezone": "Asia/Ho_Chi_Minh",
                        **source,
                    },
                    "columns": COLUMNS,
                    "birth_date_formats": ["yyyy-mm-dd"],
                    "genders": {"1": "M", "2": "F"},
                }
            ],
        }
    )
