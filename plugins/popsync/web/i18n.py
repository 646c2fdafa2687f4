"""Labels of the web pages in Vietnamese (default) and English, and plain-language reason codes.

The reason explanations follow ``docs/reconciliation-rules.md``.
"""

from collections.abc import Mapping
from typing import Final, Literal

Language = Literal["vi", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("vi", "en")
DEFAULT_LANGUAGE: Final[Language] = "vi"
LANGUAGE_COOKIE: Final = "popsync_lang"


def language_of(value: str | None) -> Language:
    """The language named by ``value`` (query parameter or cookie), else Vietnamese."""
    return "en" if value == "en" else "vi"


_LABELS: Final[dict[str, tuple[str, str]]] = {
    # key: (Vietnamese, English)
    "app_title": ("Đồng bộ dữ liệu dân cư", "Population data sync"),
    "nav_overview": ("Tổng quan", "Overview"),
    "nav_provinces": ("Tỉnh/thành", "Provinces"),
    "nav_reasons": ("Lý do", "Reasons"),
    "nav_workbench": ("Bản ghi lệch", "Mismatches"),
    "nav_deaths": ("Khai tử", "Deaths"),
    "deaths_hint": (
        "Đăng ký khai tử đối chiếu hai chiều với CSDLQG: khai tử mà CSDLQG còn ghi là còn sống hoặc khác ngày mất, "
        "và người đã mất trong CSDLQG chưa có đăng ký khai tử (chỉ trong các xã và thời kỳ đã số hóa).",
        "Death registrations checked both ways against the register: registered deaths the register shows alive "
        "or with another date of death, and register deaths with no registration (only in the communes and "
        "period the digitised books cover).",
    ),
    "death_crosschecks": ("Đối chiếu khai tử", "Death cross-checks"),
    "unregistered_deaths": ("Người đã mất chưa đăng ký khai tử", "Register deaths without a registration"),
    "commune": ("Xã/phường", "Commune"),
    "deaths": ("Số người", "Deaths"),
    "death_period": ("Ngày mất", "Dates of death"),
    "unregistered_death_explained": (
        "Người đã mất theo CSDLQG, cư trú ở xã đã số hóa, chết trong thời kỳ đã số hóa, nhưng không có đăng ký "
        "khai tử (không có bản ghi ngành nên không nằm trong danh sách bản ghi lệch).",
        "The register records a death in a digitised commune and period but there is no death registration "
        "(there is no sector record, so it is not a mismatch).",
    ),
    "nav_data_docs": ("Chất lượng dữ liệu (Data Docs)", "Data quality (Data Docs)"),
    "switch_language": ("English", "Tiếng Việt"),
    "signed_in_as": ("Người dùng", "Signed in as"),
    "sectors_allowed": ("Lĩnh vực được xem", "Sectors you can see"),
    "sector": ("Lĩnh vực", "Sector"),
    "dataset": ("Bộ dữ liệu", "Dataset"),
    "datasets": ("Số bộ dữ liệu", "Datasets"),
    "total": ("Tổng số", "Total"),
    "matched": ("Khớp", "Matched"),
    "mismatched": ("Lệch", "Mismatched"),
    "sync_rate": ("Tỷ lệ đồng bộ", "Sync rate"),
    "active_rate": ("Tỷ lệ đồng bộ (còn hiệu lực)", "Sync rate (in force)"),
    "provinces_current_hint": (
        "Theo 34 tỉnh, thành phố từ 01/7/2025; bản ghi báo theo mã tỉnh cũ được tính vào tỉnh mới kế thừa.",
        "By the 34 provinces since 1 July 2025; records reported under a former province count under its successor.",
    ),
    "provinces_current": ("34 tỉnh, thành phố hiện nay", "The 34 current provinces"),
    "provinces_former": ("Gồm các tỉnh cũ", "Formed from"),
    "provinces_former_of": (
        "Các tỉnh cũ (mã như được ghi nhận) của tỉnh này ·",
        "Its former provinces (codes as recorded) ·",
    ),
    "provinces_former_all": ("63 tỉnh cũ (mã như được ghi nhận)", "The 63 former provinces (codes as recorded)"),
    "active_label": ("Chỉ tiêu báo cáo", "Reported as"),
    "change": ("Thay đổi", "Change"),
    "points": ("điểm", "pts"),
    "quality": ("Chất lượng", "Quality"),
    "quality_passed": ("Đạt", "Passed"),
    "quality_warned": ("Cảnh báo", "Warned"),
    "new_mismatches": ("Lệch mới", "Newly mismatched"),
    "resolved": ("Đã khắc phục", "Resolved"),
    "run": ("Lần chạy", "Run"),
    "logical_date": ("Ngày dữ liệu", "Logical date"),
    "dag_run": ("Lần chạy DAG", "DAG run"),
    "open_in_airflow": ("Mở trong Airflow", "Open in Airflow"),
    "trend": ("Xu hướng", "Trend"),
    "sector_rollup": ("Tổng hợp theo lĩnh vực", "Sector roll-up"),
    "per_dataset": ("Theo bộ dữ liệu", "Per dataset"),
    "no_data": ("Chưa có dữ liệu.", "No data yet."),
    "province": ("Tỉnh/thành", "Province"),
    "province_recorded": ("Tỉnh/thành (mã như được ghi nhận)", "Province (code as recorded)"),
    "current_province": ("Tỉnh/thành hiện nay", "Current province"),
    "current_province_hint": (
        "34 tỉnh, thành phố từ 01/7/2025; gồm cả bản ghi mang mã tỉnh cũ đã hợp nhất vào tỉnh này.",
        "The 34 provinces since 1 July 2025; includes the records of the former provinces merged into it.",
    ),
    "reasons_province_hint": (
        "Theo tỉnh: các lần chạy trước khi có số liệu lý do theo tỉnh không được tính.",
        "By province: runs published before per-province reason counts existed count nothing.",
    ),
    "province_code": ("Mã tỉnh", "Province code"),
    "rank": ("Hạng", "Rank"),
    "all": ("Tất cả", "All"),
    "any": ("bất kỳ", "any"),
    "every": ("tất cả", "all"),
    "show": ("Xem", "Show"),
    "reason": ("Lý do", "Reason"),
    "reasons": ("Lý do", "Reasons"),
    "records": ("Số bản ghi", "Records"),
    "explanation": ("Giải thích", "Explanation"),
    "reason_match": ("Khớp lý do", "Reason match"),
    "first_seen": ("Lần đầu phát hiện", "First seen"),
    "first_seen_age": ("Tuổi (ngày) từ lần đầu", "Days since first seen"),
    "min_days": ("từ", "from"),
    "max_days": ("đến", "to"),
    "status": ("Trạng thái", "Status"),
    "status_new": ("Mới", "New"),
    "status_recurring": ("Tồn tại", "Recurring"),
    "status_reopened": ("Tái phát", "Reopened"),
    "status_resolved": ("Đã khắc phục", "Resolved"),
    "verdict": ("Kết luận", "Verdict"),
    "verdict_none": ("Chưa có", "None"),
    "verdict_acknowledged": ("Đã ghi nhận", "Acknowledged"),
    "verdict_fixing_at_source": ("Đang sửa tại nguồn", "Fixing at source"),
    "verdict_register_wrong": ("CSDLQG sai", "Register is wrong"),
    "verdict_not_fixable": ("Không thể sửa", "Not fixable"),
    "search": ("Tìm theo mã bản ghi hoặc số định danh", "Search by record key or ID number"),
    "search_button": ("Tìm", "Search"),
    "filter": ("Lọc", "Filter"),
    "reset": ("Xóa lọc", "Reset"),
    "source_key": ("Mã bản ghi", "Record key"),
    "national_id": ("Số định danh (ngành)", "ID number (sector)"),
    "linked_national_id": ("Số định danh (CSDLQG)", "ID number (register)"),
    "next_page": ("Trang sau →", "Next page →"),
    "first_page": ("← Trang đầu", "← First page"),
    "rows_shown": ("bản ghi trên trang này", "records on this page"),
    "export_csv": ("Tải CSV", "Download CSV"),
    "export_xlsx": ("Tải Excel", "Download Excel"),
    "record": ("Bản ghi", "Record"),
    "field": ("Trường", "Field"),
    "sector_value": ("Giá trị ngành", "Sector value"),
    "register_value": ("Giá trị CSDLQG", "Register value"),
    "full_name": ("Họ tên", "Name"),
    "birth_date": ("Ngày sinh", "Birth date"),
    "precision": ("độ chính xác", "precision"),
    "gender": ("Giới tính", "Gender"),
    "deceased": ("Đã mất", "Deceased"),
    "date_of_death": ("Ngày mất", "Date of death"),
    "id_number": ("Số định danh", "ID number"),
    "history": ("Lịch sử", "History"),
    "lifecycle": ("Vòng đời", "Lifecycle"),
    "last_seen": ("Lần cuối", "Last seen"),
    "reopened_count": ("Số lần tái phát", "Times reopened"),
    "verdict_history": ("Lịch sử kết luận", "Verdict history"),
    "actor": ("Người thực hiện", "By"),
    "comment": ("Ghi chú", "Comment"),
    "recorded_at": ("Thời điểm", "When"),
    "save_verdict": ("Lưu kết luận", "Save verdict"),
    "verdict_saved": ("Đã lưu kết luận.", "Verdict saved."),
    "review_unavailable": (
        "Chức năng kết luận chưa được cài đặt trên kho dữ liệu này.",
        "Verdicts are not set up in this warehouse yet.",
    ),
    "register_unavailable": ("Không có dữ liệu CSDLQG để đối chiếu.", "No register values to compare."),
    "same_as_register": ("trùng CSDLQG", "same as register"),
    "not_linked": ("không liên kết được", "not linked"),
    "record_active": ("còn hiệu lực", "in force"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "unknown": ("Không rõ", "Unknown"),
    "back_to_list": ("← Về danh sách", "← Back to list"),
    "likely_typo": ("Có thể gõ nhầm số định danh", "Likely a typo in the ID number"),
    "suggested_ids": ("Số định danh gợi ý", "Suggested IDs"),
    "suggested_id": ("Gợi ý", "Suggested"),
    "candidate": ("Ứng viên", "Candidate"),
    "method": ("Cách tìm", "Method"),
    "confidence": ("Độ tin cậy", "Confidence"),
    "evidence": ("Căn cứ", "Evidence"),
    "suggestion_rule": ("Quy tắc", "Rule"),
    "candidates_found": ("Số người phù hợp", "Persons that fit"),
    "precision_day": ("ngày", "day"),
    "precision_month": ("tháng", "month"),
    "precision_year": ("năm", "year"),
    "gender_M": ("Nam", "Male"),
    "gender_F": ("Nữ", "Female"),
    "forbidden": ("Bạn không có quyền xem lĩnh vực này.", "You may not see this sector."),
    "not_found": ("Không tìm thấy bản ghi.", "Record not found."),
    "ascending": ("tăng dần", "ascending"),
    "descending": ("giảm dần", "descending"),
    "sort_by": ("Sắp xếp theo", "Sort by"),
    "province_scope_hint": (
        "Tỷ lệ theo tỉnh của lần chạy mới nhất; tỉnh cư trú theo CSDLQG khi liên kết được.",
        "Per-province rates of the latest run; the register's residence province when linked.",
    ),
    "reasons_hint": (
        "Một bản ghi có thể có nhiều lý do; số liệu của lần chạy mới nhất mỗi bộ dữ liệu.",
        "A record can carry several reasons; counts of each dataset's latest run.",
    ),
}

SECTOR_NAMES: Final[dict[str, tuple[str, str]]] = {
    "health_insurance": ("Bảo hiểm y tế", "Health insurance"),
    "education": ("Giáo dục", "Education"),
    "social_insurance": ("Bảo hiểm xã hội", "Social insurance"),
    "justice": ("Tư pháp", "Justice"),
}

DATASET_NAMES: Final[dict[str, tuple[str, str]]] = {
    "cards": ("Thẻ BHYT", "Health-insurance cards"),
    "pupils": ("Học sinh", "Pupils"),
    "teachers": ("Giáo viên", "Teachers"),
    "participants": ("Người tham gia BHXH", "Participants"),
    "pensioners": ("Người hưởng lương hưu", "Pensioners"),
    "birth_registrations": ("Đăng ký khai sinh", "Birth registrations"),
}

REASONS: Final[dict[str, tuple[str, str]]] = {
    "MISSING_ID": ("Thiếu số định danh.", "The record has no ID number."),
    "INVALID_ID": (
        "Số định danh không hợp lệ: không đủ 12 chữ số, có ký tự lạ hoặc mã tỉnh không tồn tại "
        "(và không phải CMND 9 số).",
        "The ID number is not valid: not 12 digits, has non-digits or an unknown province code "
        "(and is not a 9-digit CMND).",
    ),
    "LEGACY_ID": (
        "Còn dùng số CMND 9 số; đã liên kết qua số CMND cũ lưu trong CSDLQG nếu tìm được. Cần cập nhật số định danh.",
        "Still a 9-digit CMND number; linked through the register's former CMND when it resolves. "
        "Replace it with the personal ID number.",
    ),
    "NOT_IN_REFERENCE": (
        "Số định danh đúng dạng nhưng không có trong CSDLQG; nếu chữ số thế kỷ/giới tính hoặc năm sinh "
        "mâu thuẫn với bản ghi thì có thể gõ nhầm.",
        "A well-formed ID number the register does not hold; when its century/gender or year digits "
        "contradict the record it is likely a typo.",
    ),
    "DUPLICATE_ID": (
        "Cùng một số định danh xuất hiện ở hai bản ghi trở lên của bộ dữ liệu (tất cả đều bị đánh dấu).",
        "The same ID number is on two or more records of the dataset (all of them are flagged).",
    ),
    "NAME_MISMATCH": ("Họ tên khác với CSDLQG.", "The name differs from the register."),
    "NAME_DIACRITICS": (
        "Họ tên chỉ khác ở dấu tiếng Việt (ví dụ viết không dấu); cần bổ sung dấu cho đúng.",
        "The name differs only in Vietnamese diacritics (e.g. written without them); restore them.",
    ),
    "NAME_ENCODING": (
        "Họ tên bị lỗi mã hóa cũ (TCVN3/VNI); sau khi chuyển mã thì trùng CSDLQG.",
        "The name is garbled by a legacy encoding (TCVN3/VNI); once repaired it equals the register's.",
    ),
    "DOB_MISMATCH": ("Ngày sinh khác với CSDLQG.", "The birth date differs from the register."),
    "DOB_PARTIAL": (
        "Một bên chỉ có năm hoặc tháng/năm sinh; phần đã biết trùng nhau. Cần bổ sung ngày sinh đầy đủ.",
        "One side has only the year or month of birth and the known parts agree; complete the date.",
    ),
    "DOB_INVALID": (
        "Ngày sinh không đọc được, không tồn tại hoặc ở tương lai.",
        "The birth date cannot be read, does not exist or lies in the future.",
    ),
    "GENDER_MISMATCH": (
        "Giới tính khác CSDLQG hoặc không thuộc bảng mã giới tính.",
        "The gender differs from the register or is not in the gender mapping.",
    ),
    "DECEASED": (
        "Người đã mất theo CSDLQG nhưng bản ghi vẫn còn hiệu lực (thẻ, lương hưu, ...).",
        "The register records the person as dead but the record is still in force (card, pension, ...).",
    ),
    "DEATH_NOT_IN_REGISTER": (
        "Đã đăng ký khai tử nhưng CSDLQG vẫn ghi người này còn sống; đã tự động gửi phản hồi cho CSDLQG.",
        "A registered death of a person the register shows alive; sent to the register authority automatically.",
    ),
    "DEATH_DATE_MISMATCH": (
        "Ngày mất trong đăng ký khai tử khác với ngày mất trong CSDLQG.",
        "The date of death registered differs from the register's.",
    ),
}


VERDICTS: Final[tuple[str, ...]] = ("acknowledged", "fixing_at_source", "register_wrong", "not_fixable")
STATUSES: Final[tuple[str, ...]] = ("new", "recurring", "reopened", "resolved")


class Translator:
    """Labels, sector/dataset names and reason explanations in one language."""

    def __init__(self, language: Language) -> None:
        self.language: Language = language
        self._index = 0 if language == "vi" else 1

    def __call__(self, key: str) -> str:
        pair = _LABELS.get(key)
        return pair[self._index] if pair else key

    def _pick(self, table: Mapping[str, tuple[str, str]], key: str) -> str:
        pair = table.get(key)
        return pair[self._index] if pair else key

    def sector(self, sector: str) -> str:
        return self._pick(SECTOR_NAMES, sector)

    def dataset(self, dataset: str) -> str:
        return self._pick(DATASET_NAMES, dataset)

    def reason(self, code: str) -> str:
        return self._pick(REASONS, code)

    def verdict(self, verdict: str | None) -> str:
        return self(f"verdict_{verdict or 'none'}")

    def status(self, status: str) -> str:
        return self(f"status_{status}")


EXPORT_COLUMNS: Final[tuple[tuple[str, str, str], ...]] = (
    # column, Vietnamese header, English header
    ("sector", "Lĩnh vực", "Sector"),
    ("dataset", "Bộ dữ liệu", "Dataset"),
    ("source_key", "Mã bản ghi", "Record key"),
    ("national_id", "Số định danh (ngành)", "ID number (sector)"),
    ("linked_national_id", "Số định danh (CSDLQG)", "ID number (register)"),
    ("province_code", "Mã tỉnh", "Province code"),
    ("province_name", "Tỉnh/thành", "Province"),
    ("current_province_code", "Mã tỉnh hiện nay", "Current province code"),
    ("current_province_name", "Tỉnh/thành hiện nay", "Current province"),
    ("reasons", "Lý do", "Reasons"),
    ("first_seen", "Lần đầu phát hiện", "First seen"),
    ("status", "Trạng thái", "Status"),
    ("verdict", "Kết luận", "Verdict"),
    ("run_id", "Lần chạy", "Run"),
)


def export_header(language: Language) -> tuple[str, ...]:
    index = 1 if language == "vi" else 2
    return tuple(column[index] for column in EXPORT_COLUMNS)
