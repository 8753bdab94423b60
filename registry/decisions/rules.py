"""When a benefit starts: pure rules on plain values (Decree 20/2021/NĐ-CP art. 8(1))."""

from __future__ import annotations

from datetime import date

from registry.eligibility.months import month_start

#: Decree 20/2021 came into force on 1/7/2021: its age-based starts are not earlier.
DECREE_20_2021_IN_FORCE = date(2021, 7, 1)
#: Groups paid from the month the person reaches an age, and that age (art. 8(1)).
AGE_STARTS = {"sa.5.5b": 75, "sa.5.5c": 80}


def start_month(
    group_code: str,
    *,
    signed_on: date,
    birth_date: date,
    disability_certified_on: date | None = None,
) -> date:
    """The first month a decision pays for.

    - Elderly of art. 5(5)(b) and (c): from the month they turn 75 or 80 (not before the
      decree's entry into force);
    - people with disabilities (art. 5(6)): from the month of the disability certificate;
    - everyone else, the social pension included: from the month the decision is signed.
    """
    if group_code in AGE_STARTS:
        birthday = birth_date.replace(year=birth_date.year + AGE_STARTS[group_code], day=1)
        return max(birthday, DECREE_20_2021_IN_FORCE)
    if group_code == "sa.5.6" and disability_certified_on is not None:
        return month_start(disability_certified_on)
    return month_start(signed_on)
