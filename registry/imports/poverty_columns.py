"""The columns of the annual poverty review list: one row per household and review year."""

from __future__ import annotations

from registry.imports.columns import Column, ColumnSet

POVERTY_COLUMNS = ColumnSet(
    (
        Column(
            "household_code",
            "Mã hộ",
            "Mã hộ gia đình đã đăng ký trong địa bàn của bạn. Bắt buộc.",
            required=True,
            aliases=("mã hộ gia đình", "ma ho gd"),
        ),
        Column(
            "poverty_status",
            "Phân loại hộ",
            "Nghèo, Cận nghèo, Mức sống trung bình, Không (kết quả rà soát được công nhận)."
            " Bắt buộc.",
            required=True,
            aliases=("hộ nghèo/cận nghèo", "kết quả rà soát", "diện hộ", "hộ nghèo"),
        ),
        Column(
            "area",
            "Khu vực",
            "Nông thôn hoặc Thành thị (chuẩn nghèo khác nhau). Để trống: phường, thị trấn là"
            " Thành thị, xã là Nông thôn.",
            aliases=("nông thôn/thành thị", "khu vực (nông thôn/thành thị)", "địa bàn"),
        ),
        Column(
            "income_per_head",
            "Thu nhập bình quân đầu người",
            "Đồng/người/tháng, số nguyên (ví dụ 1.450.000). Có thể để trống.",
            aliases=(
                "thu nhập bình quân",
                "thu nhập bq đầu người",
                "thu nhập bình quân đầu người/tháng",
                "thu nhập",
            ),
        ),
        Column(
            "deprivations",
            "Chỉ số thiếu hụt",
            "Mã các chỉ số thiếu hụt dịch vụ xã hội cơ bản, cách nhau bởi dấu phẩy hoặc chấm"
            " phẩy: employment, dependants, nutrition, health_insurance, adult_education,"
            " child_schooling, housing_quality, housing_area, water, latrine, telecom,"
            " information_access (Nghị định 07/2021/NĐ-CP). Để trống nếu không thiếu hụt.",
            aliases=("các chỉ số thiếu hụt", "thiếu hụt", "chỉ số thiếu hụt dịch vụ xã hội cơ bản"),
        ),
        Column(
            "review_year",
            "Năm rà soát",
            "Năm rà soát (ví dụ 2025: kết quả áp dụng cho cả năm 2026). Bắt buộc.",
            required=True,
            aliases=("năm rà soát hộ nghèo", "năm"),
        ),
        Column(
            "decision_number",
            "Số quyết định",
            "Số quyết định công nhận của Chủ tịch UBND cấp xã. Có thể để trống.",
            aliases=("số qđ", "quyết định công nhận"),
        ),
        Column(
            "decision_on",
            "Ngày quyết định",
            "Ngày ký quyết định, dd/mm/yyyy. Có thể để trống.",
            aliases=("ngày qđ", "ngày ký quyết định"),
        ),
    )
)

#: Columns typed as text, so Excel keeps leading zeros.
TEXT_COLUMNS = frozenset({"household_code", "deprivations", "decision_number"})
#: Columns with a drop-down list of the accepted words.
LISTS = ("poverty_status", "area")
