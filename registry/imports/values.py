"""Reading one cell of an import file: text, codes, dates or years, numbers and the choices.

Cells arrive as openpyxl gives them (str, int, float, bool, datetime) or as CSV text.
Choices are accepted in Vietnamese with or without accents, or as our keys. Each reader
returns the value (None for an empty cell) or raises CellError with a message id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from typing import Any, TypeVar

from registry.errors import ValidationError
from registry.households.models import Area, PovertyStatus
from registry.i18n import N_
from registry.identity.cccd import normalise_cccd, restore_leading_zero
from registry.people.models import DisabilityLevel, MeritCategory, Relation, Sex
from registry.people.names import fold

E = TypeVar("E", bound=Enum)

#: The largest integer a spreadsheet keeps exactly (an IEEE double's 53-bit mantissa).
_EXACT_FLOAT = 2**53
_DAY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")
_YEAR = re.compile(r"\d{4}")
_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE]\+?[0-9]+")
_WHOLE = re.compile(r"[0-9]{1,9}(?:[.,]0+)?")


class CellError(ValueError):
    """A cell that cannot be read; ``message`` is an English msgid with ``params``."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any, *, max_length: int = 300) -> str | None:
    """A text cell, spaces collapsed; numbers are read as their digits (12 → "12")."""
    if type(value) is str:  # the common case first: most cells are text
        result = value
        if not result or result.isspace():
            return None
    elif value is None:
        return None
    elif isinstance(value, bool):
        result = "TRUE" if value else "FALSE"
    elif isinstance(value, float) and value.is_integer():
        result = str(int(value))
    elif isinstance(value, datetime):
        result = value.strftime("%d/%m/%Y")
    else:
        result = str(value)
    if "\x00" in result:
        # No keyboard types NUL and PostgreSQL refuses it: the file is corrupt here.
        raise CellError(N_("The cell contains a hidden NUL character; please retype it."))
    result = " ".join(result.split())
    if len(result) > max_length:
        raise CellError(N_("The text is too long: at most %(max)d characters."), max=max_length)
    return result


def code(value: Any, *, digits: int = 0) -> str | None:
    """An official code; a code typed as a number gets back the leading zeros it lost."""
    if (
        digits
        and isinstance(value, (int, float))
        and not isinstance(value, bool)
        and 0 <= value < 10**digits
        and value == int(value)
    ):
        return f"{int(value):0{digits}d}"
    return text(value, max_length=40)


def birth(value: Any) -> tuple[date | None, int | None]:
    """A date of birth (dd/mm/yyyy, ISO, or an Excel date) or a year alone: (date, year)."""
    if is_blank(value):
        return None, None
    if isinstance(value, datetime):
        return value.date(), value.year
    if isinstance(value, date):
        return value, value.year
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1000 <= value <= 9999 and value == int(value):
            return None, int(value)
        raise CellError(_BIRTH_FORMAT)
    raw = text(value) or ""
    if _YEAR.fullmatch(raw):
        return None, int(raw)
    found = _DAY.fullmatch(raw)
    if found:
        day, month, year = (int(g) for g in found.groups())
    elif found := _ISO_DAY.fullmatch(raw):
        year, month, day = (int(g) for g in found.groups())
    else:
        raise CellError(_BIRTH_FORMAT)
    try:
        return date(year, month, day), year
    except ValueError:
        raise CellError(N_("%(value)s is not a real date."), value=raw) from None


_BIRTH_FORMAT = N_(
    "Enter the date of birth as dd/mm/yyyy, or the year of birth alone (for example 1950)."
)


def day(value: Any) -> date | None:
    """A calendar date: dd/mm/yyyy, ISO, or an Excel date cell."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value) or ""
    found = _DAY.fullmatch(raw)
    if found:
        day_, month, year = (int(g) for g in found.groups())
    elif found := _ISO_DAY.fullmatch(raw):
        year, month, day_ = (int(g) for g in found.groups())
    else:
        raise CellError(N_("Enter the date as dd/mm/yyyy (for example 15/12/2025)."))
    try:
        return date(year, month, day_)
    except ValueError:
        raise CellError(N_("%(value)s is not a real date."), value=raw) from None


_MONEY = re.compile(r"[0-9]{1,3}(?:([.,\s])[0-9]{3})(?:\1[0-9]{3})*|[0-9]{1,12}")
_CURRENCY = re.compile(r"\s*(?:đồng|đ|vnđ|vnd)\s*$", re.IGNORECASE)


def money(value: Any, *, maximum: int = 10**10) -> int | None:
    """Whole VND: 1500000, "1.500.000", "1,500,000 đ" or 1500000.0 from a spreadsheet."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_MONEY_FORMAT)
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_MONEY_FORMAT)
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        raw = _CURRENCY.sub("", text(value) or "")
        if raw.startswith("-") and _MONEY.fullmatch(raw[1:]):
            raise CellError(N_("The amount cannot be negative."))
        if not _MONEY.fullmatch(raw):
            raise CellError(_MONEY_FORMAT)
        number = int(re.sub(r"[.,\s]", "", raw))
    if number < 0:
        raise CellError(N_("The amount cannot be negative."))
    if number > maximum:
        raise CellError(N_("This number is too large."))
    return number


_MONEY_FORMAT = N_("Enter a whole amount in đồng, for example 1.500.000.")


def whole_number(value: Any, *, maximum: int = 9999) -> int | None:
    """A whole number up to ``maximum``; 61.0 from a spreadsheet and "61%" are both 61."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(N_("Enter a whole number."))
    if isinstance(value, float):
        if not value.is_integer() or abs(value) > maximum:
            raise CellError(N_("Enter a whole number."))
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        raw = (text(value) or "").rstrip("%").strip()
        if not _WHOLE.fullmatch(raw):
            raise CellError(N_("Enter a whole number."))
        number = int(re.split(r"[.,]", raw)[0])
    if abs(number) > maximum:
        # The database column is a 32-bit integer; no count or rate here comes near this.
        raise CellError(N_("This number is too large."))
    return number


def _number_text(value: Any) -> str | None:
    """The digits of an identifying number (CCCD, account); a number cell must still be exact."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(N_("This value is not accepted."))
    if isinstance(value, float):
        if not value.is_integer() or value >= _EXACT_FLOAT:
            raise CellError(_LOST_DIGITS)
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    raw = text(value, max_length=60) or ""
    if _SCIENTIFIC.fullmatch(raw):
        raise CellError(_LOST_DIGITS)
    return raw


_LOST_DIGITS = N_(
    "Excel stored this number as a number and lost digits: format the column as Text and"
    " type the number again."
)


def cccd(value: Any) -> str | None:
    """A CCCD's digits (not yet validated), with the leading zero a number cell lost put back.

    Every province code starts with 0, so 11 digits not starting with 0 (a numeric cell, or a
    CSV saved from one) lost it; an 11-digit number typed with its 0 lost a digit elsewhere
    and is left for the validator to refuse.
    """
    raw = _number_text(value)
    if raw is None:
        return None
    try:
        digits = normalise_cccd(raw)
    except ValidationError as error:
        problem = error.problems[0]
        raise CellError(problem.message, **problem.params) from None
    if not digits.startswith("0"):
        digits = restore_leading_zero(digits)
    return digits


def account_number(value: Any) -> str | None:
    """A bank account number as text (validated later with the account rules)."""
    return _number_text(value)


# --- choices ----------------------------------------------------------------------------


def _vocabulary(enum: type[E], words: Mapping[E, tuple[str, ...]]) -> dict[str, E]:
    table: dict[str, E] = {}
    for member in enum:
        table[fold(str(member.value))] = member
        table[fold(member.name)] = member
    for member, names in words.items():
        for name in names:
            table[fold(name)] = member
    return table


SEX_WORDS = _vocabulary(Sex, {Sex.MALE: ("Nam", "m", "trai"), Sex.FEMALE: ("Nữ", "f", "gái")})

RELATION_WORDS = _vocabulary(
    Relation,
    {
        Relation.HEAD: ("Chủ hộ", "CH", "chủ hộ gia đình"),
        Relation.WIFE: ("Vợ",),
        Relation.HUSBAND: ("Chồng",),
        Relation.CHILD: ("Con", "con đẻ", "con ruột", "con nuôi", "con trai", "con gái"),
        Relation.GRANDCHILD: ("Cháu", "cháu nội", "cháu ngoại", "cháu ruột"),
        Relation.FATHER: ("Cha", "bố", "cha đẻ", "bố đẻ", "cha ruột"),
        Relation.MOTHER: ("Mẹ", "má", "mẹ đẻ", "mẹ ruột"),
        Relation.OLDER_BROTHER: ("Anh", "anh trai", "anh ruột"),
        Relation.OLDER_SISTER: ("Chị", "chị gái", "chị ruột"),
        Relation.YOUNGER_SIBLING: ("Em", "em trai", "em gái", "em ruột"),
        # "Bà" alone is left out: it is a grandmother in the North and a father in the South.
        Relation.OTHER: (
            "Khác",
            "con dâu",
            "con rể",
            "ông nội",
            "bà nội",
            "ông ngoại",
            "bà ngoại",
            "cháu họ",
        ),
    },
)

DISABILITY_WORDS = _vocabulary(
    DisabilityLevel,
    {
        DisabilityLevel.ESPECIALLY_SEVERE: (
            "Đặc biệt nặng",
            "khuyết tật đặc biệt nặng",
            "KT đặc biệt nặng",
        ),
        DisabilityLevel.SEVERE: ("Nặng", "khuyết tật nặng", "KT nặng"),
        DisabilityLevel.MILD: ("Nhẹ", "khuyết tật nhẹ", "KT nhẹ"),
    },
)

POVERTY_WORDS = _vocabulary(
    PovertyStatus,
    {
        PovertyStatus.POOR: ("Nghèo", "hộ nghèo", "HN"),
        PovertyStatus.NEAR_POOR: ("Cận nghèo", "hộ cận nghèo", "HCN"),
        PovertyStatus.AVERAGE: (
            "Mức sống trung bình",
            "trung bình",
            "hộ có mức sống trung bình",
            "hộ mức sống trung bình",
        ),
        PovertyStatus.NONE: ("Không", "không nghèo", "hộ không nghèo"),
    },
)

AREA_WORDS = _vocabulary(
    Area,
    {
        Area.RURAL: ("Nông thôn", "khu vực nông thôn", "NT"),
        Area.URBAN: ("Thành thị", "khu vực thành thị", "đô thị"),
    },
)

MERIT_WORDS = _vocabulary(
    MeritCategory,
    {
        MeritCategory.PRE1945_REVOLUTIONARY: (
            "Lão thành cách mạng",
            "cán bộ lão thành cách mạng",
            "hoạt động cách mạng trước 1945",
            "người hoạt động cách mạng trước ngày 01 tháng 01 năm 1945",
        ),
        MeritCategory.AUG1945_REVOLUTIONARY: (
            "Tiền khởi nghĩa",
            "cán bộ tiền khởi nghĩa",
            "người hoạt động cách mạng từ ngày 01 tháng 01 năm 1945 đến ngày khởi nghĩa"
            " tháng Tám năm 1945",
        ),
        MeritCategory.MARTYR_RELATIVE: ("Thân nhân liệt sĩ", "thân nhân LS", "gia đình liệt sĩ"),
        MeritCategory.HEROIC_MOTHER: ("Bà mẹ Việt Nam anh hùng", "mẹ Việt Nam anh hùng", "BMVNAH"),
        MeritCategory.WARTIME_HERO: (
            "Anh hùng lực lượng vũ trang",
            "anh hùng lực lượng vũ trang nhân dân",
            "anh hùng LLVT",
            "anh hùng lao động",
            "anh hùng lao động trong thời kỳ kháng chiến",
        ),
        MeritCategory.WAR_INVALID: ("Thương binh", "TB"),
        MeritCategory.WAR_INVALID_CLASS_B: ("Thương binh loại B", "TB loại B"),
        MeritCategory.SICK_SOLDIER: ("Bệnh binh", "BB"),
        MeritCategory.AGENT_ORANGE: (
            "Nhiễm chất độc hóa học",
            "chất độc hóa học",
            "nhiễm chất độc da cam",
            "chất độc da cam",
            "người hoạt động kháng chiến bị nhiễm chất độc hóa học",
        ),
        MeritCategory.FORMER_PRISONER: (
            "Bị địch bắt tù, đày",
            "bị địch bắt tù đày",
            "người hoạt động cách mạng bị địch bắt tù, đày",
        ),
        MeritCategory.RESISTANCE_PARTICIPANT: (
            "Hoạt động kháng chiến",
            "người hoạt động kháng chiến",
            "người hoạt động kháng chiến giải phóng dân tộc",
        ),
        MeritCategory.REVOLUTION_HELPER: (
            "Có công giúp đỡ cách mạng",
            "người có công giúp đỡ cách mạng",
        ),
    },
)

_YES = frozenset(fold(w) for w in ("Có", "x", "yes", "y", "true", "1", "c", "đúng"))
_NO = frozenset(fold(w) for w in ("Không", "k", "ko", "no", "n", "false", "0", "sai"))
#: "Không" in a choice column means "none" (no disability, no merit category).
_NONE = frozenset(fold(w) for w in ("Không", "ko", "k", "-"))

#: The words listed in an error message for each choice column (the template's wording).
ACCEPTED = {
    "sex": "Nam, Nữ",
    "relation_to_head": "Chủ hộ, Vợ, Chồng, Con, Cháu, Cha, Mẹ, Anh, Chị, Em, Khác",
    "disability": "Đặc biệt nặng, Nặng, Nhẹ",
    "has_pension": "Có, Không",
    "poverty_status": "Nghèo, Cận nghèo, Mức sống trung bình, Không",
    "area": "Nông thôn, Thành thị",
    "merit_category": (
        "Thương binh, Thương binh loại B, Bệnh binh, Thân nhân liệt sĩ, Bà mẹ Việt Nam anh hùng,"
        " Anh hùng lực lượng vũ trang, Lão thành cách mạng, Tiền khởi nghĩa,"
        " Nhiễm chất độc hóa học, Bị địch bắt tù, đày, Hoạt động kháng chiến,"
        " Có công giúp đỡ cách mạng"
    ),
}


@lru_cache(maxsize=4096)
def _folded(raw: str) -> str:
    return fold(raw)


def choice(
    value: Any, words: Mapping[str, E], column: str, *, none_words: bool = False
) -> E | None:
    """One of an enum's members from its Vietnamese word (accents optional) or its key."""
    raw = text(value)
    if raw is None:
        return None
    key = _folded(raw)
    found = words.get(key)
    if found is not None:
        return found
    if none_words and key in _NONE:
        return None
    raise CellError(
        N_("“%(value)s” is not accepted here; write one of: %(accepted)s."),
        value=raw,
        accepted=ACCEPTED[column],
    )


def yes_no(value: Any) -> bool:
    """Có/Không (x, 1, TRUE … too); an empty cell is Không."""
    if is_blank(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    key = _folded(text(value) or "")
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError(
        N_("“%(value)s” is not accepted here; write one of: %(accepted)s."),
        value=text(value),
        accepted=ACCEPTED["has_pension"],
    )
