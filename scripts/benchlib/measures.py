"""The in-process measurements of scripts/bench.py: CCCD lookup, name search, eligibility, import.

Each runs inside one worker process (``bench.py --worker NAME``) against the generated
province, through the functions the app itself calls, and returns plain figures; timings are
``time.perf_counter_ns`` around each call. Nothing here asserts a target: bench.py compares.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from benchlib.beneficiaries import MONTH, TODAY
from benchlib.province import known_cccds, name_queries

#: Calls made before the timed ones, so that caches are warm as in a running server.
WARM_UP = 100


def percentiles(nanoseconds: list[int]) -> dict[str, float]:
    """p50, p95, p99 and max of a list of durations, in milliseconds."""
    ordered = sorted(nanoseconds)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] / 1e6, 3)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": at(1.0)}


def user_actor(username: str) -> Any:
    """The Actor of one of the bench's accounts (province.USERS), as a logged-in officer."""
    from sqlalchemy import select

    from registry.auth.models import User
    from registry.extensions import db

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise SystemExit(f"user {username} is missing: was the province set up by bench.py?")
    return user.as_actor()


def _timed(calls: list[Callable[[], Any]]) -> tuple[list[int], list[Any]]:
    """Run each call as one request would: timed, then its session closed (not timed)."""
    from registry.extensions import db

    times, results = [], []
    for call in calls:
        start = time.perf_counter_ns()
        results.append(call())
        times.append(time.perf_counter_ns() - start)
        db.session.remove()
    return times, results


def lookups(setup: dict[str, Any], *, count: int, repeat: int) -> dict[str, Any]:
    """``count`` lookups of known CCCDs per repetition through ``find_by_cccd`` as the people
    search page runs it: the blind index, the scope clause and the audited event, committed
    (the page commits the audit event before it answers)."""
    from registry.extensions import db, keys
    from registry.people.queries import find_by_cccd

    actor = user_actor("bench_labour")
    serials = setup["data"]["serials"]
    until_found: list[int] = []

    def lookup(number: str) -> Callable[[], Any]:
        def call() -> Any:
            start = time.perf_counter_ns()
            person = find_by_cccd(number, actor=actor, cipher=keys.cipher)
            until_found.append(time.perf_counter_ns() - start)
            db.session.commit()
            return person is not None

        return call

    _timed([lookup(n) for n in known_cccds(serials, WARM_UP, seed=99)])
    runs = []
    for rep in range(repeat):
        until_found.clear()
        numbers = known_cccds(serials, count, seed=1000 + rep)
        times, found = _timed([lookup(n) for n in numbers])
        runs.append(
            {
                **percentiles(times),
                "without_commit": percentiles(until_found),
                "lookups": len(numbers),
                "found": sum(found),
            }
        )
    return _summary(runs, ("p50_ms", "p95_ms", "p99_ms"))


def searches(setup: dict[str, Any], *, count: int) -> dict[str, Any]:
    """``count`` unaccented name prefixes through ``search_people`` for a province-wide
    officer (labour office), first page of 50 as the people search page asks (its total count
    included); then up to 200 for a commune officer.

    One sample, not one per repetition: the p99 of 1,000 searches is the figure, and on SQLite
    a province of a million people costs about a second a search (two scans of the people),
    so three samples would take most of an hour on a shared machine."""
    from registry.people.queries import search_people

    out = {}
    for scope, username, size in (
        ("province", "bench_labour", count),
        ("commune", "bench_commune", min(count, 200)),
    ):
        actor = user_actor(username)

        def search(query: str, actor: Any = actor) -> Callable[[], Any]:
            return lambda: search_people(actor=actor, query=query, page=1, per_page=50).total

        _timed([search(q) for q in name_queries(min(WARM_UP, size), seed=98)])
        queries = name_queries(size, seed=2000)
        durations, totals = _timed([search(q) for q in queries])
        out[scope] = {
            **percentiles(durations),
            "searches": len(queries),
            "matches_median": statistics.median(totals),
            "matches_max": max(totals),
        }
    return out


def eligibility(setup: dict[str, Any], *, repeat: int) -> dict[str, Any]:
    """The whole province for one month through ``evaluate_scope`` (what ``flask entitlements
    evaluate`` runs: everyone alive that month, read as columns and counted by signature, the
    engine once per distinct signature), end to end; then one pass split into reading (the
    queries alone), grouping (people into signatures) and the engine; then the per-person
    path with explanations (``by_columns=False``) over a sample of the province, for
    comparison (a whole province that way takes minutes)."""
    from registry.eligibility.engine import load_law
    from registry.entitlements.services import evaluate_scope
    from registry.extensions import db

    actor, law = user_actor("bench_labour"), load_law()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        summary = evaluate_scope(MONTH, actor=actor, law=law)
        seconds = time.perf_counter() - start
        db.session.remove()
        runs.append(
            {
                "seconds": round(seconds, 2),
                "person_months": summary.people_evaluated,
                "person_months_per_second": round(summary.people_evaluated / seconds),
                "people_entitled": summary.people_entitled,
                "monthly_total_vnd": summary.total,
            }
        )
    result = _summary(runs, ("seconds", "person_months_per_second"))
    result["breakdown"] = _eligibility_split(actor, law)
    result["explained_sample"] = _eligibility_explained(actor, law)
    return result


def _eligibility_split(actor: Any, law: Any) -> dict[str, Any]:
    """One column pass timed in parts: the queries alone (rows read and dropped), then
    reading with grouping (``count_signatures``; grouping = the difference), then the engine
    once per signature without explanations."""
    from registry.eligibility.engine import evaluate
    from registry.entitlements.columns import count_signatures, signature_queries
    from registry.entitlements.services import scope_communes
    from registry.extensions import db

    communes = scope_communes(actor)
    queries = signature_queries(communes, MONTH)
    connection = db.session.connection()
    start = time.perf_counter()
    rows = sum(1 for query in queries for _ in connection.execute(query))
    reading = time.perf_counter() - start
    start = time.perf_counter()
    signatures = count_signatures(communes, MONTH, law)
    read_and_grouped = time.perf_counter() - start
    start = time.perf_counter()
    for signature in signatures.counts:
        evaluate(signatures.facts(signature), MONTH, law=law, explain=False)
    engine = time.perf_counter() - start
    db.session.remove()
    people = signatures.people
    return {
        "person_months": people,
        "rows_read": rows,
        "reading_seconds": round(reading, 2),
        "grouping_seconds": round(max(read_and_grouped - reading, 0), 2),
        "engine_seconds": round(engine, 3),
        "distinct_signatures": len(signatures.counts),
        "engine_calls_per_second": round(len(signatures.counts) / (engine or 1e-9)),
        "person_months_per_second_read_group_engine": round(
            people / ((read_and_grouped + engine) or 1e-9)
        ),
    }


#: The explained comparison reads the people whose id starts with "00": 1/256 of them.
EXPLAINED_SAMPLE_BELOW = "01000000-0000-0000-0000-000000000000"


def _eligibility_explained(actor: Any, law: Any) -> dict[str, Any]:
    """The per-person path (facts read per batch of people, the engine per person with
    explanations) over a 1/256 sample of the province, reading included."""
    import uuid

    from sqlalchemy import select

    from registry.eligibility.engine import evaluate
    from registry.entitlements.columns import scope_filter
    from registry.entitlements.facts import facts_by_person_id
    from registry.entitlements.services import scope_communes
    from registry.extensions import db
    from registry.people.models import Person

    communes = [c for c, _ in scope_communes(actor)]
    sample = select(Person).where(
        *scope_filter(communes, MONTH), Person.id < uuid.UUID(EXPLAINED_SAMPLE_BELOW)
    )
    people = 0
    start = time.perf_counter()
    for _, facts in facts_by_person_id(sample, MONTH):
        evaluate(facts, MONTH, law=law)
        people += 1
    seconds = time.perf_counter() - start
    db.session.remove()
    return {
        "person_months": people,
        "seconds": round(seconds, 2),
        "person_months_per_second": round(people / (seconds or 1e-9)),
    }


def imports(setup: dict[str, Any], *, rows: int, repeat: int) -> dict[str, Any]:
    """``rows`` new rows (bench_import's commune lists: ~3 people per household, CCCDs, bank
    accounts, merit and poverty columns) read from CSV and imported with ``import_people`` as
    a labour officer into the province, then committed; each repetition's rows are removed
    again afterwards (not timed), so every repetition imports into the same province."""
    import bench_import
    from sqlalchemy import func, select

    from registry.audit.models import AuditEvent
    from registry.extensions import db, keys
    from registry.imports.columns import KEYS
    from registry.imports.reading import read_sheet
    from registry.imports.services import import_people

    actor = user_actor("bench_labour")
    made = bench_import.generate(rows)
    # Another province's code (001, Hà Nội) keeps the new CCCDs apart from the province's
    # own 046 numbers, so every row is new rather than an update of someone registered.
    cccd = KEYS.index("cccd")
    for row in made:
        if row[cccd]:
            row[cccd] = "001" + row[cccd][3:]
    data = bench_import.to_csv(made)
    runs = []
    for _ in range(repeat):
        before = db.session.scalar(select(func.max(AuditEvent.id))) or 0
        db.session.remove()
        start = time.perf_counter()
        sheet = read_sheet(data, "bench.csv")
        report = import_people(
            sheet, actor=actor, today=TODAY, cipher=keys.cipher, source="bench.csv"
        )
        db.session.commit()
        seconds = time.perf_counter() - start
        if not report.written:
            raise SystemExit(f"the import wrote nothing: {report.problems[:5]}")
        runs.append(
            {
                "seconds": round(seconds, 2),
                "rows": len(made),
                "rows_per_second": round(len(made) / seconds),
                "created": report.created,
                "households_created": report.households_created,
                "suspected_duplicates": len(report.suspected_duplicates),
            }
        )
        _remove_import(before)
    return _summary(runs, ("seconds", "rows_per_second"))


def _remove_import(last_event: int) -> None:
    """Delete what an import added: bench_import's households are coded ``<commune>-B…``,
    which the province's ``B<commune>-…`` never are; the audit events after ``last_event``
    are the chain's tail, so what remains of it still verifies."""
    from sqlalchemy import text

    from registry.extensions import db

    households = "SELECT id FROM households WHERE code LIKE '%-B%'"
    people = f"SELECT id FROM people WHERE household_id IN ({households})"
    for statement in (
        # Deleting a person checks households.head_id, and deleting a household the
        # people's (household_id, commune_id) foreign key, neither of them indexed as such
        # (the app never deletes either): without these each deleted row would scan the
        # whole table (on SQLite, hours for an import of 100,000).
        "CREATE INDEX bench_households_head ON households (head_id)",
        "CREATE INDEX bench_people_household ON people (household_id, commune_id)",
        f"DELETE FROM payment_accounts WHERE person_id IN ({people})",
        f"DELETE FROM circumstances WHERE person_id IN ({people})",
        f"DELETE FROM merit_records WHERE person_id IN ({people})",
        f"DELETE FROM household_poverty_statuses WHERE household_id IN ({households})",
        "UPDATE households SET head_id = NULL WHERE code LIKE '%-B%'",
        f"DELETE FROM people WHERE household_id IN ({households})",
        "DELETE FROM households WHERE code LIKE '%-B%'",
        f"DELETE FROM audit_events WHERE id > {int(last_event)}",
        "DROP INDEX bench_households_head",
        "DROP INDEX bench_people_household",
    ):
        db.session.execute(text(statement))
    db.session.commit()
    db.session.remove()


def _summary(runs: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, Any]:
    """The median of each figure in ``keys`` over the repetitions, and every repetition."""
    return {
        **{key: round(statistics.median(r[key] for r in runs), 3) for key in keys},
        "repeat": len(runs),
        "each": runs,
    }
