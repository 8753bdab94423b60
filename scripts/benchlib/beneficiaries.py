"""The decision-driven beneficiaries of scripts/bench_payments.py: N decisions, ~0.93 N people.

Moved here unchanged from bench_payments.py so that scripts/bench.py can build its province
from the same generator (see bench_payments.py's docstring for the mix it makes).
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask import Flask

MONTH = date(2026, 11, 1)
PREVIOUS = date(2026, 10, 1)
TODAY = date(2026, 11, 29)
UNIT = "46"
#: NAPAS BINs and their share of bank accounts: Agribank, Vietcombank, VietinBank, BIDV, MB.
BANKS = (("970405", 40), ("970436", 20), ("970415", 15), ("970418", 15), ("970422", 10))
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ")
MIDDLE = {"male": ("Văn", "Hữu", "Đức", "Công", "Quang"), "female": ("Thị", "Ngọc", "Thu")}
GIVEN = {
    "male": ("An", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hùng", "Long", "Nam", "Phúc", "Tâm"),
    "female": ("Anh", "Cúc", "Dung", "Hoa", "Hồng", "Lan", "Liên", "Mai", "Nga", "Thảo", "Vy"),
}
#: (profile, weight): who the synthetic beneficiaries are.
PROFILES = (
    ("pension_75", 28),
    ("pension_70_poor", 8),
    ("elder_alone", 14),
    ("disabled", 22),
    ("child_without_support", 6),
    ("single_parent", 5),
    ("merit", 16),
    ("hiv", 1),
)


def make_app(url: str, keyring: Path) -> Flask:
    from registry import create_app

    return create_app(
        {
            "REGISTRY_ENV": "testing",
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "REGISTRY_KEYRING": str(keyring),
            "REGISTRY_KEYRING_DATA": None,
        }
    )


# --- setup: synthetic data, inserted set-based --------------------------------------------


def previous_run_with_failures(law: Any) -> tuple[Any, int]:
    """Last month's run of the province, built and locked, one payment in twenty of it then
    failed (closed account), so that this month carries them; committed. Returns the run and
    how many of its lines failed."""
    from sqlalchemy import select, update

    from registry.auth.actors import Actor
    from registry.extensions import db
    from registry.payments.models import LineStatus, PaymentLine
    from registry.payments.services import build_run, lock_run
    from registry.units.services import find_unit

    actor = Actor.system("bench setup")
    unit = find_unit(UNIT, on=TODAY)
    previous = build_run(PREVIOUS, unit=unit, actor=actor, today=TODAY, law=law)
    lock_run(previous, actor=actor)
    failed = db.session.scalars(
        select(PaymentLine.id).where(PaymentLine.run_id == previous.id).order_by(PaymentLine.id)
    ).all()[::20]
    for start in range(0, len(failed), 5000):
        db.session.execute(
            update(PaymentLine)
            .where(PaymentLine.id.in_(failed[start : start + 5000]))
            .values(status=LineStatus.FAILED, failure_reason="Tài khoản đã đóng")
        )
    db.session.commit()
    return previous, len(failed)


def insert_rows(table: Any, rows: list[dict[str, Any]]) -> None:
    """COPY on PostgreSQL, executemany elsewhere; ``rows`` share their keys."""
    from registry.extensions import db

    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        for start in range(0, len(rows), 20_000):
            connection.execute(table.insert(), rows[start : start + 20_000])
        return
    columns = list(rows[0])
    raw = connection.connection.driver_connection
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([_copy_value(row[c]) for c in columns])


def _copy_value(value: Any) -> Any:
    if hasattr(value, "value") and not isinstance(value, (bytes, date)):
        return value.value  # a StrEnum member
    if isinstance(value, list):
        return json.dumps(value)
    return value


class Generator:
    """Synthetic beneficiaries: attributes by profile, groups as the engine pays them."""

    def __init__(self, seed: int, cipher: Any, law: Any, communes: list[Any]) -> None:
        self.rng = random.Random(seed)
        self.cipher, self.law, self.communes = cipher, law, communes
        self.serials: dict[tuple[int, int], int] = {}
        self.households = 0
        self.paid_cache: dict[Any, list[tuple[str, str, int, str]]] = {}
        self.names: dict[str, tuple[str, str]] = {}
        self.moment = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
        self.profiles = [p for p, _ in PROFILES]
        self.weights = [w for _, w in PROFILES]

    def cccd(self, sex: str, year: int) -> str:
        digit = ((year // 100) - 19) * 2 + (1 if sex == "female" else 0)
        key = (digit, year % 100)
        serial = self.serials[key] = self.serials.get(key, 0) + 1
        return f"046{digit}{year % 100:02d}{serial:06d}"

    def name(self, sex: str) -> str:
        rng = self.rng
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"

    def keys_of(self, name: str) -> tuple[str, str]:
        from registry.people.names import given_name_key, name_key

        found = self.names.get(name)
        if found is None:
            found = self.names[name] = (name_key(name), given_name_key(name))
        return found

    def household(self, rows: dict[str, list], commune: Any, status: str | None, edp: bool) -> Any:
        self.households += 1
        household_id = uuid.uuid4()
        address = f"Tổ {self.rng.randint(1, 40)}, {commune.name}"
        from registry.people.names import name_key

        rows["households"].append(
            {
                "id": household_id,
                "code": f"B{commune.code}-{self.households:07d}",
                "commune_id": commune.id,
                "address": address,
                "address_key": name_key(address),
                "created_at": self.moment,
                "updated_at": self.moment,
            }
        )
        if status is not None:
            rows["household_poverty_statuses"].append(
                {
                    "household_id": household_id,
                    "review_year": 2025,
                    "status": status,
                    "area": "rural" if commune.name.startswith("Xã") else "urban",
                    "is_especially_difficult_area": edp,
                    "deprivations": [],
                    "valid_from": date(2026, 1, 1),
                    "valid_to": date(2026, 12, 31),
                    "recorded_at": self.moment,
                }
            )
        return household_id

    def beneficiary(self, rows: dict[str, list], start: date, died: bool) -> int:
        """One household with one beneficiary and their decisions; returns decisions made."""
        from registry.people.accounts import account_context
        from registry.people.identity import cccd_context

        rng = self.rng
        profile = rng.choices(self.profiles, self.weights)[0]
        sex = rng.choice(("male", "female"))
        status, edp, circumstances, merits = None, False, [], []
        if profile == "pension_75":
            age, status = rng.randint(75, 96), rng.choice((None, None, "average"))
        elif profile == "pension_70_poor":
            age, status = rng.randint(70, 74), rng.choice(("poor", "near_poor"))
        elif profile == "elder_alone":
            age, status = rng.randint(60, 79), "poor"
            circumstances.append(("no_supporter", None, None))
        elif profile == "disabled":
            age, status = rng.randint(6, 85), rng.choice((None, "poor", "near_poor"))
            level = "especially_severe" if rng.random() < 0.3 else "severe"
            circumstances.append(("disability", level, None))
        elif profile == "child_without_support":
            age = rng.randint(1, 15)
            circumstances.append(("without_support", None, None))
        elif profile == "single_parent":
            age, sex, status = rng.randint(22, 45), "female", "poor"
            circumstances.append(("single_parent", None, rng.randint(1, 3)))
        elif profile == "hiv":
            age, status = rng.randint(20, 50), "poor"
            circumstances.append(("hiv", None, None))
        else:
            age = rng.randint(62, 95)
            pick = rng.random()
            if pick < 0.5:
                merits.append(("martyr_relative", rng.choice((1, 1, 1, 2)), None))
            elif pick < 0.8:
                merits.append(("war_invalid", None, rng.randint(21, 81)))
            else:
                merits.append(("resistance_participant", None, None))
        year = MONTH.year - age
        birth = date(year, rng.randint(1, 12), rng.randint(1, 28)) if rng.random() < 0.6 else None
        commune = rng.choice(self.communes)
        born = birth and birth.replace(day=1)
        rural = commune.name.startswith("Xã")
        key = (profile, sex, born, year, status, edp, tuple(circumstances), tuple(merits), rural,
               died)  # fmt: skip
        paid = self.paid_cache.get(key)
        if paid is None:
            paid = self.paid_cache[key] = self._paid(key, start)
        if not paid:
            return 0
        household_id = self.household(rows, commune, status, edp)
        person_id = uuid.uuid4()
        name = self.name(sex)
        name_key, given = self.keys_of(name)
        number = self.cccd(sex, year)
        context = cccd_context(SimpleNamespace(id=person_id))  # type: ignore[arg-type]
        death = date(PREVIOUS.year, PREVIOUS.month, rng.randint(1, 28)) if died else None
        rows["people"].append(
            {
                "id": person_id,
                "full_name": name,
                "name_key": name_key,
                "given_name_key": given,
                "birth_date": birth,
                "birth_year": year,
                "sex": sex,
                "death_on": death,
                "commune_id": commune.id,
                "household_id": household_id,
                "relation": "head",
                "cccd_ciphertext": self.cipher.encrypt(number, context),
                "cccd_index": self.cipher.blind_index("cccd", number),
                "created_at": self.moment,
                "updated_at": self.moment,
            }
        )
        rows["heads"].append({"hid": household_id, "pid": person_id})
        for kind, level, children in circumstances:
            rows["circumstances"].append(
                {
                    "person_id": person_id,
                    "kind": kind,
                    "started_on": date(2020, 3, 1),
                    "disability_level": level,
                    "children_count": children,
                    "reference": f"{rng.randint(1, 999)}/XN",
                    "recorded_at": self.moment,
                }
            )
        for category, martyrs, rate in merits:
            rows["merit_records"].append(
                {
                    "person_id": person_id,
                    "category": category,
                    "martyrs": martyrs,
                    "injury_rate": rate,
                    "certificate_number": f"{rng.randint(1, 99999)}/GCN",
                    "recognised_on": date(2001, 5, 1),
                    "recorded_at": self.moment,
                }
            )
        pick = rng.random()
        if pick < 0.95:
            account_id = uuid.uuid4()
            account = {
                "id": account_id,
                "person_id": person_id,
                "channel": "post_office",
                "bank_bin": None,
                "account_ciphertext": None,
                "account_index": None,
                "holder_name": name,
                "is_active": True,
                "created_at": self.moment,
            }
            if pick < 0.70:
                bank = rng.choices([b for b, _ in BANKS], [w for _, w in BANKS])[0]
                digits = rng.choice((10, 12, 13, 14))
                account_number = f"{rng.randrange(10**digits):0{digits}d}"
                holder = SimpleNamespace(id=account_id)
                account.update(
                    channel="bank",
                    bank_bin=bank,
                    account_ciphertext=self.cipher.encrypt(
                        account_number,
                        account_context(holder),  # type: ignore[arg-type]
                    ),
                    account_index=self.cipher.blind_index("account", f"{bank}:{account_number}"),
                )
            rows["payment_accounts"].append(account)
        for programme, group, amount, reference in paid:
            rows["benefit_decisions"].append(
                {
                    "id": uuid.uuid4(),
                    "person_id": person_id,
                    "commune_id": commune.id,
                    "programme": programme,
                    "group_code": group,
                    "status": "approved",
                    "proposed_amount": amount,
                    "reference": reference[:500],
                    "start_month": start,
                    "end_month": None,
                    "decision_number": f"{rng.randint(100, 999)}/QĐ-UBND",
                    "decided_on": start,
                    "signer": "Chủ tịch UBND",
                    "proposed_at": self.moment,
                    "appraised_at": self.moment,
                    "approved_at": self.moment,
                }
            )
        return len(paid)

    def _paid(self, key: tuple, start: date) -> list[tuple[str, str, int, str]]:
        """The groups the engine pays this person in the decision's first month."""
        from registry.eligibility.engine import evaluate
        from registry.eligibility.facts import (
            Area,
            Disability,
            Facts,
            HouseholdFacts,
            MeritFact,
            PersonFacts,
            Poverty,
        )

        _, sex, birth, year, status, edp, circumstances, merits, rural, _ = key
        kinds = {c[0]: c for c in circumstances}
        disability = kinds.get("disability")
        facts = Facts(
            person=PersonFacts(
                birth_date=birth or date(year, 1, 1),
                sex=sex,
                disability=Disability(disability[1]) if disability else Disability.NONE,
                hiv="hiv" in kinds,
                without_support="without_support" in kinds,
                single_parent_children=kinds["single_parent"][2] if "single_parent" in kinds else 0,
                no_supporter="no_supporter" in kinds,
                merit=tuple(MeritFact(c, m, r) for c, m, r in merits),
            ),
            household=HouseholdFacts(
                poverty=Poverty(status or "none"),
                area=Area.RURAL if rural else Area.URBAN,
                especially_difficult_area=edp,
            ),
        )
        result = evaluate(facts, start, law=self.law, explain=False)
        return [
            (c.programme, c.group, c.amount, c.reference) for c in result.considerations if c.paid
        ]


def generate(decisions: int, seed: int = 7) -> dict[str, int]:
    """Insert about ``decisions`` approved decisions with their people (see module docstring)."""
    from sqlalchemy import bindparam, select

    from registry.eligibility.engine import load_law
    from registry.extensions import db, keys
    from registry.households.models import Household
    from registry.units.models import AdminUnit, UnitLevel

    law = load_law()
    communes = [
        c
        for c in db.session.scalars(select(AdminUnit).where(AdminUnit.level == UnitLevel.COMMUNE))
        if c.is_valid_on(TODAY)
    ]
    gen = Generator(seed, keys.cipher, law, communes)
    tables = {t.name: t for t in db.metadata.sorted_tables}
    order = ("households", "household_poverty_statuses", "people", "circumstances",
             "merit_records", "payment_accounts", "benefit_decisions")  # fmt: skip
    made = {"decisions": 0, "people": 0}

    def flush(rows: dict[str, list]) -> None:
        for name in order:
            insert_rows(tables[name], rows[name])
        if rows["heads"]:
            households = Household.__table__
            db.session.connection().execute(
                households.update()
                .where(households.c.id == bindparam("hid"))
                .values(head_id=bindparam("pid")),
                rows["heads"],
            )
        made["people"] += len(rows["people"])
        for name in rows:
            rows[name] = []

    def batch(target: int, start_of: Any, died_share: float) -> None:
        rows: dict[str, list] = {name: [] for name in (*order, "heads")}
        goal = made["decisions"] + target
        while made["decisions"] < goal:
            died = gen.rng.random() < died_share
            made["decisions"] += gen.beneficiary(rows, start_of(), died)
            if len(rows["people"]) >= 20_000:
                flush(rows)
        flush(rows)

    rng = gen.rng
    # 2 % back-dated, paid by last month's run (a few of them died last month).
    batch(max(1, decisions // 50), lambda: date(2026, rng.randint(8, 10), 1), 0.1)
    _, failed = previous_run_with_failures(law)
    # 1 % back-dated and never paid (arrears), the rest starting this month.
    rest = decisions - made["decisions"]
    batch(rest // 100, lambda: date(2026, rng.randint(8, 10), 1), 0.0)
    batch(decisions - made["decisions"], lambda: MONTH, 0.0)
    db.session.commit()
    return {
        "decisions": made["decisions"],
        "people": made["people"],
        "previous_run_failed": failed,
    }
