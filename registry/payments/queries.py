"""Read queries for the payment pages: runs in scope, a run's subtotals, its lines page by page.

Every function takes a run already loaded through ``services.get_run`` (permission and
scope checked there) or an actor it scopes by; sums are GROUP BY queries, never lines loaded
one by one.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, select, text

from registry.audit.actions import AuditAction
from registry.audit.models import CHANGES, AuditEvent
from registry.auth.actors import Actor
from registry.auth.models import User
from registry.auth.permissions import Permission
from registry.decisions.models import Programme
from registry.errors import NotFoundError
from registry.extensions import db
from registry.payments.models import (
    LineKind,
    LineStatus,
    PaymentFile,
    PaymentLine,
    PaymentRun,
    RunStatus,
)
from registry.people.models import PaymentAccount, PaymentChannel, Person
from registry.people.queries import name_matches
from registry.units.models import AdminUnit, UnitLevel
from registry.units.scope import in_scope


@dataclass(frozen=True)
class RunRow:
    """One run in the list of runs: for a locked run its frozen control count and sum."""

    id: uuid.UUID
    month: date
    unit_code: str
    unit_name: str
    status: RunStatus
    lines: int
    total: int


@dataclass(frozen=True)
class RunsPage:
    runs: list[RunRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def runs_in_scope(*, actor: Actor, page: int = 1, per_page: int = 50) -> RunsPage:
    """The runs of the units the actor covers, newest month first.

    Drafts are summed from their lines (one GROUP BY over the drafts only); a locked run
    shows the count and sum frozen when it was locked, which every file must match.
    """
    actor.require(Permission.PAYMENT_READ)
    scoped = in_scope(PaymentRun.unit_id, actor)
    drafts = (
        select(
            PaymentLine.run_id,
            func.count().label("lines"),
            func.sum(PaymentLine.amount).label("total"),
        )
        .where(
            PaymentLine.run_id.in_(
                select(PaymentRun.id).where(PaymentRun.status == RunStatus.DRAFT, scoped)
            )
        )
        .group_by(PaymentLine.run_id)
        .subquery()
    )
    count = db.session.scalar(select(func.count()).select_from(PaymentRun).where(scoped)) or 0
    page = max(page, 1)
    rows = db.session.execute(
        select(
            PaymentRun.id,
            PaymentRun.month,
            AdminUnit.code,
            AdminUnit.name,
            PaymentRun.status,
            func.coalesce(PaymentRun.line_count, drafts.c.lines, 0),
            func.coalesce(PaymentRun.total, drafts.c.total, 0),
        )
        .join(AdminUnit, AdminUnit.id == PaymentRun.unit_id)
        .outerjoin(drafts, drafts.c.run_id == PaymentRun.id)
        .where(scoped)
        .order_by(PaymentRun.month.desc(), AdminUnit.code, PaymentRun.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    runs = [
        RunRow(id, month, code, name, RunStatus(status), int(lines), int(total))
        for id, month, code, name, status, lines, total in rows
    ]
    return RunsPage(runs, count, page, per_page)


def buildable_units(actor: Actor, today: date) -> list[AdminUnit]:
    """Units in force today for which the actor may build a run: their own unit first (a
    province, or a commune), then the communes under it by name."""
    valid = (AdminUnit.valid_from <= today) & (
        AdminUnit.valid_to.is_(None) | (AdminUnit.valid_to >= today)
    )
    return list(
        db.session.scalars(
            select(AdminUnit)
            .where(
                in_scope(AdminUnit.id, actor),
                valid,
                AdminUnit.level.in_((UnitLevel.PROVINCE, UnitLevel.COMMUNE)),
            )
            .order_by(AdminUnit.level != UnitLevel.PROVINCE, AdminUnit.name, AdminUnit.code)
        )
    )


@dataclass(frozen=True)
class Subtotal:
    """Lines and sum of one group of a run's lines (a commune, a programme, a kind …)."""

    key: str
    lines: int
    total: int
    label: str = ""
    #: The NAPAS BIN of the bank, in the breakdown by channel.
    bank_bin: str = ""


@dataclass(frozen=True)
class RunSummary:
    """A run's lines counted and summed as they stand, by commune, programme, kind, status
    and payment channel; every breakdown adds up to ``lines`` and ``total``."""

    lines: int
    total: int
    by_commune: list[Subtotal] = field(default_factory=list)
    by_programme: list[Subtotal] = field(default_factory=list)
    by_kind: list[Subtotal] = field(default_factory=list)
    by_status: list[Subtotal] = field(default_factory=list)
    by_channel: list[Subtotal] = field(default_factory=list)
    #: Lines and sum per (commune id, programme, kind, status), the rows the breakdowns are
    #: folded from: ``run_lines`` counts a filtered page from them without reading the lines.
    groups: tuple[tuple[int, str, str, str, int, int], ...] = ()


def _add(groups: dict, key, lines: int, total: int) -> None:
    count, amount = groups.get(key, (0, 0))
    groups[key] = (count + lines, amount + total)


#: The last runs' grouped rows, keyed by run and the last audit event that may change data
#: (id and hash): every change to lines, people or accounts writes an audit event in its
#: own transaction, so a new such event means the groups may differ, and the same one means
#: they cannot. The run page is read far more often than the registry changes, and each
#: view otherwise groups every line of the run again (a province's run: 75,000 lines joined
#: to their accounts).
_GROUPED: OrderedDict[tuple, tuple[list, list]] = OrderedDict()
_GROUPED_AT_MOST = 16
_GROUPED_LOCK = threading.Lock()


def _grouped(run: PaymentRun) -> tuple[list, list]:
    head = db.session.execute(
        select(AuditEvent.id, AuditEvent.hash)
        .where(text(CHANGES))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    key = (run.id, tuple(head) if head else None)
    with _GROUPED_LOCK:
        found = _GROUPED.get(key)
        if found is not None:
            _GROUPED.move_to_end(key)
            return found
    rows = db.session.execute(
        select(
            PaymentLine.commune_id,
            PaymentLine.programme,
            PaymentLine.kind,
            PaymentLine.status,
            func.count(),
            func.sum(PaymentLine.amount),
        )
        .where(PaymentLine.run_id == run.id)
        .group_by(
            PaymentLine.commune_id, PaymentLine.programme, PaymentLine.kind, PaymentLine.status
        )
    ).all()
    account = PaymentAccount
    channel_rows = db.session.execute(
        select(account.channel, account.bank_bin, func.count(), func.sum(PaymentLine.amount))
        .select_from(PaymentLine)
        .outerjoin(account, and_(account.person_id == PaymentLine.person_id, account.is_active))
        .where(PaymentLine.run_id == run.id)
        .group_by(account.channel, account.bank_bin)
    ).all()
    found = ([tuple(r) for r in rows], [tuple(r) for r in channel_rows])
    with _GROUPED_LOCK:
        _GROUPED[key] = found
        while len(_GROUPED) > _GROUPED_AT_MOST:
            _GROUPED.popitem(last=False)
    return found


def run_summary(run: PaymentRun, *, banks: dict[str, str] | None = None) -> RunSummary:
    """Subtotals of ``run``'s lines: one GROUP BY (commune, programme, kind, status) folded
    into the four breakdowns, and one GROUP BY over the people's active payment accounts
    (channel and bank, as the export would route them; no account: post office).

    The two GROUP BYs are remembered per run and registry version (see ``_grouped``).
    """
    rows, channel_rows = _grouped(run)
    groups: dict[str, dict] = defaultdict(dict)
    lines = total = 0
    raw = []
    for commune_id, programme, kind, status, count, amount in rows:
        count, amount = int(count), int(amount or 0)
        raw.append((commune_id, str(programme), str(kind), str(status), count, amount))
        lines, total = lines + count, total + amount
        _add(groups["commune"], commune_id, count, amount)
        _add(groups["programme"], str(programme), count, amount)
        _add(groups["kind"], str(kind), count, amount)
        _add(groups["status"], str(status), count, amount)
    communes = {
        unit.id: unit
        for unit in db.session.scalars(
            select(AdminUnit).where(AdminUnit.id.in_(list(groups["commune"])))
        )
    }
    by_commune = sorted(
        (
            Subtotal(communes[i].code, n, s, communes[i].name)
            for i, (n, s) in groups["commune"].items()
        ),
        key=lambda sub: (sub.label, sub.key),
    )

    def ordered(name: str, keys) -> list[Subtotal]:
        found = groups[name]
        return [Subtotal(str(k), *found[str(k)]) for k in keys if str(k) in found]

    return RunSummary(
        lines=lines,
        total=total,
        by_commune=by_commune,
        by_programme=ordered("programme", Programme),
        by_kind=ordered("kind", LineKind),
        by_status=ordered("status", LineStatus),
        by_channel=_by_channel(channel_rows, banks or {}),
        groups=tuple(raw),
    )


def _by_channel(rows: Any, banks: dict[str, str]) -> list[Subtotal]:
    groups: dict[tuple[str, str], tuple[int, int]] = {}
    for channel, bank_bin, count, amount in rows:
        # No active account: paid in cash at the post office, as the export does.
        key = (str(channel or PaymentChannel.POST_OFFICE), bank_bin or "")
        _add(groups, key, int(count), int(amount or 0))
    order = {c.value: i for i, c in enumerate(PaymentChannel)}
    subtotals = [
        Subtotal(channel, n, s, banks.get(bank_bin, bank_bin), bank_bin)
        for (channel, bank_bin), (n, s) in groups.items()
    ]
    return sorted(subtotals, key=lambda sub: (order.get(sub.key, 99), sub.label.lower()))


@dataclass(frozen=True)
class LineRow:
    """One line of the run as the page lists it (no ORM object per line)."""

    id: uuid.UUID
    person_id: uuid.UUID
    full_name: str
    commune_name: str
    programme: str
    group_code: str
    month_paid_for: date
    kind: str
    amount: int
    status: str
    failure_reason: str | None


@dataclass(frozen=True)
class LinesPage:
    rows: list[LineRow]
    #: Lines and sum matching the filters (every page together).
    matching: int
    matching_total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // self.per_page))


def run_lines(
    run: PaymentRun,
    *,
    commune_id: int | None = None,
    programme: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    query: str = "",
    page: int = 1,
    per_page: int = 50,
    summary: RunSummary | None = None,
) -> LinesPage:
    """One page of ``run``'s lines, filtered, sorted as offices sort lists: commune, then
    given name, then full name. ``query`` words must each start a word of the name,
    accents optional (as in the people search).

    Without a name query the lines are counted per commune (from ``summary`` when given,
    else with one GROUP BY on the lines alone) and the page is read from the first communes
    by name that hold it, so a page of a province's run sorts a commune's lines rather than
    all of them; the rows and their order are the same.
    """
    conditions = [PaymentLine.run_id == run.id]
    if commune_id is not None:
        conditions.append(PaymentLine.commune_id == commune_id)
    if programme:
        conditions.append(PaymentLine.programme == programme)
    if kind:
        conditions.append(PaymentLine.kind == kind)
    if status:
        conditions.append(PaymentLine.status == status)
    page = max(page, 1)
    offset = (page - 1) * per_page
    if query.strip():
        conditions += name_matches(query)
        joined = (
            select(PaymentLine)
            .join(Person, Person.id == PaymentLine.person_id)
            .join(AdminUnit, AdminUnit.id == PaymentLine.commune_id)
            .where(*conditions)
        )
        matching, matching_total = db.session.execute(
            joined.with_only_columns(
                func.count(), func.coalesce(func.sum(PaymentLine.amount), 0)
            ).order_by(None)
        ).one()
    else:
        if summary is not None:
            wanted = {
                "commune": commune_id,
                "programme": programme or None,
                "kind": kind or None,
                "status": status or None,
            }
            counts = _filtered_counts(summary, wanted)
        else:
            counts = {
                unit: (int(n), int(amount or 0))
                for unit, n, amount in db.session.execute(
                    select(PaymentLine.commune_id, func.count(), func.sum(PaymentLine.amount))
                    .where(*conditions)
                    .group_by(PaymentLine.commune_id)
                )
            }
        matching = sum(n for n, _ in counts.values())
        matching_total = sum(amount for _, amount in counts.values())
        holding = _communes_holding(counts, offset + per_page)
        if holding is not None:
            conditions.append(PaymentLine.commune_id.in_(holding))
    rows = db.session.execute(
        select(
            PaymentLine.id,
            PaymentLine.person_id,
            Person.full_name,
            AdminUnit.name,
            PaymentLine.programme,
            PaymentLine.group_code,
            PaymentLine.month_paid_for,
            PaymentLine.kind,
            PaymentLine.amount,
            PaymentLine.status,
            PaymentLine.failure_reason,
        )
        .join(Person, Person.id == PaymentLine.person_id)
        .join(AdminUnit, AdminUnit.id == PaymentLine.commune_id)
        .where(*conditions)
        .order_by(
            AdminUnit.name,
            Person.given_name_key,
            Person.name_key,
            PaymentLine.month_paid_for,
            PaymentLine.id,
        )
        .limit(per_page)
        .offset(offset)
    ).all()
    lines = [
        LineRow(
            row[0],
            row[1],
            row[2],
            row[3],
            str(row[4]),
            row[5],
            row[6],
            str(row[7]),
            int(row[8]),
            str(row[9]),
            row[10],
        )
        for row in rows
    ]
    return LinesPage(lines, int(matching), int(matching_total), page, per_page)


def _filtered_counts(summary: RunSummary, wanted: dict[str, Any]) -> dict[int, tuple[int, int]]:
    """Lines and sum per commune of the summary's groups that pass the page's filters."""
    counts: dict[int, tuple[int, int]] = {}
    for unit, programme, kind, status, n, amount in summary.groups:
        found = {"commune": unit, "programme": programme, "kind": kind, "status": status}
        if all(value is None or str(found[key]) == str(value) for key, value in wanted.items()):
            _add(counts, unit, n, amount)
    return counts


def _communes_holding(counts: dict[int, tuple[int, int]], lines: int) -> list[int] | None:
    """The first communes in the page order (by name, as the database sorts names) whose
    lines reach ``lines``, with every commune of the same name as the last one (their lines
    mix in the order); None when that takes them all."""
    if not counts:
        return None
    names = db.session.execute(
        select(AdminUnit.id, AdminUnit.name)
        .where(AdminUnit.id.in_(list(counts)))
        .order_by(AdminUnit.name, AdminUnit.id)
    ).all()
    holding: list[int] = []
    reached = 0
    last_name = None
    for unit, name in names:
        if reached >= lines and name != last_name:
            return holding
        holding.append(unit)
        reached += counts[unit][0]
        last_name = name
    return None


def run_communes(run: PaymentRun, summary: RunSummary | None = None) -> list[AdminUnit]:
    """The communes that have lines in ``run``, by name (the page's commune filter); taken
    from ``summary``'s groups when given rather than from the lines again."""
    if summary is not None:
        having = AdminUnit.id.in_(sorted({group[0] for group in summary.groups}))
    else:
        having = AdminUnit.id.in_(
            select(PaymentLine.commune_id).where(PaymentLine.run_id == run.id).distinct()
        )
    return list(
        db.session.scalars(select(AdminUnit).where(having).order_by(AdminUnit.name, AdminUnit.code))
    )


def run_files(run: PaymentRun) -> list[PaymentFile]:
    """The files exported from ``run``, oldest first."""
    return list(
        db.session.scalars(
            select(PaymentFile)
            .where(PaymentFile.run_id == run.id)
            .order_by(PaymentFile.created_at, PaymentFile.format, PaymentFile.bank_bin)
        )
    )


def run_file(run: PaymentRun, file_id: uuid.UUID) -> PaymentFile:
    """The exported file ``file_id`` of ``run``; NotFoundError if it belongs to another run."""
    stored = db.session.scalar(
        select(PaymentFile).where(PaymentFile.id == file_id, PaymentFile.run_id == run.id)
    )
    if stored is None:
        raise NotFoundError()
    return stored


@dataclass(frozen=True)
class Step:
    """Who last did something to a run (built it, locked it), and when."""

    by: str
    at: datetime


def run_steps(run: PaymentRun) -> dict[AuditAction, Step]:
    """The latest build and lock of ``run`` from its audit events: the officer's full name
    (or the operator command's name) and the time."""
    latest = (
        select(func.max(AuditEvent.id))
        .where(
            AuditEvent.subject_type == PaymentRun.__tablename__,
            AuditEvent.subject_id == str(run.id),
            AuditEvent.action.in_((AuditAction.RUN_BUILD, AuditAction.RUN_LOCK)),
        )
        .group_by(AuditEvent.action)
    )
    rows = db.session.execute(
        select(
            AuditEvent.action,
            case((User.id.is_(None), AuditEvent.actor_name), else_=User.full_name),
            AuditEvent.occurred_at,
        )
        .outerjoin(User, User.id == AuditEvent.actor_user_id)
        .where(AuditEvent.id.in_(latest))
    ).all()
    return {AuditAction(action): Step(by, at) for action, by, at in rows}
