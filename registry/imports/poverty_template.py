"""The downloadable poverty review template: one row per household, and a "Hướng dẫn" sheet.

Pure: returns the workbook's bytes; no database, no clock.
"""

from __future__ import annotations

import io

import xlsxwriter

from registry.households.indicators import INDICATORS_2022
from registry.imports.poverty_columns import LISTS, POVERTY_COLUMNS, TEXT_COLUMNS
from registry.imports.template import header_format, write_data_sheet, write_guide_columns

_NOTES = (
    "Mỗi dòng là kết quả rà soát của một hộ đã đăng ký, cho một năm rà soát; kết quả áp dụng"
    " cho cả năm sau năm rà soát (ví dụ rà soát 2025 → năm 2026).",
    "Hộ đã có kết quả của năm đó được cập nhật theo tệp; hộ ngoài địa bàn của bạn bị từ chối.",
    "Chữ có dấu hoặc không dấu đều được (Cận nghèo = can ngheo).",
    "Nếu có dòng lỗi, không dòng nào được nhập; hoặc chọn chỉ nhập các dòng đúng và nhận lại"
    " tệp các dòng lỗi với cột “Lỗi”.",
)
#: The indicators' Vietnamese names (Decree 07/2021/NĐ-CP art. 3(2)), for the guide sheet.
_INDICATOR_NAMES = {
    "employment": "Việc làm",
    "dependants": "Người phụ thuộc trong hộ gia đình",
    "nutrition": "Dinh dưỡng",
    "health_insurance": "Bảo hiểm y tế",
    "adult_education": "Trình độ giáo dục của người lớn",
    "child_schooling": "Tình trạng đi học của trẻ em",
    "housing_quality": "Chất lượng nhà ở",
    "housing_area": "Diện tích nhà ở bình quân đầu người",
    "water": "Nguồn nước sinh hoạt",
    "latrine": "Nhà tiêu hợp vệ sinh",
    "telecom": "Sử dụng dịch vụ viễn thông",
    "information_access": "Phương tiện phục vụ tiếp cận thông tin",
}


def write_poverty_template() -> bytes:
    """The template workbook: headers in Vietnamese, our keys in a second header row."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    header = header_format(book)
    write_data_sheet(book, header, POVERTY_COLUMNS.columns, text_columns=TEXT_COLUMNS, lists=LISTS)
    guide = write_guide_columns(book, header, POVERTY_COLUMNS.columns)
    start = len(POVERTY_COLUMNS.columns) + 2
    for offset, note in enumerate(_NOTES):
        guide.write_string(start + offset, 0, note)
    start += len(_NOTES) + 1
    guide.write_row(start, 0, ("Mã chỉ số thiếu hụt", "Chỉ số"), header)
    for offset, code in enumerate(INDICATORS_2022, start=1):
        guide.write_string(start + offset, 0, code)
        guide.write_string(start + offset, 1, _INDICATOR_NAMES.get(code, code))
    book.close()
    return out.getvalue()
