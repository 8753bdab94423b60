"""The synthetic province of scripts/bench.py: N people in households over 110 communes, set-based.

Built on the decision-driven generator of bench_payments (``beneficiaries.Generator``): about
one household in five is headed by a beneficiary made by it (with their circumstances, merit
records, payment account and approved decisions), then filled with family members; the other
households are ordinary families of all ages, a few of them poor or near-poor, with pensions,
students, mild disabilities and some deaths, and no decision. Everyone goes through the real
cipher (AES-GCM CCCD bound to the row, HMAC blind index), so the services read the data as
they would read real records.

The bundled Huế units hold only 10 communes in force, so 100 synthetic ones ("Xã Mẫu 001",
"Phường Mẫu 061" …, codes 99001–99100) are loaded next to them under the province.

Decisions: most beneficiaries were approved from last month (PREVIOUS) and paid by last
month's province run, which the setup builds and locks (one line in twenty of it failed, to be
carried); the rest start this month or are back-dated and never paid (arrears).

CCCDs are ``046`` + century/sex digit + two-digit birth year + a serial counted from 1 per
(digit, year) (``Generator.cccd``), so the ``serials`` figure of the setup is enough to draw
known numbers again (``known_cccds``) without storing a million of them.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from benchlib.beneficiaries import (
    MONTH,
    PREVIOUS,
    TODAY,
    UNIT,
    Generator,
    insert_rows,
    previous_run_with_failures,
)

#: Synthetic communes added to the bundled units (codes 99001 …): 60 rural, 40 urban.
SYNTHETIC_COMMUNES = 100
#: Share of households headed by a beneficiary (about 7 % of people get a decision).
BENEFICIARY_HOUSEHOLDS = 0.2
#: (people, weight): household sizes, about 3 people per household on average.
HOUSEHOLD_SIZES = ((1, 15), (2, 25), (3, 24), (4, 21), (5, 9), (6, 4), (7, 2))
#: (lowest age, highest age, weight) of the head of an ordinary household.
HEAD_AGES = (
    (20, 29, 8),
    (30, 39, 20),
    (40, 49, 22),
    (50, 59, 20),
    (60, 69, 16),
    (70, 79, 9),
    (80, 95, 5),
)
#: Rows per flush: each flush is one COPY (PostgreSQL) or executemany (SQLite) per table.
FLUSH_PEOPLE = 20_000
#: Accounts of scripts/bench.py's users, one per role that reads the pages it measures.
USERS = {
    "bench_accountant": ("accountant", UNIT),
    "bench_leader": ("leader", UNIT),
    "bench_auditor": ("auditor", UNIT),
    "bench_labour": ("labour_officer", UNIT),
    "bench_commune": ("commune_officer", "19789"),
}
PASSWORD = "bench-mat-khau-2026"

#: Family names weighted by their share in Vietnam (Nguyễn about 38 %).
FAMILY = (
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9.5),
    ("Phạm", 7),
    ("Hoàng", 3),
    ("Huỳnh", 2),
    ("Phan", 4.5),
    ("Võ", 2.5),
    ("Vũ", 1.5),
    ("Đặng", 2.1),
    ("Bùi", 2),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1),
    ("Lý", 0.5),
    ("Trương", 1),
    ("Đinh", 1),
    ("Lâm", 0.6),
    ("Mai", 0.6),
    ("Tôn Thất", 0.5),
    ("Tôn Nữ", 0.3),
)
MIDDLE = {
    "male": (
        ("Văn", 30),
        ("Hữu", 8),
        ("Đức", 8),
        ("Minh", 10),
        ("Quang", 8),
        ("Công", 6),
        ("Thành", 6),
        ("Ngọc", 4),
        ("Xuân", 5),
        ("Đình", 6),
        ("Anh", 5),
        ("Thanh", 4),
    ),
    "female": (
        ("Thị", 45),
        ("Ngọc", 8),
        ("Thu", 6),
        ("Thanh", 6),
        ("Kim", 5),
        ("Mỹ", 5),
        ("Minh", 4),
        ("Phương", 4),
        ("Hoài", 3),
        ("Bảo", 3),
        ("Diệu", 3),
    ),
}
GIVEN = {
    "male": (
        "An",
        "Bảo",
        "Bình",
        "Cường",
        "Chiến",
        "Dũng",
        "Duy",
        "Đạt",
        "Đức",
        "Giang",
        "Hải",
        "Hiếu",
        "Hòa",
        "Hoàng",
        "Hùng",
        "Huy",
        "Khang",
        "Khoa",
        "Kiên",
        "Lâm",
        "Long",
        "Lộc",
        "Minh",
        "Nam",
        "Nghĩa",
        "Nhân",
        "Phong",
        "Phúc",
        "Quân",
        "Quang",
        "Sơn",
        "Tài",
        "Tâm",
        "Thắng",
        "Thành",
        "Thịnh",
        "Toàn",
        "Trung",
        "Tuấn",
        "Vinh",
    ),
    "female": (
        "Anh",
        "Ánh",
        "Chi",
        "Cúc",
        "Dung",
        "Duyên",
        "Giang",
        "Hà",
        "Hạnh",
        "Hằng",
        "Hiền",
        "Hoa",
        "Hồng",
        "Huệ",
        "Hương",
        "Lan",
        "Liên",
        "Linh",
        "Loan",
        "Mai",
        "My",
        "Nga",
        "Ngân",
        "Nhung",
        "Oanh",
        "Phương",
        "Quyên",
        "Tâm",
        "Thảo",
        "Thơ",
        "Thu",
        "Thủy",
        "Trang",
        "Trinh",
        "Tuyết",
        "Uyên",
        "Vân",
        "Vy",
        "Xuân",
        "Yến",
    ),
}

_ORDER = (
    "households",
    "household_poverty_statuses",
    "people",
    "circumstances",
    "merit_records",
    "payment_accounts",
    "benefit_decisions",
)


def synthetic_communes_csv(count: int = SYNTHETIC_COMMUNES) -> str:
    """The extra communes as a units CSV (load_units' columns), under the province, in force
    from the 2025 reform: the first 60 % rural (Xã), the rest urban (Phường)."""
    lines = ["code,name,level,parent_code,valid_from,valid_to"]
    for number in range(1, count + 1):
        kind = "Xã" if number <= count * 0.6 else "Phường"
        lines.append(f"{99000 + number},{kind} Mẫu {number:03d},commune,{UNIT},2025-07-01,")
    return "\n".join(lines) + "\n"


class ProvinceGenerator(Generator):
    """The beneficiaries' generator, plus family members and ordinary households."""

    def __init__(self, seed: int, cipher: Any, law: Any, communes: list[Any]) -> None:
        super().__init__(seed, cipher, law, communes)
        rng = self.rng
        # Communes differ in size (lognormal weights), as wards and rural communes do.
        self.commune_weights = [rng.lognormvariate(0, 0.5) for _ in communes]
        self.families = [f for f, _ in FAMILY], [w for _, w in FAMILY]
        self.sizes = [s for s, _ in HOUSEHOLD_SIZES], [w for _, w in HOUSEHOLD_SIZES]
        self.head_ages = [(lo, hi) for lo, hi, _ in HEAD_AGES], [w for *_, w in HEAD_AGES]
        self.made: Counter[str] = Counter()

    def family_name(self) -> str:
        return self.rng.choices(*self.families)[0]

    def name(self, sex: str, family: str | None = None) -> str:  # type: ignore[override]
        rng = self.rng
        middles = MIDDLE[sex]
        middle = rng.choices([m for m, _ in middles], [w for _, w in middles])[0]
        return f"{family or self.family_name()} {middle} {rng.choice(GIVEN[sex])}"

    def size(self) -> int:
        return self.rng.choices(*self.sizes)[0]

    def person(
        self,
        rows: dict[str, list],
        household: dict[str, Any],
        *,
        sex: str,
        age: int,
        relation: str,
        family: str | None = None,
    ) -> dict[str, Any]:
        """One member of ``household`` who holds no decision, with the circumstances
        ordinary people have (pension, studying, mild disability, pregnancy)."""
        from registry.people.identity import cccd_field

        rng = self.rng
        year = MONTH.year - age
        known_day = rng.random() < (0.5 if year < 1950 else 0.85)
        birth = date(year, rng.randint(1, 12), rng.randint(1, 28)) if known_day else None
        if birth is not None and birth > TODAY:
            birth = TODAY.replace(day=1)
        person_id = uuid.uuid4()
        name = self.name(sex, family)
        name_key, given = self.keys_of(name)
        # A CCCD from 14 years old; younger children only when the parents asked for one.
        number = self.cccd(sex, year) if age >= 14 or rng.random() < 0.25 else None
        died = age >= 75 and rng.random() < 0.02
        row = {
            "id": person_id,
            "full_name": name,
            "name_key": name_key,
            "given_name_key": given,
            "birth_date": birth,
            "birth_year": year,
            "sex": sex,
            "death_on": date(2026, rng.randint(1, 10), rng.randint(1, 28)) if died else None,
            "commune_id": household["commune_id"],
            "household_id": household["id"],
            "relation": relation,
            "cccd_ciphertext": (
                self.cipher.encrypt(number, cccd_field(person_id)) if number else None
            ),
            "cccd_index": self.cipher.blind_index("cccd", number) if number else None,
            "created_at": self.moment,
            "updated_at": self.moment,
        }
        rows["people"].append(row)
        self.made["people"] += 1
        kinds = []
        if age >= 60 and rng.random() < 0.35:
            kinds.append(("pension", None, date(min(year + 60, 2025), 1, 1)))
        if 16 <= age <= 22 and rng.random() < 0.5:
            kinds.append(("studying", None, date(2025, 9, 1)))
        if age >= 6 and rng.random() < 0.01:
            kinds.append(("disability", "mild", date(2019, 6, 1)))
        if sex == "female" and 18 <= age <= 40 and rng.random() < 0.02:
            kinds.append(("pregnancy", None, date(2026, 6, 1)))
        for kind, level, started in kinds:
            rows["circumstances"].append(
                {
                    "person_id": person_id,
                    "kind": kind,
                    "started_on": started,
                    "disability_level": level,
                    "children_count": None,
                    "reference": f"{rng.randint(1, 999)}/XN",
                    "recorded_at": self.moment,
                }
            )
        return row

    def members(self, rows: dict[str, list], household: dict[str, Any], head: dict) -> None:
        """Fill a household around its head: a spouse, children or grandchildren, sometimes an
        elderly parent, up to a size drawn from HOUSEHOLD_SIZES."""
        rng = self.rng
        age = MONTH.year - head["birth_year"]
        family = head["full_name"].rsplit(" ", 2)[0] if head["sex"] == "male" else None
        slots = self.size() - 1
        if slots and age >= 20 and rng.random() < 0.85:
            male = head["sex"] == "male"
            spouse_age = min(100, max(18, age + rng.randint(-6, 3) * (1 if male else -1)))
            self.person(
                rows,
                household,
                sex="female" if male else "male",
                age=spouse_age,
                relation="wife" if male else "husband",
            )
            slots -= 1
        if slots and age < 55 and rng.random() < 0.12:
            sex = rng.choice(("male", "female"))
            self.person(
                rows,
                household,
                sex=sex,
                age=min(100, age + rng.randint(22, 35)),
                relation="father" if sex == "male" else "mother",
            )
            slots -= 1
        for _ in range(slots):
            sex = rng.choice(("male", "female"))
            if age >= 58 and rng.random() < 0.5:
                self.person(
                    rows,
                    household,
                    sex=sex,
                    age=max(0, age - rng.randint(45, 62)),
                    relation="grandchild",
                )
            elif age >= 18:
                child = age - rng.randint(20, 38)
                child = child if child >= 0 else rng.randint(0, age - 18)
                self.person(rows, household, sex=sex, age=child, relation="child", family=family)
            else:
                self.person(
                    rows,
                    household,
                    sex=sex,
                    age=rng.randint(0, max(0, age)),
                    relation="younger_sibling",
                    family=family,
                )

    def ordinary_household(self, rows: dict[str, list]) -> None:
        """A household with no beneficiary: a head of working or retirement age, a family,
        now and then a poverty review (poor 3.5 %, near-poor 4.5 %, average 3 %)."""
        rng = self.rng
        commune = rng.choices(self.communes, self.commune_weights)[0]
        pick = rng.random()
        status = (
            "poor"
            if pick < 0.035
            else "near_poor"
            if pick < 0.08
            else "average"
            if pick < 0.11
            else None
        )
        edp = commune.name.startswith("Xã") and rng.random() < 0.1
        self.household(rows, commune, status, edp)
        household = rows["households"][-1]
        lo, hi = rng.choices(*self.head_ages)[0]
        sex = "male" if rng.random() < 0.7 else "female"
        head = self.person(rows, household, sex=sex, age=rng.randint(lo, hi), relation="head")
        rows["heads"].append({"hid": household["id"], "pid": head["id"]})
        self.members(rows, household, head)

    def beneficiary_household(self, rows: dict[str, list], start: date, died: bool) -> int:
        """A household headed by one of bench_payments' beneficiaries, then filled with family
        members (none for an elder living alone or a child without support); the decisions."""
        decisions = self.beneficiary(rows, start, died)
        if not decisions:
            return 0
        head = rows["people"][-1]
        household = rows["households"][-1]
        self.made["people"] += 1
        self.made["beneficiaries"] += 1
        self.made["decisions"] += decisions
        alone = {"no_supporter", "without_support"}
        mine = [c["kind"] for c in rows["circumstances"][-3:] if c["person_id"] == head["id"]]
        if not alone.intersection(mine):
            self.members(rows, household, head)
        return decisions


def _new_rows() -> dict[str, list]:
    return {name: [] for name in (*_ORDER, "heads")}


def _flush(rows: dict[str, list], tables: dict[str, Any]) -> None:
    from registry.extensions import db

    for name in _ORDER:
        insert_rows(tables[name], rows[name])
    _set_heads(rows["heads"])
    db.session.flush()
    for name in rows:
        rows[name] = []


def _set_heads(heads: list[dict[str, Any]]) -> None:
    """households.head_id once the people exist (the two tables point at each other)."""
    from sqlalchemy import bindparam

    from registry.extensions import db
    from registry.households.models import Household

    if not heads:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        households = Household.__table__
        connection.execute(
            households.update()
            .where(households.c.id == bindparam("hid"))
            .values(head_id=bindparam("pid")),
            heads,
        )
        return
    # One COPY and one UPDATE … FROM instead of 300,000 single-row updates.
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bench_heads (hid uuid, pid uuid)")
        cursor.execute("TRUNCATE bench_heads")
        with cursor.copy("COPY bench_heads (hid, pid) FROM STDIN") as copy:
            for head in heads:
                copy.write_row((head["hid"], head["pid"]))
        cursor.execute(
            "UPDATE households SET head_id = b.pid FROM bench_heads b WHERE households.id = b.hid"
        )


def generate_province(people: int, seed: int = 11) -> dict[str, Any]:
    """Insert about ``people`` people (see the module docstring); returns what was made."""
    from sqlalchemy import select

    from registry.eligibility.engine import load_law
    from registry.extensions import db, keys
    from registry.units.models import AdminUnit, UnitLevel

    law = load_law()
    communes = [
        c
        for c in db.session.scalars(
            select(AdminUnit).where(AdminUnit.level == UnitLevel.COMMUNE).order_by(AdminUnit.code)
        )
        if c.is_valid_on(TODAY)
    ]
    gen = ProvinceGenerator(seed, keys.cipher, law, communes)
    tables = {t.name: t for t in db.metadata.sorted_tables}
    rng = gen.rng

    def fill(target: int, start_of: Callable[[], date], died_share: float) -> None:
        rows = _new_rows()
        while gen.made["people"] < target:
            if rng.random() < BENEFICIARY_HOUSEHOLDS:
                gen.beneficiary_household(rows, start_of(), rng.random() < died_share)
            else:
                gen.ordinary_household(rows)
            if len(rows["people"]) >= FLUSH_PEOPLE:
                _flush(rows, tables)
        _flush(rows, tables)

    def approved_before() -> date:
        # Most were approved for last month; some earlier, paid with arrears last month.
        return PREVIOUS if rng.random() < 0.95 else date(2026, rng.randint(8, 9), 1)

    fill(int(people * 0.97), approved_before, 0.003)
    previous, failed = previous_run_with_failures(law)
    beneficiaries_before = gen.made["beneficiaries"]

    def new_or_owed() -> date:
        # New this month, or back-dated and never paid (arrears in this month's run).
        return MONTH if rng.random() < 0.7 else date(2026, rng.randint(8, 10), 1)

    fill(people, new_or_owed, 0.0)
    db.session.commit()
    return {
        "people": gen.made["people"],
        "households": gen.households,
        "communes": len(communes),
        "beneficiaries": gen.made["beneficiaries"],
        "decisions": gen.made["decisions"],
        "beneficiaries_paid_last_month": beneficiaries_before,
        "previous_run_id": str(previous.id),
        "previous_run_lines": previous.line_count,
        "previous_run_failed": failed,
        "serials": {f"{digit}:{year:02d}": n for (digit, year), n in gen.serials.items()},
    }


def known_cccds(serials: dict[str, int], count: int, seed: int) -> list[str]:
    """``count`` CCCDs drawn from those the generator issued (with replacement), each
    (century/sex digit, birth year) in proportion to how many it issued."""
    rng = random.Random(seed)
    keys = list(serials)
    picked = rng.choices(keys, [serials[k] for k in keys], k=count)
    out = []
    for key in picked:
        digit, year = key.split(":")
        out.append(f"046{digit}{year}{rng.randint(1, serials[key]):06d}")
    return out


def name_queries(count: int, seed: int) -> list[str]:
    """Unaccented name prefixes as officers type them ("nguyen van d"): family name, middle
    name and the first one to three letters of the given name, drawn as the generator draws."""
    from registry.people.names import fold

    rng = random.Random(seed)
    families = [fold(f) for f, _ in FAMILY], [w for _, w in FAMILY]
    out = []
    for _ in range(count):
        sex = rng.choice(("male", "female"))
        middles = MIDDLE[sex]
        middle = rng.choices([fold(m) for m, _ in middles], [w for _, w in middles])[0]
        given = fold(rng.choice(GIVEN[sex]))
        out.append(f"{rng.choices(*families)[0]} {middle} {given[: rng.randint(1, 3)]}")
    return out


def create_users() -> dict[str, int]:
    """The bench's accounts (USERS) with PASSWORD, through the app's own service."""
    from registry.auth.actors import Actor
    from registry.auth.permissions import Role
    from registry.auth.services import create_user
    from registry.units.services import find_unit

    actor = Actor.system("bench setup")
    made = {}
    for username, (role, unit_code) in USERS.items():
        user = create_user(
            username=username,
            full_name=username.replace("_", " ").title(),
            role=Role(role),
            unit=find_unit(unit_code, on=TODAY),
            password=PASSWORD,
            actor=actor,
        )
        made[username] = user.id
    return made


def set_up_province(url: str, keyring: Any, people: int, seed: int = 11) -> dict[str, Any]:
    """Migrate, load the bundled and synthetic units, create the users and generate the
    province; on PostgreSQL then VACUUM ANALYZE, the state autovacuum reaches after a bulk
    load. Returns the generator's figures."""
    from benchlib.beneficiaries import make_app
    from flask_migrate import upgrade

    from registry.auth.actors import Actor
    from registry.extensions import db
    from registry.units.cli import BUNDLED
    from registry.units.services import load_units

    with make_app(url, keyring).app_context():
        upgrade()
        system = Actor.system("bench setup")
        load_units(
            (BUNDLED / "46-hue.csv").read_text(encoding="utf-8"), source="46-hue.csv", actor=system
        )
        load_units(synthetic_communes_csv(), source="bench-communes.csv", actor=system)
        create_users()
        db.session.commit()
        made = generate_province(people, seed)
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        db.engine.dispose()
    return made
