"""Events that call for an officer's action on a decision: never silent changes.

A recorded death, a person the law no longer pays in that group (a child ageing out, a
household leaving poverty, …), or payments failing three months running (a pause under
Circular 02/2021/TT-BLĐTBXH art. 2(3)).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from registry.auth.actors import Actor
from registry.decisions.models import BenefitDecision, DecisionStatus
from registry.decisions.services import scoped_decisions
from registry.eligibility.engine import Law, evaluate
from registry.eligibility.months import month_start, shift_month
from registry.eligibility.results import Reason
from registry.entitlements.facts import facts_for_many
from registry.extensions import db
from registry.i18n import N_

DEATH = "death"
NOT_ELIGIBLE = "not_eligible"
NOT_COLLECTED = "not_collected"
#: Consecutive months without a successful payment before a pause is proposed.
UNCOLLECTED_MONTHS = 3


@dataclass(frozen=True)
class DecisionEvent:
    decision: BenefitDecision
    kind: str
    message: Reason


def decision_events(*, actor: Actor, month: date, law: Law) -> list[DecisionEvent]:
    """What the officer should act on for approved decisions in ``month``: each event names the
    decision and why; nothing is changed here (the officer ends or suspends the decision)."""
    from registry.payments.models import LineStatus, PaymentLine

    month = month_start(month)
    decisions = list(
        db.session.scalars(
            scoped_decisions(actor).where(
                BenefitDecision.status == DecisionStatus.APPROVED,
                BenefitDecision.start_month <= month,
            )
        )
    )
    events: list[DecisionEvent] = []
    by_person: dict = {}
    for decision in decisions:
        by_person.setdefault(decision.person_id, []).append(decision)
    for person, facts in facts_for_many(list(by_person), month):
        for decision in by_person[person.id]:
            if person.death_on is not None and month_start(person.death_on) < month:
                events.append(
                    DecisionEvent(
                        decision,
                        DEATH,
                        Reason(
                            N_(
                                "Died on %(day)s: end the benefit after %(month)s "
                                "(Decree 20/2021 art. 8(2))."
                            ),
                            {
                                "day": person.death_on.strftime("%d/%m/%Y"),
                                "month": person.death_on.strftime("%m/%Y"),
                            },
                        ),
                    )
                )
                continue
            result = evaluate(facts, month, law=law)
            considered = next(
                (c for c in result.considerations if c.group == decision.group_code), None
            )
            if considered is None or not considered.met:
                why = "; ".join(r.render() for r in considered.reasons[1:]) if considered else ""
                events.append(
                    DecisionEvent(
                        decision,
                        NOT_ELIGIBLE,
                        Reason(
                            N_("No longer meets group %(group)s in %(month)s: %(why)s"),
                            {
                                "group": decision.group_code,
                                "month": month.strftime("%m/%Y"),
                                "why": why,
                            },
                        ),
                    )
                )
    recent = [shift_month(month, -k) for k in range(1, UNCOLLECTED_MONTHS + 1)]
    # Months, not lines: a failed line carried into the next run and failing again is
    # still one month not collected.
    failed = Counter(
        decision_id
        for decision_id, _ in db.session.execute(
            select(PaymentLine.decision_id, PaymentLine.month_paid_for)
            .where(
                PaymentLine.decision_id.in_([d.id for d in decisions]),
                PaymentLine.status == LineStatus.FAILED,
                PaymentLine.month_paid_for.in_(recent),
            )
            .distinct()
        )
    )
    for decision in decisions:
        if failed[decision.id] >= UNCOLLECTED_MONTHS:
            events.append(
                DecisionEvent(
                    decision,
                    NOT_COLLECTED,
                    Reason(
                        N_(
                            "Not collected for %(months)d months in a row: consider a pause "
                            "(Circular 02/2021/TT-BLĐTBXH art. 2(3))."
                        ),
                        {"months": UNCOLLECTED_MONTHS},
                    ),
                )
            )
    return events
