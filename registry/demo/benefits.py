"""Demo benefits: approved decisions for what the law gives each person, and payment accounts."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select

from registry.auth.actors import Actor
from registry.decisions.services import appraise_decision, approve_decision, propose_decision
from registry.eligibility.engine import Law, evaluate_many
from registry.eligibility.months import month_start
from registry.entitlements.facts import facts_for_many
from registry.extensions import db, keys
from registry.people.accounts import napas_banks, set_payment_account
from registry.people.models import PaymentChannel, Person

#: Banks most beneficiaries use (NAPAS BINs): Agribank, Vietcombank, VietinBank, BIDV.
COMMON_BANKS = ("970405", "970436", "970415", "970418")


def seed_benefits(*, seed: int, today: date, actor: Actor, law: Law) -> tuple[int, int]:
    """For everyone the law pays this month, an approved decision per paid group (signed on
    the 1st of the month by the ward chairman) and a payment account: mostly bank accounts,
    some post-office cash. Returns (decisions, accounts)."""
    rng = random.Random(seed * 7 + 1)
    month = month_start(today)
    people = select(Person).where(Person.death_on.is_(None))
    banks = [b for b in COMMON_BANKS if b in napas_banks()] or sorted(napas_banks())[:4]
    decisions = accounts = 0
    found = list(facts_for_many(people, month))
    results = dict(evaluate_many(((p.id, f) for p, f in found), month, law=law, explain=False))
    for person, _ in found:
        paid = [c.group for c in results[person.id].considerations if c.paid]
        if not paid:
            continue
        for group in paid:
            decision = propose_decision(
                person, group_code=group, month=month, actor=actor, today=today, law=law
            )
            appraise_decision(decision, eligible=True, note="", actor=actor)
            approve_decision(
                decision,
                number=f"{rng.randint(100, 999)}/QĐ-UBND",
                decided_on=month,
                signer="Chủ tịch UBND phường",
                actor=actor,
                today=today,
            )
            decisions += 1
        if rng.random() < 0.7:
            number = "".join(str(rng.randint(0, 9)) for _ in range(rng.choice((10, 12, 13, 14))))
            set_payment_account(
                person,
                channel=PaymentChannel.BANK,
                bank_bin=rng.choice(banks),
                account_number=number,
                actor=actor,
                cipher=keys.cipher,
            )
        else:
            set_payment_account(
                person, channel=PaymentChannel.POST_OFFICE, actor=actor, cipher=keys.cipher
            )
        accounts += 1
    db.session.flush()
    return decisions, accounts
