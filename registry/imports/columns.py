"""The columns of the people import: keys, Vietnamese headers, and the header aliases accepted."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from registry.people.names import fold


@dataclass(frozen=True)
class Column:
    """One column of the import template (the key is what mappings and errors name)."""

    key: str
    #: The header in the template, in Vietnamese as the office writes it.
    header: str
    #: What the officer may type, shown on the "Hướng dẫn" sheet.
    guide: str
    required: bool = False
    #: Other headers real commune files use for this column.
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column(
        "household_code",
        "Mã hộ",
        "Mã hộ gia đình; các dòng cùng mã hộ là một hộ. Bắt buộc.",
        required=True,
        aliases=("mã hộ gia đình", "ma ho gd"),
    ),
    Column(
        "commune_code",
        "Mã xã/phường",
        "Mã đơn vị hành chính cấp xã (5 chữ số) đang có hiệu lực, trong địa bàn của bạn."
        " Có thể chỉ ghi ở dòng chủ hộ.",
        aliases=("mã xã", "mã phường", "mã đơn vị hành chính", "mã đvhc"),
    ),
    Column(
        "address",
        "Địa chỉ",
        "Thôn/tổ dân phố, số nhà. Bắt buộc với hộ mới; có thể chỉ ghi ở dòng chủ hộ.",
        aliases=("địa chỉ thường trú", "nơi cư trú", "thôn, tổ dân phố"),
    ),
    Column(
        "full_name",
        "Họ và tên",
        "Họ và tên đầy đủ, có dấu. Bắt buộc.",
        required=True,
        aliases=("họ tên", "tên", "họ và tên đối tượng"),
    ),
    Column(
        "relation_to_head",
        "Quan hệ với chủ hộ",
        "Chủ hộ, Vợ, Chồng, Con, Cháu, Cha, Mẹ, Anh, Chị, Em, Khác. Mỗi hộ mới có đúng một"
        " chủ hộ. Bắt buộc.",
        required=True,
        aliases=("quan hệ", "quan hệ với chủ hộ gia đình", "qh với chủ hộ"),
    ),
    Column(
        "birth_date",
        "Ngày sinh",
        "dd/mm/yyyy (ví dụ 17/05/1990), hoặc chỉ năm sinh (1950). Bắt buộc.",
        required=True,
        aliases=("ngày tháng năm sinh", "năm sinh", "ngày, tháng, năm sinh"),
    ),
    Column(
        "sex",
        "Giới tính",
        "Nam hoặc Nữ. Bắt buộc.",
        required=True,
        aliases=("giới", "nam/nữ", "gioi tinh (nam/nu)"),
    ),
    Column(
        "cccd",
        "Số CCCD",
        "Số định danh cá nhân 12 chữ số (nên định dạng ô là Văn bản để giữ số 0 đầu);"
        " phải khớp giới tính và năm sinh. Để trống nếu chưa có.",
        aliases=("số định danh cá nhân", "số định danh", "cccd", "số căn cước", "số cccd/cmnd"),
    ),
    Column(
        "disability",
        "Mức độ khuyết tật",
        "Đặc biệt nặng, Nặng, Nhẹ; để trống nếu không khuyết tật.",
        aliases=("khuyết tật", "mức độ kt"),
    ),
    Column(
        "has_pension",
        "Hưởng lương hưu/trợ cấp BHXH",
        "Có hoặc Không (để trống là Không).",
        aliases=("lương hưu", "hưởng lương hưu", "có lương hưu"),
    ),
    Column(
        "poverty_status",
        "Hộ nghèo/cận nghèo",
        "Nghèo, Cận nghèo, Mức sống trung bình, Không; ghi cho hộ (dòng chủ hộ là đủ).",
        aliases=("phân loại hộ", "hộ nghèo", "diện hộ"),
    ),
    Column(
        "poverty_year",
        "Năm rà soát",
        "Năm rà soát hộ nghèo (ví dụ 2025: kết quả áp dụng cho năm 2026). Bắt buộc khi có"
        " phân loại hộ.",
        aliases=("năm rà soát hộ nghèo",),
    ),
    Column(
        "merit_category",
        "Diện người có công",
        "Thương binh, Thương binh loại B, Bệnh binh, Thân nhân liệt sĩ, Bà mẹ Việt Nam anh"
        " hùng, Nhiễm chất độc hóa học, …; để trống nếu không.",
        aliases=("người có công", "diện ncc", "đối tượng người có công"),
    ),
    Column(
        "injury_rate",
        "Tỷ lệ tổn thương (%)",
        "Tỷ lệ tổn thương cơ thể, từ 1 đến 100; bắt buộc với thương binh, bệnh binh, nhiễm"
        " chất độc hóa học.",
        aliases=("tỷ lệ tổn thương", "tỷ lệ tổn thương cơ thể"),
    ),
    Column(
        "martyrs",
        "Số liệt sĩ",
        "Số liệt sĩ (từ 1); bắt buộc với thân nhân liệt sĩ.",
        aliases=("số lượng liệt sĩ",),
    ),
    Column(
        "bank_bin",
        "Mã ngân hàng (BIN)",
        "Mã BIN NAPAS của ngân hàng, 6 chữ số (ví dụ 970436 Vietcombank); đi cùng số tài khoản.",
        aliases=("mã ngân hàng", "bin", "mã bin"),
    ),
    Column(
        "account_number",
        "Số tài khoản",
        "Số tài khoản ngân hàng, 6–19 ký tự (định dạng ô là Văn bản).",
        aliases=("số tk", "stk", "tài khoản"),
    ),
)

#: Columns holding household facts: rows of one household must agree on them.
HOUSEHOLD_KEYS = ("commune_code", "address", "poverty_status", "poverty_year")


_NOTE = re.compile(r"\([^)]*\)")


def header_key(text: str) -> str:
    """How a header is compared: folded (no accents, lower case), punctuation ignored."""
    return "".join(fold(text).split())


@dataclass(frozen=True)
class ColumnSet:
    """The columns of one kind of import file, and every header recognised for them."""

    columns: tuple[Column, ...]
    by_key: dict[str, Column] = field(init=False, repr=False)
    keys: tuple[str, ...] = field(init=False, repr=False)
    #: Every header we recognise without a mapping → its key.
    known_headers: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_key = {c.key: c for c in self.columns}
        object.__setattr__(self, "by_key", by_key)
        object.__setattr__(self, "keys", tuple(by_key))
        object.__setattr__(
            self,
            "known_headers",
            {
                header_key(name): column.key
                for column in self.columns
                for name in (column.key, column.header, *column.aliases)
            },
        )

    def match_header(self, text: str) -> str | None:
        """The key of a header we know, also when a note in brackets follows it ("Ngày sinh
        (dd/mm/yyyy)"); None for a header we do not know.
        """
        return self.known_headers.get(header_key(text)) or self.known_headers.get(
            header_key(_NOTE.sub("", text))
        )


PEOPLE_COLUMNS = ColumnSet(COLUMNS)
BY_KEY: dict[str, Column] = PEOPLE_COLUMNS.by_key
KEYS: tuple[str, ...] = PEOPLE_COLUMNS.keys
KNOWN_HEADERS: dict[str, str] = PEOPLE_COLUMNS.known_headers
match_header = PEOPLE_COLUMNS.match_header
