"""Page latency for scripts/bench.py: gunicorn (4 workers) on the province, locust as the load.

gunicorn serves ``wsgi:app`` in production mode on the bench database with the bench's
keyring, on a free loopback port; locust runs headless in its own process with
benchlib/locustfile.py; the p50/p95 of each page come from locust's CSV statistics.
"""

from __future__ import annotations

import csv
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from benchlib.province import PASSWORD

ROOT = Path(__file__).absolute().parents[2]
BIN = Path(sys.executable).parent
PAGES = ("household list", "person page", "payment-run page")
#: Which accounts the simulated officers log in with: province-wide roles that read all three.
USERNAMES = ("bench_accountant", "bench_leader", "bench_auditor")
#: Lines per page of the payment-run page (payments/views/common.py PER_PAGE).
LINES_PER_PAGE = 50


def visit_plan(url: str, keyring: Path, run_id: str, out: Path, seed: int = 5) -> Path:
    """Write what the simulated officers visit: 2,000 random people, every commune with its
    number of household-list pages, the province's payment run and its number of pages."""
    from benchlib.beneficiaries import make_app
    from sqlalchemy import func, select

    from registry.extensions import db
    from registry.households.models import Household
    from registry.payments.models import PaymentLine
    from registry.people.models import Person

    with make_app(url, keyring).app_context():
        rng = random.Random(seed)
        # The first id after each of 2,000 random UUIDs: a sample through the primary key,
        # without reading a million ids or sorting them by random().
        people = []
        for _ in range(2000):
            pivot = uuid.UUID(int=rng.getrandbits(128))
            found = db.session.scalar(
                select(Person.id).where(Person.id > pivot).order_by(Person.id).limit(1)
            )
            if found is not None:
                people.append(str(found))
        communes = [
            {"id": commune_id, "pages": -(-count // 50)}
            for commune_id, count in db.session.execute(
                select(Household.commune_id, func.count()).group_by(Household.commune_id)
            )
        ]
        lines = db.session.scalar(
            select(func.count()).select_from(PaymentLine).where(PaymentLine.run_id == run_id)
        )
        db.session.remove()
        db.engine.dispose()
    plan = {
        "users": list(USERNAMES),
        "password": PASSWORD,
        "people": people,
        "communes": communes,
        "run_id": run_id,
        # The first twenty pages, as an accountant leafs through a list.
        "run_pages": max(1, min(20, -(-(lines or 0) // LINES_PER_PAGE))),
    }
    path = out / "pages-plan.json"
    path.write_text(json.dumps(plan))
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(base: str, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode} (see its log)")
        try:
            with urllib.request.urlopen(f"{base}/login", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer on {base} within {seconds:.0f} s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure_pages(
    url: str,
    keyring: Path,
    plan: Path,
    out: Path,
    *,
    users: int,
    seconds: int,
    wait: str,
    repeat: int,
) -> dict[str, Any]:
    """Start gunicorn, run locust ``repeat`` times for ``seconds`` each, stop gunicorn; the
    p50/p95 of each page per run (milliseconds, as locust rounds them)."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "REGISTRY_ENV": "production",
        "REGISTRY_SECRET_KEY": secrets.token_hex(32),
        "REGISTRY_DATABASE_URL": url,
        "REGISTRY_KEYRING": str(keyring),
        # Plain HTTP on loopback: a Secure cookie would never come back from locust.
        "REGISTRY_SESSION_COOKIE_SECURE": "0",
        "REGISTRY_EXPORT_DIR": str(out / "exports"),
        "REGISTRY_IMPORT_DIR": str(out / "imports"),
    }
    log = (out / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--chdir",
            str(ROOT),
            "wsgi:app",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    runs = []
    try:
        _wait_until_up(base, server)
        for rep in range(repeat):
            prefix = out / f"locust-{rep}"
            with (out / f"locust-{rep}.log").open("w") as locust_log:
                done = subprocess.run(
                    [
                        str(BIN / "locust"),
                        "-f",
                        str(Path(__file__).with_name("locustfile.py")),
                        "--headless",
                        "-u",
                        str(users),
                        "-r",
                        str(users),
                        "-t",  # a cap: the locustfile stops ``seconds`` after the log-ins
                        f"{seconds + 300}s",
                        "--host",
                        base,
                        "--csv",
                        str(prefix),
                        "--only-summary",
                        "--exit-code-on-error",
                        "0",
                    ],
                    env={
                        **os.environ,
                        "BENCH_PAGES_DATA": str(plan),
                        "BENCH_PAGES_WAIT": wait,
                        "BENCH_PAGES_USERS": str(users),
                        "BENCH_PAGES_SECONDS": str(seconds),
                    },
                    stdout=locust_log,
                    stderr=subprocess.STDOUT,
                    check=False,
                    timeout=seconds + 420,
                )
            if done.returncode != 0:
                raise SystemExit(f"locust failed (exit {done.returncode}); see {out}")
            runs.append(_read_stats(Path(f"{prefix}_stats.csv"), seconds))
    finally:
        _stop(server)
        log.close()
    return {
        "runs": runs,
        "gunicorn_workers": 4,
        "users": users,
        "seconds": seconds,
        "think_time_seconds": wait,
    }


def _read_stats(path: Path, seconds: int) -> dict[str, Any]:
    pages: dict[str, Any] = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            name = row["Name"]
            if name in PAGES or name == "Aggregated":
                pages[name] = {
                    "p50_ms": float(row["50%"]),
                    "p95_ms": float(row["95%"]),
                    "p99_ms": float(row["99%"]),
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "requests_per_second": round(float(row["Requests/s"]), 2),
                }
    missing = [p for p in PAGES if p not in pages]
    if missing:
        raise SystemExit(f"locust measured no {', '.join(missing)} in {seconds} s ({path})")
    return pages
