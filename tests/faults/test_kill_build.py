"""A payment build killed mid-way saves nothing (or leaves the previous draft as it was), and
building again gives exactly the lines of an undisturbed build, none twice.

The build inserts its lines page by page in one transaction; the pause point
``build-insert`` stops it after the first page is inserted and before the commit.
"""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from registry.extensions import db
from registry.payments.models import PaymentLine, PaymentRun
from tests.faults.conftest import Registry

MONTH = "2026-11"


def _lines(registry: Registry) -> tuple[int, set[tuple], set]:
    """(runs, lines as (decision, month, kind, amount), line ids) as the database holds them."""
    with registry.app():
        runs = db.session.scalar(select(func.count()).select_from(PaymentRun))
        rows = db.session.execute(
            select(
                PaymentLine.id,
                PaymentLine.decision_id,
                PaymentLine.month_paid_for,
                PaymentLine.kind,
                PaymentLine.amount,
            )
        ).all()
    keys = [(r.decision_id, r.month_paid_for, str(r.kind), r.amount) for r in rows]
    assert len(keys) == len({k[:3] for k in keys}), "a (decision, month, kind) is paid twice"
    return runs, set(keys), {r.id for r in rows}


def _build(registry: Registry) -> dict:
    return json.loads(registry.run("payments", "build", "--month", MONTH, "--json").stdout)


def test_a_killed_build_saves_nothing_and_the_rerun_builds_every_line_once(
    registry: Registry, clean_registry: Registry
):
    clean = _build(clean_registry)
    _, expected, _ = _lines(clean_registry)
    assert clean["lines"] == len(expected) > 0

    registry.start("payments", "build", "--month", MONTH, pause="build-insert").kill()
    assert _lines(registry)[:2] == (0, set())
    registry.integrity()

    built = _build(registry)
    assert (built["lines"], built["total"]) == (clean["lines"], clean["total"])
    assert _lines(registry)[:2] == (1, expected)


def test_a_killed_rebuild_leaves_the_previous_draft_as_it_was(registry: Registry):
    first = _build(registry)
    runs, lines, ids = _lines(registry)
    assert runs == 1 and len(lines) == first["lines"] > 0

    # The rebuild deletes the draft's lines and inserts new ones: killed in between.
    registry.start("payments", "build", "--month", MONTH, pause="build-insert").kill()
    assert _lines(registry) == (1, lines, ids)
    registry.integrity()

    again = _build(registry)
    assert again["id"] == first["id"] and again["lines"] == first["lines"]
    after = _lines(registry)
    assert after[:2] == (1, lines) and not after[2] & ids  # rebuilt: new lines, same payments


@pytest.mark.postgres
@pytest.mark.parametrize("first", ["finishes", "is killed"])
def test_two_builds_of_one_month_at_once_make_one_list_and_the_loser_says_so(
    registry: Registry, first: str
):
    """Two processes on PostgreSQL: the second waits on the first's uncommitted list.
    tests/payments/test_concurrency.py races two threads through the service; here the real
    commands are interleaved at a known point, and the loser's message is checked."""
    if not registry.url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: runs when REGISTRY_TEST_DATABASE_URL names PostgreSQL")
    winner = registry.start("payments", "build", "--month", MONTH, "--json", pause="build-insert")
    second = registry.spawn("payments", "build", "--month", MONTH, "--json")
    _wait_for_lock(registry)
    if first == "finishes":
        done, lost = winner.resume(), second.finish()
        assert done.returncode == 0, done.stderr
        assert lost.returncode == 1
        assert "Another build of the payment list of 11/2026 ran at the same time" in lost.stderr
    else:
        winner.kill()
        done = second.finish()
        assert done.returncode == 0, done.stderr
    built = json.loads(done.stdout)
    runs, lines, _ = _lines(registry)
    assert runs == 1 and len(lines) == built["lines"] > 0
    assert sum(line[3] for line in lines) == built["total"]


def test_on_sqlite_a_second_build_while_one_is_writing_says_so_and_saves_nothing(
    registry: Registry,
):
    """SQLite has one writer: a build started while another holds the database is refused
    with a message (not a traceback), and the first one's list is the only one."""
    if registry.url.startswith("postgresql"):
        pytest.skip("SQLite only: PostgreSQL lets the second build wait (test above)")
    winner = registry.start("payments", "build", "--month", MONTH, "--json", pause="build-insert")
    lost = registry.spawn("payments", "build", "--month", MONTH, "--json").finish()
    assert lost.returncode == 1
    assert "Traceback" not in lost.stderr
    said = ("Another change is being saved", "Một thay đổi khác đang được lưu")
    assert any(text in lost.stderr for text in said), lost.stderr
    done = winner.resume()
    assert done.returncode == 0, done.stderr
    built = json.loads(done.stdout)
    runs, lines, _ = _lines(registry)
    assert runs == 1 and len(lines) == built["lines"] > 0


def _wait_for_lock(registry: Registry) -> None:
    """Until the second build waits for a lock the first holds (its list's unique key)."""
    database = make_url(registry.url).database
    engine = create_engine(registry.url)
    try:
        deadline = time.monotonic() + 60
        with engine.connect() as connection:
            while not connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = :name AND wait_event_type = 'Lock'"
                ),
                {"name": database},
            ):
                assert time.monotonic() < deadline, "the second build never waited"
                connection.rollback()
                time.sleep(0.05)
    finally:
        engine.dispose()
