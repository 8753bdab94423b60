"""How months and ages are read: each reading one named function the office can change.

These are the project's readings where the texts leave room (shared/domain/rule-cases.md).
"""

from __future__ import annotations

from datetime import date


def month_start(value: date) -> date:
    """The first day of the month ``value`` falls in: the key of every monthly result."""
    return value.replace(day=1)


def parse_month(text: str) -> date:
    """'2024-08' → date(2024, 8, 1); raises ValueError on anything else."""
    year, _, month = text.strip().partition("-")
    if not (len(year) == 4 and year.isdigit() and month.isdigit() and len(month) == 2):
        raise ValueError(f"not a month (YYYY-MM): {text!r}")
    return date(int(year), int(month), 1)


def age_in_month(birth_date: date, month: date) -> int:
    """The age a person has in ``month``: an age is reached in the month of the birthday.

    So someone born 15/03/1944 is 80 for all of March 2024.
    """
    return month.year - birth_date.year - (1 if month.month < birth_date.month else 0)


def months_old(birth_date: date, month: date) -> int:
    """Whole months of age in ``month``, counted the same way (the birthday month counts)."""
    return (month.year - birth_date.year) * 12 + (month.month - birth_date.month)


def has_reached(birth_date: date, month: date, years: int) -> bool:
    """A benefit or coefficient that starts at an age applies from the birthday month."""
    return age_in_month(birth_date, month) >= years


def still_under(birth_date: date, month: date, years: int) -> bool:
    """A benefit that ends at an age is still paid in the birthday month, and stops from
    the month after (a child's 3rd or 16th birthday, a student's 22nd).
    """
    return age_in_month(birth_date, month) < years or is_birthday_month(birth_date, month, years)


def is_birthday_month(birth_date: date, month: date, years: int) -> bool:
    return month.year == birth_date.year + years and month.month == birth_date.month


def is_alive_in(death_date: date | None, month: date) -> bool:
    """Payment is by whole months: the month of death is paid in full, nothing after it."""
    return death_date is None or month_start(death_date) >= month


def shift_month(month: date, months: int) -> date:
    """The first day of the month ``months`` after (or, negative, before) ``month``."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def assumed_birth_date(year: int) -> date:
    """For people recorded with the birth year only (common for the elderly), the office
    reads the birthday as 1 January of that year, the usual convention on Vietnamese papers.
    """
    return date(year, 1, 1)
