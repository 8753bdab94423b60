"""Benchmark: one month's payment run over N approved decisions (build, lock, pain.001, bank XLSX).

Usage:
    .venv/bin/python scripts/bench_payments.py [--decisions 1000000] [--repeat 3]
        [--database sqlite:////tmp/bench.db | postgresql+psycopg://user@host:port/maintenance_db]
        [--keep DIR]

``--keep DIR`` keeps the generated data for later runs: the keyring, the SQLite file (or, on
PostgreSQL, the database ``bench_payments_keep_<decisions>``, not dropped) and the setup's
figures stay in DIR; a later run with the same DIR and ``--decisions`` skips the setup
(``setup_seconds`` is then 0) and starts from ``reset``. Delete DIR (and drop the database)
to start over.

Setup (not timed in the total): a fresh database (a temp SQLite file by default; on a
PostgreSQL server, a new database ``bench_payments_<pid>`` created next to the one named and
dropped at the end), migrated, with the Huế units and synthetic households, people,
circumstances, poverty reviews, merit records, payment accounts and approved decisions,
written with set-based inserts (COPY on PostgreSQL, executemany on SQLite) but through the
real cipher (AES-GCM CCCDs and account numbers bound to their rows, HMAC blind indexes), so
the services read and decrypt them as they would real data. Each decision's group is the one
the law engine pays for its person that month. The mix: social pension and social-assistance
groups mostly, some merit; about 70 % bank accounts over five NAPAS banks, the rest cash at
the post office; 2 % of decisions back-dated and paid by a previous month's run in which some
payments failed (carried into this run), 1 % back-dated and never paid (arrears), a few
beneficiaries who died last month (funeral support).

Measured: each repetition runs in a fresh worker process (``--worker``): build + commit,
lock + commit, export pain.001 + commit, export the bank XLSX + commit, each phase timed with
``time.perf_counter``. Peak memory is the worker's ``resource.getrusage(RUSAGE_SELF).ru_maxrss``
(the peak resident set of the process doing the work, interpreter and imports included; the
PostgreSQL server's own memory is not in it). Between repetitions the run is deleted and the
carried lines put back. Prints one JSON object with medians; never asserts.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).absolute().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "scripts"))

# The generator lives in benchlib so that scripts/bench.py builds its province from it; its
# names stay importable from here (tests/payments/test_kill_export.py uses them).
from benchlib.beneficiaries import (  # noqa: E402, F401
    BANKS,
    MONTH,
    PREVIOUS,
    PROFILES,
    TODAY,
    UNIT,
    Generator,
    generate,
    insert_rows,
    make_app,
)
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

#: The phases the total counts.
MEASURED = ("build", "lock", "export_pain001", "export_bank-xlsx")


# --- the measured worker --------------------------------------------------------------------


def worker(url: str, keyring: Path, out_dir: Path, post_office: bool = False) -> dict[str, Any]:
    """One measured repetition, in this (fresh) process."""
    from sqlalchemy import func, select

    from registry.auth.actors import Actor
    from registry.eligibility.engine import load_law
    from registry.extensions import db, keys
    from registry.payments.exporting import Payer, export_run
    from registry.payments.models import PaymentLine
    from registry.payments.services import build_run, lock_run, run_totals
    from registry.people.models import PaymentAccount, PaymentChannel
    from registry.units.services import find_unit

    app = make_app(url, keyring)
    phases: dict[str, float] = {}
    rss: dict[str, float] = {}
    payer = Payer(name="PHONG VAN HOA XA HOI", account="3761000123456", bank_bin="970405")

    @contextlib.contextmanager
    def phase(name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        db.session.commit()
        phases[name] = round(time.perf_counter() - start, 3)
        rss[name] = _peak_mb()

    with app.app_context():
        actor, law = Actor.system("bench"), load_law()
        unit = find_unit(UNIT, on=TODAY)
        with phase("build"):
            run = build_run(MONTH, unit=unit, actor=actor, today=TODAY, law=law)
        with phase("lock"):
            lock_run(run, actor=actor)
        files = {}
        for fmt in ("pain001", "bank-xlsx", *(("post-xlsx",) if post_office else ())):
            with phase(f"export_{fmt}"):
                stored, path = export_run(
                    run, fmt=fmt, out_dir=out_dir, payer=payer, actor=actor, cipher=keys.cipher
                )
            files[fmt] = {
                "lines": stored.line_count,
                "total": stored.total,
                "sha256": stored.sha256,
                "bytes": path.stat().st_size,
            }
        count, total = run_totals(run)
        active = PaymentAccount
        transfers = db.session.execute(
            select(func.count(), func.coalesce(func.sum(PaymentLine.amount), 0))
            .select_from(PaymentLine)
            .join(active, (active.person_id == PaymentLine.person_id) & active.is_active)
            .where(
                PaymentLine.run_id == run.id,
                active.channel.in_((PaymentChannel.BANK, PaymentChannel.EWALLET)),
            )
        ).one()
    return {
        "phases": phases,
        "peak_rss_mb_after_phase": rss,
        "peak_rss_mb": _peak_mb(),
        "run": {"lines": count, "total": total},
        "transfer_lines": {"lines": int(transfers[0]), "total": int(transfers[1])},
        "cpu_seconds": round(time.process_time(), 3),
        "files": files,
    }


def _peak_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def reset(url: str, keyring: Path) -> None:
    """Put the database back as before the measured run: no run of MONTH. (Failed lines of
    the previous run never left it: the build carries them as new lines.)"""
    from sqlalchemy import delete, select

    from registry.extensions import db
    from registry.payments.models import PaymentFile, PaymentLine, PaymentRun

    with make_app(url, keyring).app_context():
        runs = {r.month: r.id for r in db.session.scalars(select(PaymentRun))}
        if MONTH in runs:
            db.session.execute(delete(PaymentLine).where(PaymentLine.run_id == runs[MONTH]))
            db.session.execute(delete(PaymentFile).where(PaymentFile.run_id == runs[MONTH]))
            db.session.execute(delete(PaymentRun).where(PaymentRun.id == runs[MONTH]))
        db.session.commit()


@contextlib.contextmanager
def database(url: str | None, tmp: Path, keep: str | None = None) -> Iterator[str]:
    """The benchmark's own database: a SQLite file in ``tmp``, or a new PostgreSQL database
    (named ``keep`` and left in place when given, created only if missing)."""
    if not url:
        yield f"sqlite:///{tmp / ((keep or 'bench') + '.db')}"
        return
    parsed = make_url(url)
    if not parsed.get_backend_name().startswith("postgresql"):
        yield url
        return
    name = keep or f"bench_payments_{os.getpid()}"
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not exists:
            conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    if keep:
        yield parsed.set(database=name).render_as_string(hide_password=False)
        admin.dispose()
        return
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def set_up(url: str, keyring: Path, decisions: int) -> tuple[dict[str, int], str]:
    """Migrate, load the units and generate the data; returns its figures and the dialect."""
    from flask_migrate import upgrade

    from registry.auth.actors import Actor
    from registry.extensions import db
    from registry.units.cli import BUNDLED
    from registry.units.services import load_units

    with make_app(url, keyring).app_context():
        upgrade()
        load_units(
            (BUNDLED / "46-hue.csv").read_text(encoding="utf-8"),
            source="46-hue.csv",
            actor=Actor.system("bench setup"),
        )
        db.session.commit()
        data = generate(decisions)
        dialect = db.engine.dialect.name
        db.session.remove()
        db.engine.dispose()
    return data, dialect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (default: temp SQLite)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="measured runs (0 with --keep: set up only)"
    )
    parser.add_argument(
        "--post-office",
        action="store_true",
        help="also export the post office's cash list (timed, but not in the total)",
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        default=None,
        help="keep the generated data in DIR and reuse it on later runs (see the docstring)",
    )
    parser.add_argument(
        "--worker", nargs=3, metavar=("URL", "KEYRING", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.worker:
        url, keyring, out = args.worker
        print(json.dumps(worker(url, Path(keyring), Path(out), args.post_office)))
        return
    from registry.identity.keyring import Keyring, write_keyring_file

    if args.keep:
        tmp = Path(args.keep).absolute()
        tmp.mkdir(parents=True, exist_ok=True)
    else:
        tmp = Path(tempfile.mkdtemp(prefix="bench-payments-"))
    keyring = tmp / "keyring.json"
    saved = tmp / f"setup-{args.decisions}.json"
    reuse = args.keep is not None and saved.exists() and keyring.exists()
    if not keyring.exists():
        write_keyring_file(Keyring.generate(), str(keyring))
    keep_name = f"bench_payments_keep_{args.decisions}" if args.keep else None
    try:
        with database(args.database, tmp, keep_name) as url:
            start = time.perf_counter()
            if reuse:
                kept = json.loads(saved.read_text())
                data, dialect = kept["data"], kept["dialect"]
            else:
                data, dialect = set_up(url, keyring, args.decisions)
                if args.keep:
                    saved.write_text(json.dumps({"data": data, "dialect": dialect}))
            setup = 0.0 if reuse else time.perf_counter() - start
            runs = []
            for _ in range(args.repeat):
                reset(url, keyring)
                out = tmp / "out"
                shutil.rmtree(out, ignore_errors=True)
                extra = ["--post-office"] if args.post_office else []
                done = subprocess.run(
                    [sys.executable, __file__, "--worker", url, str(keyring), str(out), *extra],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode != 0:
                    sys.stderr.write(done.stderr)
                    raise SystemExit(f"the measured worker failed (exit {done.returncode})")
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if not runs:  # --repeat 0 with --keep: the data only, for later runs
        print(json.dumps({"database": dialect, "data": data, "setup_seconds": round(setup, 1)}))
        return
    names = list(runs[0]["phases"])
    median = {n: round(statistics.median(r["phases"][n] for r in runs), 3) for n in names}
    # The measured total: build, lock, pain.001 and bank XLSX (not the optional cash list).
    totals = [sum(t for n, t in r["phases"].items() if n in MEASURED) for r in runs]
    print(
        json.dumps(
            {
                "database": dialect,
                "data": {**data, "month": MONTH.isoformat()},
                "setup_seconds": round(setup, 1),
                "repeat": args.repeat,
                "seconds_median": median,
                "total_seconds_median": round(statistics.median(totals), 3),
                "total_seconds_each": [round(t, 3) for t in totals],
                "total_counts": list(MEASURED),
                "peak_rss_mb_median": statistics.median(r["peak_rss_mb"] for r in runs),
                "peak_rss_mb_each": [r["peak_rss_mb"] for r in runs],
                "peak_rss_measured": "worker process, resource.getrusage(RUSAGE_SELF).ru_maxrss",
                "run": runs[-1]["run"],
                "transfer_lines": runs[-1]["transfer_lines"],
                "files": runs[-1]["files"],
                "peak_rss_mb_after_phase": runs[-1]["peak_rss_mb_after_phase"],
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
