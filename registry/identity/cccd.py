"""Normalising and validating ID numbers as typed: CCCD (12 digits), old CMND and bank accounts."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

from registry.errors import Problem, ValidationError
from registry.i18n import N_

CCCD_LENGTH = 12
CMND_LENGTH = 9
ACCOUNT_MIN_LENGTH = 6
ACCOUNT_MAX_LENGTH = 19
SEXES = ("male", "female")
#: Problems an officer may accept with a written reason (the person's recorded sex or birth
#: year may be the wrong side, and births registered abroad carry unpublished codes).
#: Length and non-digit problems are never overridable.
CCCD_OVERRIDABLE_CODES = frozenset({"cccd_province", "cccd_sex", "cccd_century", "cccd_year"})

_ASCII_DIGITS = frozenset("0123456789")
_ACCOUNT_CHARACTERS = _ASCII_DIGITS | frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Officers and spreadsheets group digits with these; none of them can be part of a number.
_SEPARATORS = frozenset(".-‐‑‒–—−")
# Invisible characters that ride along when a number is copied from a PDF, web page or CSV.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")


@dataclass(frozen=True)
class CccdParts:
    """The fields of a 12-digit personal ID, laid out PPP G YY RRRRRR (Decree 137/2015 art. 13)."""

    province_code: str
    province_name: str
    sex: str
    century_start: int
    birth_year_two_digits: int
    serial: str

    @property
    def birth_year(self) -> int:
        return self.century_start + self.birth_year_two_digits


@cache
def province_codes() -> Mapping[str, str]:
    """The 63 province codes (digits 1–3) → province name (Circular 07/2016/TT-BCA art. 7).

    An issued number keeps its prefix for life, so this stays the pre-2025 list of 63 even
    though only 34 provinces remain after the 2025 mergers.
    """
    text = resources.files("registry.identity").joinpath("data/cccd-province-codes.csv")
    rows = csv.DictReader(io.StringIO(text.read_text(encoding="utf-8")))
    return MappingProxyType({row["code"]: row["province"] for row in rows})


def _problem(field: str, code: str, message: str, /, **params: int | str) -> Problem:
    return Problem(field=field, message=message, params=params, code=code)


def _clean(raw: str | int, field: str, kind: str) -> str:
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise TypeError(f"expected str or int, got {type(raw).__name__}")
    text = str(raw)
    if "\x00" in text:
        # PostgreSQL refuses NUL in text, and no keyboard types one: the input is corrupt.
        message = N_("The number contains a hidden NUL character; please retype it.")
        raise ValidationError([_problem(field, f"{kind}_nul", message)])
    kept = []
    for char in text:
        if "\uff01" <= char <= "\uff5e":  # full-width ASCII, typed with a Vietnamese/CJK IME
            char = chr(ord(char) - 0xFEE0)
        if char.isspace() or char in _SEPARATORS or char in _INVISIBLE:
            continue
        if char not in _ASCII_DIGITS and unicodedata.category(char) == "Nd":
            char = str(unicodedata.decimal(char))
        kept.append(char)
    return "".join(kept)


def _describe(characters: str) -> str:
    seen = dict.fromkeys(characters)
    return ", ".join(f"“{c}”" if c.isprintable() else f"U+{ord(c):04X}" for c in seen)


def _digit_problems(
    number: str, field: str, kind: str, length: int, length_message: str
) -> list[Problem]:
    problems = []
    others = "".join(c for c in number if c not in _ASCII_DIGITS)
    if others:
        message = N_("The number may contain only the digits 0–9; it contains %(characters)s.")
        problems.append(
            _problem(field, f"{kind}_not_digits", message, characters=_describe(others))
        )
    count = len(number) - len(others)
    if count != length:
        problems.append(_problem(field, f"{kind}_length", length_message, count=count))
    return problems


def normalise_cccd(raw: str | int) -> str:
    """Return the digits of a CCCD as typed or imported, which may still be invalid.

    Removes whitespace (NBSP included), dots and dashes anywhere, and turns full-width or
    other Unicode digits into ASCII. Does not restore a leading zero lost by Excel: see
    ``restore_leading_zero``. Raises ``ValidationError`` if the text contains NUL.
    """
    return _clean(raw, "cccd", "cccd")


def restore_leading_zero(digits: str) -> str:
    """Put back the leading 0 that a numeric spreadsheet cell drops from an 11-digit CCCD.

    Every province code starts with 0 (Circular 07/2016/TT-BCA art. 7), so an 11-digit
    number from a numeric cell is a CCCD that lost it. Anything else comes back unchanged,
    so an importer may call this on every cell that was numeric in the source file.
    """
    if len(digits) == CCCD_LENGTH - 1 and set(digits) <= _ASCII_DIGITS:
        return "0" + digits
    return digits


def cccd_problems(
    number: str, *, sex: str | None = None, birth_year: int | None = None, field: str = "cccd"
) -> list[Problem]:
    """List every problem with a normalised CCCD, checked against the person's sex and birth year.

    Layout PPP G YY RRRRRR (Decree 137/2015/NĐ-CP art. 13; Circular 07/2016/TT-BCA art. 7,
    replaced by Circular 59/2021/TT-BCA with the same layout): PPP a known province code,
    G the century of birth and sex, YY the last two digits of the birth year. There is no
    check digit. Only the birth year is needed, as many elderly people have no full date.
    ``sex`` is ``"male"``, ``"female"`` or None (not checked); anything else is a ValueError.
    Codes for births registered abroad are not published, so such numbers are reported as
    an unknown province and need an officer's override.
    """
    if sex is not None and sex not in SEXES:
        raise ValueError(f"sex must be one of {SEXES} or None, got {sex!r}")
    problems = _digit_problems(
        number,
        field,
        "cccd",
        CCCD_LENGTH,
        N_("The CCCD number must have 12 digits; the number entered has %(count)d."),
    )
    if problems:
        return problems
    code = number[:3]
    if code not in province_codes():
        message = N_("Digits 1–3 of the CCCD (%(code)s) are not a known province code.")
        problems.append(_problem(field, "cccd_province", message, code=code))
    digit = int(number[3])
    digit_sex = SEXES[digit % 2]
    century_start = 1900 + (digit // 2) * 100
    if sex is not None and sex != digit_sex:
        # One message per case rather than a "male"/"female" parameter, so each translates whole.
        if digit_sex == "male":
            message = N_(
                "Digit 4 of the CCCD (%(digit)d) is used for men,"
                " but the person is recorded as a woman."
            )
        else:
            message = N_(
                "Digit 4 of the CCCD (%(digit)d) is used for women,"
                " but the person is recorded as a man."
            )
        problems.append(
            _problem(field, "cccd_sex", message, digit=digit, digit_sex=digit_sex, sex=sex)
        )
    if birth_year is not None and not century_start <= birth_year <= century_start + 99:
        message = N_(
            "Digit 4 of the CCCD (%(digit)d) is used for people born from %(century_start)d"
            " to %(century_end)d, but the birth year is recorded as %(year)d."
        )
        params = {"century_start": century_start, "century_end": century_start + 99}
        problems.append(
            _problem(field, "cccd_century", message, digit=digit, year=birth_year, **params)
        )
    expected = None if birth_year is None else f"{birth_year % 100:02d}"
    if expected is not None and number[4:6] != expected:
        message = N_(
            "Digits 5–6 of the CCCD (%(digits)s) should be %(expected)s,"
            " the last two digits of the birth year %(year)d."
        )
        problems.append(
            _problem(
                field, "cccd_year", message, digits=number[4:6], expected=expected, year=birth_year
            )
        )
    return problems


def validate_cccd(
    raw: str | int, *, sex: str | None = None, birth_year: int | None = None, field: str = "cccd"
) -> str:
    """Normalise a CCCD and return its 12 digits, or raise ``ValidationError`` with every problem.

    See ``cccd_problems`` for the checks and their legal basis.
    """
    number = _clean(raw, field, "cccd")
    problems = cccd_problems(number, sex=sex, birth_year=birth_year, field=field)
    if problems:
        raise ValidationError(problems)
    return number


def decode_cccd(number: str) -> CccdParts:
    """Split a structurally valid, normalised CCCD into its fields (Decree 137/2015 art. 13).

    Raises ``ValidationError`` if the number is not 12 digits with a known province code.
    """
    problems = cccd_problems(number)
    if problems:
        raise ValidationError(problems)
    digit = int(number[3])
    return CccdParts(
        province_code=number[:3],
        province_name=province_codes()[number[:3]],
        sex=SEXES[digit % 2],
        century_start=1900 + (digit // 2) * 100,
        birth_year_two_digits=int(number[4:6]),
        serial=number[6:],
    )


def mask_tail(value: str, visible: int = 4) -> str:
    """Replace all but the last ``visible`` characters with ``*``, never showing more than half."""
    shown = min(visible, len(value) // 2)
    return "*" * (len(value) - shown) + (value[-shown:] if shown else "")


def mask_cccd(number: str) -> str:
    """Show a CCCD as officers without the reveal permission see it: ``********2345``."""
    return mask_tail(number, 4)


def normalise_cmnd(raw: str | int) -> str:
    """Return the digits of an old 9-digit CMND, cleaned like a CCCD (may still be invalid)."""
    return _clean(raw, "cmnd", "cmnd")


def cmnd_problems(number: str, *, field: str = "cmnd") -> list[Problem]:
    """List every problem with a normalised CMND: it must be exactly 9 digits.

    The digits are treated as opaque, since which area each prefix names is not published.
    A 12-digit CMND (2012–2016) carries the personal ID number and belongs in the CCCD field.
    """
    if len(number) == CCCD_LENGTH and set(number) <= _ASCII_DIGITS:
        message = N_(
            "A 12-digit number is a CCCD (personal ID number); enter it as the CCCD,"
            " not as the CMND."
        )
        return [_problem(field, "cmnd_is_cccd", message)]
    return _digit_problems(
        number,
        field,
        "cmnd",
        CMND_LENGTH,
        N_("The CMND number must have 9 digits; the number entered has %(count)d."),
    )


def validate_cmnd(raw: str | int, *, field: str = "cmnd") -> str:
    """Normalise an old CMND and return its 9 digits, or raise ``ValidationError``."""
    number = _clean(raw, field, "cmnd")
    problems = cmnd_problems(number, field=field)
    if problems:
        raise ValidationError(problems)
    return number


def normalise_account_number(raw: str | int) -> str:
    """Return a bank account number without spaces, dots or dashes, in upper case."""
    return _clean(raw, "account_number", "account_number").upper()


def account_number_problems(number: str, *, field: str = "account_number") -> list[Problem]:
    """List every problem with a normalised bank account number: 6–19 digits or ASCII letters.

    Letters are allowed because some banks issue alias accounts (tài khoản số đẹp / nickname).
    """
    problems = []
    others = "".join(c for c in number if c not in _ACCOUNT_CHARACTERS)
    if others:
        message = N_(
            "A bank account number may contain only digits and the letters A–Z;"
            " it contains %(characters)s."
        )
        problems.append(
            _problem(field, "account_number_characters", message, characters=_describe(others))
        )
    if not ACCOUNT_MIN_LENGTH <= len(number) <= ACCOUNT_MAX_LENGTH:
        message = N_(
            "A bank account number has 6 to 19 characters; the number entered has %(count)d."
        )
        problems.append(_problem(field, "account_number_length", message, count=len(number)))
    return problems


def validate_account_number(raw: str | int, *, field: str = "account_number") -> str:
    """Normalise a bank account number and return it, or raise ``ValidationError``."""
    number = _clean(raw, field, "account_number").upper()
    problems = account_number_problems(number, field=field)
    if problems:
        raise ValidationError(problems)
    return number
