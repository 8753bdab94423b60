"""The records behind a number of a report: the people or households an indicator counted.

Each list is built from the very conditions the number was counted with
(measures.Measure.conditions), so a list always holds exactly as many rows as the number
it opens. Scope is the caller's: it passes a unit checked with
indicators.unit_for_report, so a commune officer only ever opens their commune's lists.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from registry.errors import NotFoundError
from registry.households.models import Household, HouseholdPovertyStatus, PovertyStatus
from registry.people.models import Person
from registry.reports.measures import MEASURES, PARTS, Subject, frame_for, subtree_ids
from registry.units.models import AdminUnit

#: What each indicator counts: people, or households (the merit-family indicators).
SUBJECTS: dict[str, Subject] = {code: m.subject for code, m in MEASURES.items()}


def people_behind(
    session: Session, *, code: str, part: str, unit: AdminUnit, month: date
) -> Select:
    """The rows counted by the ``part`` ("numerator" or "denominator") of indicator
    ``code`` for ``unit`` in ``month``, sorted as offices sort lists.

    For the indicators of people it selects Person rows (by given name, then full name).
    For the merit-family indicators (``SUBJECTS[code] == "household"``) it selects the
    Household rows, by code: the number counts families, and a household with two merit
    holders is one family, so listing its members would not add up to the number; the
    household page shows who holds which merit record.

    Raises NotFoundError for an unknown indicator or part (they come from a URL).
    """
    measure = MEASURES.get(code)
    if measure is None or part not in PARTS:
        raise NotFoundError()
    frame = frame_for(session, unit=unit, month=month)
    conditions = measure.conditions(frame, part)  # type: ignore[arg-type]
    if measure.subject == "household":
        return select(Household).where(*conditions).order_by(Household.code, Household.id)
    return (
        select(Person)
        .where(*conditions)
        .order_by(Person.given_name_key, Person.name_key, Person.id)
    )


def households_behind(
    session: Session,
    *,
    unit: AdminUnit,
    commune_code: str,
    review_year: int,
    status: PovertyStatus | str,
) -> Select[tuple[Household]]:
    """The households of commune ``commune_code`` (inside ``unit``) whose poverty review of
    ``review_year`` gave ``status``: the households behind a cell of the poverty table
    (indicators.poverty_rows counts them the same way: by the commune's official code, one
    review result per household and year)."""
    try:
        status = PovertyStatus(status)
    except ValueError:
        raise NotFoundError() from None
    communes = select(AdminUnit.id).where(
        AdminUnit.id.in_(subtree_ids(session, unit)), AdminUnit.code == commune_code
    )
    reviewed = select(HouseholdPovertyStatus.household_id).where(
        HouseholdPovertyStatus.review_year == review_year,
        HouseholdPovertyStatus.status == status,
    )
    return (
        select(Household)
        .where(Household.commune_id.in_(communes), Household.id.in_(reviewed))
        .order_by(Household.code, Household.id)
    )
