"""A hand-built registry where every indicator's answer is known, for October 2026.

Ward A (Phường Thuận Hóa) holds the cases and their edges; ward B (Phường Phú Xuân) one case
of each kind, seen only at the province's scope. People, households, circumstances, merit
records, poverty reviews and accounts go through the services; decisions, payment runs and
lines are written as rows, so that each one's status and months are exactly as stated.

The expected numbers (``EXPECTED``) are written out by hand from the comments below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from registry.auth.actors import Actor
from registry.decisions.models import BenefitDecision, DecisionStatus, Programme
from registry.extensions import db, keys
from registry.households.models import Area, Household, PovertyStatus
from registry.households.services import set_poverty_status
from registry.payments.models import LineKind, LineStatus, PaymentLine, PaymentRun, RunStatus
from registry.people.accounts import set_payment_account
from registry.people.circumstances import add_circumstance, add_merit_record
from registry.people.models import CircumstanceKind, MeritCategory, PaymentChannel, Person, Sex
from registry.people.services import record_death
from tests import factories
from tests.conftest import TODAY, WARD_A, WARD_B

OCT = date(2026, 10, 1)
SEP = date(2026, 9, 1)

#: (numerator, denominator) per indicator in October 2026: ward A, then the province.
EXPECTED = {
    WARD_A: {
        "children_u36_poor": (2, 6),
        "elderly_without_pension": (2, 6),
        "merit_families_allowance": (2, 4),
        "merit_families_poor": (3, 4),
        "cashless_share": (2, 5),
    },
    "46": {
        "children_u36_poor": (3, 7),
        "elderly_without_pension": (3, 7),
        "merit_families_allowance": (3, 5),
        "merit_families_poor": (3, 5),
        "cashless_share": (3, 6),
    },
}


@dataclass
class Dataset:
    people: dict[str, Person] = field(default_factory=dict)
    households: dict[str, Household] = field(default_factory=dict)

    def names(self, ids) -> set[str]:
        by_id = {p.id: key for key, p in self.people.items()}
        return {by_id[i] for i in ids}


class _Builder:
    def __init__(self, officers: dict[str, Actor]) -> None:
        self.officers = officers
        self.data = Dataset()

    def home(self, key: str, ward: str, *reviews: tuple[int, PovertyStatus, date | None]):
        officer = self.officers[ward]
        household = factories.household(ward, actor=officer, today=TODAY, code=key)
        for year, status, valid_from in reviews:
            set_poverty_status(
                household,
                review_year=year,
                status=status,
                area=Area.URBAN,
                valid_from=valid_from,
                actor=officer,
                today=TODAY,
            )
        self.data.households[key] = household
        return household

    def person(
        self,
        key: str,
        name: str,
        *,
        ward: str = WARD_A,
        home: str | None = None,
        born: date | None = None,
        year: int | None = None,
        died: date | None = None,
    ) -> Person:
        officer = self.officers[ward]
        household = self.data.households[home] if home else None
        person = factories.person(
            actor=officer,
            today=TODAY,
            household=household,
            commune_code=None if household else ward,
            full_name=name,
            sex=Sex.FEMALE,
            birth_date=born,
            birth_year=year,
            with_cccd=False,
        )
        if died is not None:
            record_death(person, died_on=died, actor=officer, today=TODAY)
        self.data.people[key] = person
        return person

    def decision(
        self,
        key: str,
        programme: Programme,
        group: str,
        start: date,
        status: DecisionStatus = DecisionStatus.APPROVED,
        *,
        end: date | None = None,
        suspended_from: date | None = None,
    ) -> BenefitDecision:
        person = self.data.people[key]
        signed = status is not DecisionStatus.PROPOSED
        decision = BenefitDecision(
            person_id=person.id,
            commune_id=person.commune_id,
            programme=programme,
            group_code=group,
            status=status,
            proposed_amount=500_000,
            reference="Nghị định 20/2021/NĐ-CP",
            start_month=start,
            end_month=end,
            suspended_from=suspended_from,
            decision_number=f"{key}/QĐ-UBND" if signed else None,
            decided_on=date(2024, 12, 20) if signed else None,
            signer="Chủ tịch UBND phường" if signed else None,
        )
        db.session.add(decision)
        db.session.flush()
        return decision

    def pension(self, key: str, started: date, ended: date | None = None) -> None:
        add_circumstance(
            self.data.people[key],
            kind=CircumstanceKind.PENSION,
            started_on=started,
            ended_on=ended,
            actor=self.officers[WARD_A],
            today=TODAY,
        )

    def merit(self, key: str, category: MeritCategory, recognised: date, **extra) -> None:
        person = self.data.people[key]
        ended = extra.pop("ended", None)
        record = add_merit_record(
            person,
            category=category,
            recognised_on=recognised,
            actor=self.officers[WARD_A if person.commune.code == WARD_A else WARD_B],
            today=TODAY,
            **extra,
        )
        if ended is not None:
            record.ended_on = ended
            db.session.flush()

    def account(self, key: str, channel: PaymentChannel, number: str = "") -> None:
        person = self.data.people[key]
        set_payment_account(
            person,
            channel=channel,
            bank_bin=None if channel is PaymentChannel.POST_OFFICE else "970436",
            account_number=number or None,
            actor=self.officers[WARD_A if person.commune.code == WARD_A else WARD_B],
            cipher=keys.cipher,
        )

    def merge(self, duplicate: str, keep: str) -> None:
        self.data.people[duplicate].merged_into_id = self.data.people[keep].id
        self.data.people[duplicate].merged_at = datetime(2026, 11, 1, tzinfo=UTC)
        db.session.flush()


def _line(run, decision, amount, status=LineStatus.PENDING, *, paid_for=None, kind=None):
    return PaymentLine(
        run_id=run.id,
        decision_id=decision.id,
        person_id=decision.person_id,
        commune_id=decision.commune_id,
        programme=decision.programme,
        group_code=decision.group_code,
        month_paid_for=paid_for or run.month,
        kind=kind or LineKind.REGULAR,
        amount=amount,
        status=status,
    )


def build(actor) -> Dataset:
    """The whole registry of the reports tests (see the module docstring)."""
    b = _Builder({WARD_A: actor("commune_a"), WARD_B: actor("commune_b")})
    poor, near, none = PovertyStatus.POOR, PovertyStatus.NEAR_POOR, PovertyStatus.NONE
    sa, sp, merit = Programme.SOCIAL_ASSISTANCE, Programme.SOCIAL_PENSION, Programme.MERIT
    suspended = DecisionStatus.SUSPENDED

    # Households. A review of year Y applies to Y+1 (the yearly review decides next year's
    # list); the rolling review of A-THOAT-NGHEO takes it out of poverty from 15/10/2026.
    b.home("A-NGHEO-1", WARD_A, (2024, near, None), (2025, poor, None))
    b.home("A-CAN-NGHEO", WARD_A, (2025, near, None), (2026, none, None))
    b.home("A-KHA", WARD_A, (2025, none, None))
    b.home("A-NGHEO-2024", WARD_A, (2024, poor, None))
    b.home("A-THOAT-NGHEO", WARD_A, (2025, poor, None), (2026, none, date(2026, 10, 15)))
    for code, reviews in (
        ("A-NCC-1", ()),
        ("A-NCC-2", ((2025, poor, None),)),
        ("A-NCC-3", ()),
        ("A-NCC-4", ((2025, poor, None),)),
        ("A-NCC-5", ((2025, near, None),)),
        ("A-NCC-6", ()),
    ):
        b.home(code, WARD_A, *reviews)
    b.home("B-NGHEO", WARD_B, (2025, poor, None))
    b.home("B-NCC", WARD_B)

    # Children under 36 months in October 2026: born from 1/11/2023 to 31/10/2026.
    b.person("c1", "Lê Thị An", home="A-NGHEO-1", born=date(2024, 3, 10))  # counted, assisted
    b.decision("c1", sa, "local.children_under_36_months", date(2026, 1, 1))
    b.person("c2", "Lê Thị Bình", home="A-NGHEO-1", born=date(2025, 6, 1))
    b.decision("c2", sa, "sa.5.7", date(2026, 11, 1))  # starts next month: not yet assisted
    b.person("c3", "Lê Thị Cúc", home="A-NGHEO-1", born=date(2023, 11, 1))  # 35 months
    b.decision("c3", sa, "sa.5.7", date(2024, 1, 1), suspended, suspended_from=date(2026, 9, 1))
    b.person("c4", "Lê Thị Dung", home="A-NGHEO-1", born=date(2023, 10, 31))  # 36 months
    b.decision("c4", sa, "sa.5.7", date(2024, 1, 1))
    b.person("c5", "Lê Thị Giang", home="A-NGHEO-1", born=date(2026, 11, 5))  # not yet born
    b.person("c14", "Lê Thị Hà", home="A-NGHEO-1", born=date(2026, 10, 31))  # born in October
    b.person("c6", "Trần Thị Hoa", home="A-CAN-NGHEO", born=date(2025, 1, 15))
    b.decision("c6", sa, "sa.5.7", date(2025, 2, 1), DecisionStatus.ENDED, end=OCT)  # last month
    b.person(
        "c7", "Trần Thị Khánh", home="A-CAN-NGHEO", born=date(2024, 5, 5), died=date(2026, 8, 20)
    )
    b.person(
        "c8", "Trần Thị Lan", home="A-CAN-NGHEO", born=date(2024, 6, 6), died=date(2026, 10, 15)
    )
    b.decision("c8", sa, "sa.5.7", date(2026, 10, 1), DecisionStatus.PROPOSED)  # not signed
    b.person("c9", "Phạm Thị Mai", home="A-KHA", born=date(2025, 2, 2))  # not poor
    b.decision("c9", sa, "sa.5.7", date(2025, 3, 1))
    b.person("c10", "Phạm Thị Nga", home="A-NGHEO-2024", born=date(2025, 3, 3))  # poor in 2025 only
    b.person("c11", "Phạm Thị Oanh", home="A-THOAT-NGHEO", born=date(2025, 4, 4))  # left poverty
    b.person("c12", "Lê Thi An", home="A-NGHEO-1", born=date(2024, 3, 10))  # duplicate of c1
    b.merge("c12", "c1")
    b.person("c13", "Võ Thị Phương", ward=WARD_B, home="B-NGHEO", born=date(2025, 5, 5))
    b.decision("c13", sa, "sa.5.7", date(2025, 6, 1))

    # Elderly in October 2026: 75 means born in October 1951 or before; 70 in October 1956.
    b.person("e1", "Nguyễn Văn Ân", home="A-KHA", born=date(1951, 10, 20))  # 75 this month
    b.decision("e1", sp, "sp.75plus", OCT)
    b.person("e2", "Nguyễn Văn Bảo", home="A-KHA", born=date(1951, 11, 2))  # 74, not poor
    b.person("e3", "Nguyễn Văn Cường", home="A-NGHEO-1", born=date(1955, 5, 5))  # 71, poor
    b.decision("e3", sa, "sa.5.5a", date(2025, 1, 1))
    b.person("e4", "Nguyễn Văn Duy", home="A-KHA", born=date(1954, 1, 1))  # 72, not poor
    b.person("e5", "Nguyễn Văn Em", year=1940)  # no household; pension ended in September
    b.pension("e5", date(2010, 1, 1), date(2026, 9, 30))
    b.person("e6", "Nguyễn Văn Gia", home="A-KHA", born=date(1945, 2, 2))  # pension
    b.pension("e6", date(2005, 1, 1))
    b.person("e7", "Nguyễn Văn Hải", home="A-KHA", born=date(1948, 3, 3))  # pension from 20/10
    b.pension("e7", date(2026, 10, 20))
    b.person("e8", "Nguyễn Văn Hùng", home="A-KHA", born=date(1950, 1, 1))
    b.decision("e8", sp, "sp.75plus", date(2025, 7, 1), suspended, suspended_from=OCT)
    b.person("e9", "Nguyễn Văn Khoa", home="A-KHA", born=date(1949, 9, 9), died=date(2026, 9, 30))
    b.person("e10", "Nguyễn Văn Long", home="A-CAN-NGHEO", born=date(1956, 10, 31))  # 70, near-poor
    b.decision("e10", merit, "merit.resistance", date(2020, 1, 1))  # not a social allowance
    b.person("e11", "Nguyễn Văn Minh", home="A-CAN-NGHEO", born=date(1956, 11, 1))  # 69
    b.person("e12", "Nguyen Van Em", year=1940)  # duplicate of e5
    b.merge("e12", "e5")
    b.person("e15", "Nguyễn Văn Nam", year=1951)  # year only: 75 from January
    b.person("e16", "Nguyễn Văn Ninh", year=1952)  # year only: 74
    b.person("e13", "Võ Văn Phúc", ward=WARD_B, born=date(1940, 1, 1))
    b.decision("e13", sp, "sp.75plus", date(2025, 7, 1))

    # Merit families in October 2026 (holders aged under 70, so no elderly case).
    b.person("m1", "Đặng Văn Quang", home="A-NCC-1", born=date(1960, 1, 1))
    b.merit("m1", MeritCategory.WAR_INVALID, date(2000, 1, 1), injury_rate=61)
    m1 = b.decision("m1", merit, "merit.war_invalid", date(2021, 7, 1))
    b.person("m2", "Đặng Thị Quyên", home="A-NCC-2", born=date(1962, 1, 1))  # poor, no allowance
    b.merit("m2", MeritCategory.MARTYR_RELATIVE, date(2010, 1, 1), martyrs=1)
    b.person("m3", "Đặng Văn Sơn", home="A-NCC-3", born=date(1958, 1, 1))  # record ended in June
    b.merit("m3", MeritCategory.RESISTANCE_PARTICIPANT, date(2005, 1, 1), ended=date(2026, 6, 30))
    b.person("m4", "Đặng Văn Tài", home="A-NCC-4", born=date(1959, 1, 1))  # recognised 15/10
    b.merit("m4", MeritCategory.AGENT_ORANGE, date(2026, 10, 15), injury_rate=41)
    b.decision("m4", merit, "merit.agent_orange", date(2026, 11, 1))
    b.person("m5a", "Đặng Văn Thắng", home="A-NCC-5", born=date(1957, 1, 1))  # two holders
    b.merit("m5a", MeritCategory.WAR_INVALID, date(1990, 1, 1), injury_rate=81)
    b.decision("m5a", merit, "merit.war_invalid", date(2021, 7, 1))
    b.person("m5b", "Đặng Thị Thu", home="A-NCC-5", born=date(1961, 1, 1))
    b.merit("m5b", MeritCategory.MARTYR_RELATIVE, date(1995, 1, 1), martyrs=1)
    b.person("m6", "Đặng Văn Toàn", home="A-NCC-6", born=date(1940, 1, 1), died=date(2025, 5, 5))
    b.merit("m6", MeritCategory.WAR_INVALID, date(1980, 1, 1), injury_rate=41)
    b.person("m6w", "Đặng Thị Trang", home="A-NCC-6", born=date(1965, 1, 1))
    b.person("m7", "Võ Văn Tuấn", ward=WARD_B, home="B-NCC", born=date(1960, 1, 1))
    b.merit("m7", MeritCategory.WAR_INVALID, date(2000, 1, 1), injury_rate=30)
    b.decision("m7", merit, "merit.war_invalid", date(2021, 7, 1))

    # Paid in October 2026 (adults aged 41, no household): who went through an account.
    paid = {}
    for key, name, ward in (
        ("p1", "Hồ Văn Một", WARD_A),  # bank
        ("p2", "Hồ Văn Hai", WARD_A),  # bank, then the post office (the active account)
        ("p3", "Hồ Văn Ba", WARD_A),  # no account: cash
        ("p4", "Hồ Văn Bốn", WARD_A),  # e-wallet
        ("p5", "Hồ Văn Năm", WARD_B),  # bank, ward B
        ("p6", "Hồ Văn Sáu", WARD_A),  # bank, only in a draft
        ("p7", "Hồ Văn Bảy", WARD_A),  # bank, paid in September 2026 and October 2025
    ):
        b.person(key, name, ward=ward, born=date(1985, 1, 1))
        paid[key] = b.decision(key, sa, "sa.5.6", date(2025, 1, 1))
    b.account("p1", PaymentChannel.BANK, "1000000001")
    b.account("p2", PaymentChannel.BANK, "1000000002")
    b.account("p2", PaymentChannel.POST_OFFICE)
    b.account("p4", PaymentChannel.EWALLET, "1000000004")
    b.account("p5", PaymentChannel.BANK, "1000000005")
    b.account("p6", PaymentChannel.BANK, "1000000006")
    b.account("p7", PaymentChannel.BANK, "1000000007")
    province, ward_a = factories.unit("46"), factories.unit(WARD_A)
    october = PaymentRun(month=OCT, unit_id=province.id, status=RunStatus.LOCKED)
    draft = PaymentRun(month=OCT, unit_id=ward_a.id, status=RunStatus.DRAFT)
    september = PaymentRun(month=SEP, unit_id=province.id, status=RunStatus.RECONCILED)
    last_year = PaymentRun(month=date(2025, 10, 1), unit_id=province.id, status=RunStatus.LOCKED)
    db.session.add_all([october, draft, september, last_year])
    db.session.flush()
    db.session.add_all(
        [
            _line(october, paid["p1"], 500_000, LineStatus.PAID),
            _line(october, paid["p1"], 500_000, paid_for=SEP, kind=LineKind.ARREARS),
            _line(october, paid["p2"], 750_000, LineStatus.PAID),
            _line(october, paid["p3"], 500_000, LineStatus.FAILED),
            _line(october, paid["p4"], 1_000_000),
            _line(october, m1, 2_000_000),
            _line(october, paid["p5"], 500_000),
            _line(draft, paid["p6"], 500_000),
            _line(september, paid["p7"], 500_000, LineStatus.PAID),
            _line(last_year, paid["p7"], 360_000, LineStatus.PAID),
        ]
    )
    db.session.flush()
    return b.data
