"""What the engine can tell apart about a birth in a month: the coarse key bulk paths group by.

Shared by the payment build (payments/bulk.py) and the scope's month (entitlements/columns.py):
both evaluate the engine once per distinct signature instead of once per person, which is
right only because the engine reads a birth date in whole months and only through the
functions of months.py (tests/payments/test_bulk.py checks it over every law case).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from registry.eligibility.engine import Law


def month_number(day: date) -> int:
    """The month ``day`` falls in as one number, ``year * 12 + month``."""
    return day.year * 12 + day.month


def first_day(number: int) -> date:
    """The first day of the month numbered ``number`` (the inverse of ``month_number``)."""
    year, month = divmod(number - 1, 12)
    return date(year, month + 1, 1)


def exact_months_up_to(law: Law) -> int:
    """The age in months up to which ``birth_key`` keeps the exact month: the largest
    ``months_old_at_most`` of the law's local groups (the national law counts years only)."""
    limits = [g.when["months_old_at_most"] for g in law.local_groups
              if "months_old_at_most" in g.when]  # fmt: skip
    return max([0, *limits])


def birth_key(birth_month: int, month: int, exact_up_to: int) -> Any:
    """What the law engine can tell of a birth in a month, both as month numbers
    (``year * 12 + month``).

    The engine reads a birth date only through ``months_old`` (local ``months_old_at_most``,
    and "not yet born"), ``age_in_month`` (whole years, reached in the birthday month) and
    ``still_under`` / ``is_birthday_month`` (paid through the birthday month): all three are
    functions of the months old ``m`` — age ``m // 12``, birthday month ``m % 12 == 0``. So
    past the local limits, (age, birthday month) gives the same amounts as the birth itself,
    and a province's ages collapse into a few hundred keys instead of one per birth month
    (tests/payments/test_bulk.py checks it over every law case).
    """
    old = month - birth_month
    if old <= exact_up_to:
        return old
    return (old // 12, old % 12 == 0)
