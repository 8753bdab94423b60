"""Writing a checked import plan set-based: plain rows in chunks, audited.

On PostgreSQL the rows go in with COPY and updates as one UPDATE … FROM a temporary table
(psycopg's executemany sends one INSERT or UPDATE per row); elsewhere with executemany.
Only called with a plan whose rows passed every check, inside the caller's transaction;
the database constraints stay the last word (a violation rolls the whole import back).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from registry.audit.actions import AuditAction
from registry.audit.services import PendingEvent, record_events
from registry.auth.actors import Actor
from registry.bulkcopy import copy_rows, copy_update, copyable
from registry.db import utcnow
from registry.extensions import db
from registry.faults import checkpoint
from registry.households.models import Area, Household, HouseholdPovertyStatus
from registry.households.services import poverty_period
from registry.identity.crypto import FieldCipher
from registry.imports.planning import HouseholdPlan, KnownPerson, OnDuplicate, Plan
from registry.imports.validation import PersonRow
from registry.people.accounts import account_blind_index, account_field
from registry.people.identity import cccd_field
from registry.people.models import (
    Circumstance,
    CircumstanceKind,
    MeritRecord,
    PaymentAccount,
    PaymentChannel,
    Person,
    Relation,
)
from registry.people.names import given_name_key, name_key

WRITE_CHUNK = 5000
_NOTE = "Nhập từ tệp {source}: ngày bắt đầu là ngày nhập, không phải ngày trên giấy tờ."


@dataclass
class WriteOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    households_created: int = 0


class ChunkWriter:
    """Collects plain rows per table and audit events, then writes them in chunks."""

    def __init__(self, progress: Callable[[str, int, int], None], total: int) -> None:
        self.events: list[PendingEvent] = []
        self.progress = progress
        self.total = max(total, 1)
        self.done = 0

    def insert(self, table: Any, rows: Sequence[dict[str, Any]], *, counts: bool = False) -> None:
        connection = db.session.connection()
        copy = connection.dialect.name == "postgresql" and copyable(table, rows)
        for start in range(0, len(rows), WRITE_CHUNK):
            chunk = rows[start : start + WRITE_CHUNK]
            if copy:
                copy_rows(connection, table, chunk)
            else:
                db.session.execute(insert(table), chunk)
            if counts:
                self.done += len(chunk)
                self.progress("write", min(self.done, self.total), self.total)
                checkpoint("import-write")

    def update(self, table: Any, key: str, rows: Sequence[dict[str, Any]]) -> None:
        """UPDATE table SET <other keys> WHERE <key> = row[key], for each row (executemany;
        on PostgreSQL one UPDATE … FROM the rows copied into a temporary table)."""
        if not rows:
            return
        connection = db.session.connection()
        if connection.dialect.name == "postgresql":
            copy_update(connection, table, key, rows)
            return
        columns = [c for c in rows[0] if c != key]
        statement = (
            update(table)
            .where(table.c[key] == bindparam(f"b_{key}"))
            .values({c: bindparam(f"b_{c}") for c in columns})
        )
        for start in range(0, len(rows), WRITE_CHUNK):
            chunk = [
                {f"b_{k}": v for k, v in row.items()} for row in rows[start : start + WRITE_CHUNK]
            ]
            db.session.execute(statement, chunk)


def write_plan(
    plan: Plan,
    *,
    actor: Actor,
    today: date,
    cipher: FieldCipher,
    on_duplicate: OnDuplicate,
    urban_communes: set[int],
    source: str,
    progress: Callable[[str, int, int], None],
) -> WriteOutcome:
    """Write the plan's households, people and their facts, and one audit event per change."""
    db.session.flush()  # the ORM's pending changes go first, as a service's would
    writer = ChunkWriter(progress, len(plan.creates) + len(plan.updates))
    outcome = WriteOutcome()
    now = utcnow()
    note = _NOTE.format(source=source[:200])
    ids = {code: (h.known.id if h.known else uuid.uuid4()) for code, h in plan.households.items()}
    new = [h for h in plan.households.values() if h.known is None]
    writer.insert(
        Household.__table__,
        [
            {
                "id": ids[h.code],
                "code": h.code,
                "commune_id": h.commune_id,
                "address": h.address,
                "address_key": name_key(h.address or ""),
                "head_id": None,
                "created_at": now,
                "updated_at": now,
            }
            for h in new
        ],
    )
    outcome.households_created = len(new)
    people, heads = _create_people(plan.creates, ids, cipher, now, writer)
    outcome.created = len(people)
    _set_heads(plan, ids, heads, writer)
    facts = _Facts(today=today, now=now, note=note, cipher=cipher)
    for row, person_id in zip(plan.creates, people, strict=True):
        facts.add_new(row, person_id)
    if on_duplicate is OnDuplicate.UPDATE and plan.updates:
        changed = _update_people(plan.updates, facts, writer)
        outcome.updated = len(changed)
        outcome.unchanged = len(plan.updates) - len(changed)
    facts.write(writer)
    _poverty(plan, ids, on_duplicate, urban_communes, today, now, writer)
    if on_duplicate is OnDuplicate.UPDATE:
        _addresses(plan, writer)
    for h in new:
        writer.events.append(
            PendingEvent(
                AuditAction.HOUSEHOLD_CREATE,
                "households",
                str(ids[h.code]),
                h.commune_id,
                {"code": h.code, "commune": h.commune_code, "import": True},
            )
        )
    for row, person_id in zip(plan.creates, people, strict=True):
        writer.events.append(
            PendingEvent(
                AuditAction.PERSON_CREATE,
                "people",
                str(person_id),
                row.commune_id,
                {
                    "household": row.household_code,
                    "relation": row.relation.value if row.relation else None,
                    "has_cccd": row.cccd is not None,
                    "cccd_override": False,
                    "import": True,
                    **facts.details.get(person_id, {}),
                },
            )
        )
    record_events(writer.events, actor=actor)
    return outcome


def _create_people(
    rows: list[PersonRow],
    ids: dict[str, uuid.UUID],
    cipher: FieldCipher,
    now: Any,
    writer: ChunkWriter,
) -> tuple[list[uuid.UUID], dict[uuid.UUID, uuid.UUID]]:
    people, records, heads = [], [], {}
    keys = _NameKeys()
    for row in rows:
        person_id = uuid.uuid4()
        household_id = ids[row.household_code or ""]
        people.append(person_id)
        if row.relation is Relation.HEAD:
            heads[household_id] = person_id
        records.append(
            {
                "id": person_id,
                "full_name": row.full_name,
                "name_key": keys.name(row.full_name),
                "given_name_key": keys.given(row.full_name),
                "birth_date": row.birth_date,
                "birth_year": row.birth_year,
                "sex": row.sex,
                "commune_id": row.commune_id,
                "household_id": household_id,
                "relation": row.relation,
                "cccd_ciphertext": (
                    cipher.encrypt(row.cccd, cccd_field(person_id)) if row.cccd else None
                ),
                "cccd_index": (row.cccd_index or cipher.blind_index("cccd", row.cccd))
                if row.cccd
                else None,
                "created_at": now,
                "updated_at": now,
            }
        )
    # In key order the primary-key index grows at one end instead of splitting pages at random.
    writer.insert(Person.__table__, sorted(records, key=lambda r: r["id"].bytes), counts=True)
    return people, heads


class _NameKeys:
    """name_key/given_name_key per distinct name: names repeat a lot, and folding is costly."""

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}

    def name(self, full_name: str) -> str:
        key = self._keys.get(full_name)
        if key is None:
            key = self._keys[full_name] = name_key(full_name)
        return key

    def given(self, full_name: str) -> str:
        # Same as given_name_key(): the last word of the folded name.
        words = self.name(full_name).split()
        return words[-1] if words else ""


def _set_heads(
    plan: Plan, ids: dict[str, uuid.UUID], heads: dict[uuid.UUID, uuid.UUID], writer: ChunkWriter
) -> None:
    # A dead head stays on record as "other" once a living head is set (as set_head does).
    dead = [
        {"id": h.known.dead_head_id, "relation": Relation.OTHER}
        for h in plan.households.values()
        if h.known is not None and h.known.dead_head_id is not None and ids[h.code] in heads
    ]
    writer.update(Person.__table__, "id", dead)
    writer.update(
        Household.__table__,
        "id",
        [{"id": household, "head_id": person} for household, person in heads.items()],
    )
    for h in plan.households.values():
        if h.known is not None and ids[h.code] in heads:
            writer.events.append(
                PendingEvent(
                    AuditAction.HOUSEHOLD_SET_HEAD,
                    "households",
                    str(h.known.id),
                    h.known.commune_id,
                    {"head": str(heads[ids[h.code]]), "previous": None, "import": True},
                )
            )


class _Facts:
    """Circumstances, merit records and payment accounts to add, and what they close."""

    def __init__(self, *, today: date, now: Any, note: str, cipher: FieldCipher) -> None:
        self.today, self.now, self.note, self.cipher = today, now, note, cipher
        self.circumstances: list[dict[str, Any]] = []
        self.closed: list[dict[str, Any]] = []
        self.relevelled: list[dict[str, Any]] = []
        self.merits: list[dict[str, Any]] = []
        self.accounts: list[dict[str, Any]] = []
        self.deactivated: list[dict[str, Any]] = []
        self.details: dict[uuid.UUID, dict[str, Any]] = {}

    def _circumstance(self, person_id: uuid.UUID, kind: CircumstanceKind, level: Any) -> None:
        self.circumstances.append(
            {
                "person_id": person_id,
                "kind": kind,
                "started_on": self.today,
                "disability_level": level,
                "note": self.note,
                "recorded_at": self.now,
            }
        )

    def disability(self, person_id: uuid.UUID, row: PersonRow) -> None:
        self._circumstance(person_id, CircumstanceKind.DISABILITY, row.disability)
        self.details.setdefault(person_id, {})["disability_level"] = str(row.disability)

    def pension(self, person_id: uuid.UUID) -> None:
        self._circumstance(person_id, CircumstanceKind.PENSION, None)
        self.details.setdefault(person_id, {})["pension"] = True

    def merit(self, person_id: uuid.UUID, row: PersonRow) -> None:
        self.merits.append(
            {
                "person_id": person_id,
                "category": row.merit_category,
                "injury_rate": row.injury_rate,
                "martyrs": row.martyrs,
                "recognised_on": self.today,
                "recorded_at": self.now,
            }
        )
        self.details.setdefault(person_id, {})["category"] = str(row.merit_category)

    def account(self, person_id: uuid.UUID, row: PersonRow, index: bytes) -> None:
        account_id = uuid.uuid4()
        assert row.account_number is not None
        self.accounts.append(
            {
                "id": account_id,
                "person_id": person_id,
                "channel": PaymentChannel.BANK,
                "bank_bin": row.bank_bin,
                "account_ciphertext": self.cipher.encrypt(
                    row.account_number, account_field(account_id)
                ),
                "account_index": index,
                "holder_name": row.full_name,
                "is_active": True,
                "created_at": self.now,
            }
        )
        self.details.setdefault(person_id, {})["bank_bin"] = row.bank_bin

    def add_new(self, row: PersonRow, person_id: uuid.UUID) -> None:
        if row.disability is not None:
            self.disability(person_id, row)
        if row.has_pension:
            self.pension(person_id)
        if row.merit_category is not None:
            self.merit(person_id, row)
        if row.bank_bin is not None and row.account_number is not None:
            self.account(
                person_id, row, account_blind_index(self.cipher, row.bank_bin, row.account_number)
            )

    def write(self, writer: ChunkWriter) -> None:
        writer.update(Circumstance.__table__, "id", self.closed)
        writer.update(Circumstance.__table__, "id", self.relevelled)
        writer.insert(Circumstance.__table__, self.circumstances)
        writer.insert(MeritRecord.__table__, self.merits)
        writer.update(PaymentAccount.__table__, "id", self.deactivated)
        writer.insert(PaymentAccount.__table__, self.accounts)


def in_chunks(ids: list[uuid.UUID], query: Callable[[Sequence[uuid.UUID]], Iterable[Any]]):
    for start in range(0, len(ids), 500):
        yield from query(ids[start : start + 500])


def _update_people(
    updates: list[tuple[PersonRow, KnownPerson]], facts: _Facts, writer: ChunkWriter
) -> list[uuid.UUID]:
    """Correct registered people's details and add the facts they lack; return who changed.

    An import adds what a file states and corrects names, sex and birth; it never ends a
    circumstance or merit record (that stays on the person page), except that a disability
    of another level replaces the open one, as a new assessment does.
    """
    ids = [known.id for _, known in updates]
    open_facts: dict[uuid.UUID, dict[str, Any]] = {}
    for r in in_chunks(
        ids,
        lambda chunk: db.session.execute(
            select(
                Circumstance.id,
                Circumstance.person_id,
                Circumstance.kind,
                Circumstance.disability_level,
                Circumstance.started_on,
            ).where(
                Circumstance.person_id.in_(chunk),
                Circumstance.ended_on.is_(None),
                Circumstance.kind.in_([CircumstanceKind.DISABILITY, CircumstanceKind.PENSION]),
            )
        ),
    ):
        open_facts.setdefault(r.person_id, {})[r.kind] = r
    merits: dict[uuid.UUID, set[Any]] = {}
    for r in in_chunks(
        ids,
        lambda chunk: db.session.execute(
            select(MeritRecord.person_id, MeritRecord.category).where(
                MeritRecord.person_id.in_(chunk), MeritRecord.ended_on.is_(None)
            )
        ),
    ):
        merits.setdefault(r.person_id, set()).add(r.category)
    accounts: dict[uuid.UUID, Any] = {}
    for r in in_chunks(
        ids,
        lambda chunk: db.session.execute(
            select(PaymentAccount.id, PaymentAccount.person_id, PaymentAccount.account_index).where(
                PaymentAccount.person_id.in_(chunk), PaymentAccount.is_active
            )
        ),
    ):
        accounts[r.person_id] = r
    people, changed = [], []
    for row, known in updates:
        fields = [
            name
            for name, old, new in (
                ("full_name", known.full_name, row.full_name),
                ("sex", known.sex, row.sex),
                ("birth_date", known.birth_date, row.birth_date),
                ("birth_year", known.birth_year, row.birth_year),
            )
            if old != new
        ]
        if fields:
            people.append(
                {
                    "id": known.id,
                    "full_name": row.full_name,
                    "name_key": name_key(row.full_name),
                    "given_name_key": given_name_key(row.full_name),
                    "sex": row.sex,
                    "birth_date": row.birth_date,
                    "birth_year": row.birth_year,
                    # The file's CCCD agrees with the file's sex and year: no override is left.
                    "cccd_override_reason": None,
                    "updated_at": facts.now,
                }
            )
        fields += _update_facts(
            row, known.id, open_facts.get(known.id, {}), merits, accounts, facts
        )
        if fields:
            changed.append(known.id)
            facts.details.setdefault(known.id, {})
            writer.events.append(
                PendingEvent(
                    AuditAction.PERSON_UPDATE,
                    "people",
                    str(known.id),
                    known.commune_id,
                    {"fields": fields, "import": True, **facts.details[known.id]},
                )
            )
    writer.update(Person.__table__, "id", people)
    writer.done += len(updates)
    writer.progress("write", min(writer.done, writer.total), writer.total)
    return changed


def _update_facts(
    row: PersonRow,
    person_id: uuid.UUID,
    current: dict[Any, Any],
    merits: dict[uuid.UUID, set[Any]],
    accounts: dict[uuid.UUID, Any],
    facts: _Facts,
) -> list[str]:
    fields = []
    disability = current.get(CircumstanceKind.DISABILITY)
    if row.disability is not None and (
        disability is None or disability.disability_level != row.disability
    ):
        if disability is not None and disability.started_on < facts.today:
            facts.closed.append({"id": disability.id, "ended_on": facts.today - timedelta(days=1)})
            facts.disability(person_id, row)
        elif disability is not None:
            # Assessed again the same day (a corrected file): correct the level in place.
            facts.relevelled.append({"id": disability.id, "disability_level": row.disability})
            facts.details.setdefault(person_id, {})["disability_level"] = str(row.disability)
        else:
            facts.disability(person_id, row)
        fields.append("disability")
    if row.has_pension and CircumstanceKind.PENSION not in current:
        facts.pension(person_id)
        fields.append("pension")
    if row.merit_category is not None and row.merit_category not in merits.get(person_id, set()):
        facts.merit(person_id, row)
        fields.append("merit")
    if row.bank_bin is not None and row.account_number is not None:
        index = account_blind_index(facts.cipher, row.bank_bin, row.account_number)
        active = accounts.get(person_id)
        if active is None or active.account_index != index:
            if active is not None:
                facts.deactivated.append({"id": active.id, "is_active": False})
            facts.account(person_id, row, index)
            fields.append("payment_account")
    return fields


def _poverty(
    plan: Plan,
    ids: dict[str, uuid.UUID],
    on_duplicate: OnDuplicate,
    urban: set[int],
    today: date,
    now: Any,
    writer: ChunkWriter,
) -> None:
    wanted = [
        h
        for h in plan.households.values()
        if h.poverty_status is not None
        and h.poverty_year is not None
        and (h.known is None or on_duplicate is OnDuplicate.UPDATE)
    ]
    existing: dict[tuple[uuid.UUID, int], Any] = {}
    known_ids = [ids[h.code] for h in wanted if h.known is not None]
    for r in in_chunks(
        known_ids,
        lambda chunk: db.session.execute(
            select(
                HouseholdPovertyStatus.id,
                HouseholdPovertyStatus.household_id,
                HouseholdPovertyStatus.review_year,
                HouseholdPovertyStatus.status,
            ).where(HouseholdPovertyStatus.household_id.in_(chunk))
        ),
    ):
        existing[(r.household_id, r.review_year)] = r
    inserts, updates = [], []
    for h in wanted:
        assert h.poverty_year is not None and h.poverty_status is not None
        household_id = ids[h.code]
        valid_from, valid_to = poverty_period(h.poverty_year)
        old = existing.get((household_id, h.poverty_year))
        if old is not None and old.status == h.poverty_status:
            continue
        if old is not None:
            updates.append({"id": old.id, "status": h.poverty_status, "recorded_at": now})
        else:
            inserts.append(
                {
                    "household_id": household_id,
                    "review_year": h.poverty_year,
                    "status": h.poverty_status,
                    # The template has no area column: a ward or township is urban.
                    "area": Area.URBAN if h.commune_id in urban else Area.RURAL,
                    "is_especially_difficult_area": False,
                    "deprivations": [],
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                    "recorded_at": now,
                }
            )
        writer.events.append(
            _poverty_event(h, household_id, created=old is None, valid_from=valid_from)
        )
    writer.insert(HouseholdPovertyStatus.__table__, inserts)
    writer.update(HouseholdPovertyStatus.__table__, "id", updates)


def _poverty_event(
    h: HouseholdPlan, household_id: uuid.UUID, *, created: bool, valid_from: date
) -> PendingEvent:
    return PendingEvent(
        AuditAction.POVERTY_SET,
        "households",
        str(household_id),
        h.commune_id,
        {
            "review_year": h.poverty_year,
            "status": str(h.poverty_status),
            "created": created,
            "valid_from": valid_from.isoformat(),
            "import": True,
        },
    )


def _addresses(plan: Plan, writer: ChunkWriter) -> None:
    changes = []
    for h in plan.households.values():
        if h.known is None or h.address is None or h.address == h.known.address:
            continue
        changes.append({"id": h.known.id, "address": h.address, "address_key": name_key(h.address)})
        writer.events.append(
            PendingEvent(
                AuditAction.HOUSEHOLD_UPDATE,
                "households",
                str(h.known.id),
                h.known.commune_id,
                {"address": [h.known.address, h.address], "import": True},
            )
        )
    writer.update(Household.__table__, "id", changes)
