"""How officers read values: dates dd/mm/yyyy, money 1.234.567 đ, months MM/YYYY."""

from __future__ import annotations

from datetime import date, datetime

from registry.calendar import OFFICE_TZ as LOCAL_TZ


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def format_money(amount: int | None) -> str:
    """Integer VND with dots between thousands: 1234567 → '1.234.567 đ'."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(int(amount)):,} đ".replace(",", ".")


def format_count(number: int) -> str:
    """A count with dots between thousands, as Vietnamese writes it: 2000 → '2.000'."""
    return f"{int(number):,}".replace(",", ".")


def format_month(value: date | None) -> str:
    return "" if value is None else value.strftime("%m/%Y")


def format_birth(birth_date: date | None, birth_year: int | None) -> str:
    """The date of birth, or the year alone when only the year is known (common for the elderly)."""
    return format_date(birth_date) if birth_date else (str(birth_year) if birth_year else "")


def parse_date(text: str) -> date:
    """Read dd/mm/yyyy (as officers type it) or ISO yyyy-mm-dd (as date inputs send it)."""
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)
