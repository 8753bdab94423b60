"""What scripts/bench.py reports besides timings: the machine, the data sizes, targets met."""

from __future__ import annotations

import os
import platform
import sqlite3
from pathlib import Path
from typing import Any


def machine() -> dict[str, Any]:
    """Cores, memory, CPU model, Python and SQLite versions, and the load when measured
    (the machine is shared: a load average above the cores means the figures are slower)."""
    cpu = ""
    with Path("/proc/cpuinfo").open() as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_kb = 0
    with Path("/proc/meminfo").open() as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(memory_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }


def data_sizes(url: str, keyring: Path) -> dict[str, Any]:
    """Counts of what the province holds (every table the measurements read), and the size
    of the database on disk; plus the PostgreSQL server version when it is one."""
    from benchlib.beneficiaries import make_app
    from sqlalchemy import text

    from registry.extensions import db

    queries = {
        "people": "SELECT count(*) FROM people",
        "people_with_cccd": "SELECT count(*) FROM people WHERE cccd_index IS NOT NULL",
        "people_dead": "SELECT count(*) FROM people WHERE death_on IS NOT NULL",
        "people_60_and_over": "SELECT count(*) FROM people WHERE birth_year <= 1966",
        "children_under_16": "SELECT count(*) FROM people WHERE birth_year >= 2011",
        "households": "SELECT count(*) FROM households",
        "communes_with_households": "SELECT count(DISTINCT commune_id) FROM households",
        "beneficiaries": "SELECT count(DISTINCT person_id) FROM benefit_decisions",
        "decisions": "SELECT count(*) FROM benefit_decisions",
        "merit_records": "SELECT count(*) FROM merit_records",
        "payment_lines": "SELECT count(*) FROM payment_lines",
        "audit_events": "SELECT count(*) FROM audit_events",
    }
    grouped = {
        "decisions_by_programme": "SELECT programme, count(*) FROM benefit_decisions GROUP BY 1",
        "circumstances_by_kind": "SELECT kind, count(*) FROM circumstances GROUP BY 1",
        "poverty_reviews_by_status": (
            "SELECT status, count(*) FROM household_poverty_statuses GROUP BY 1"
        ),
        "payment_accounts_by_channel": "SELECT channel, count(*) FROM payment_accounts GROUP BY 1",
    }
    with make_app(url, keyring).app_context():
        connection = db.session.connection()
        sizes: dict[str, Any] = {
            key: connection.execute(text(query)).scalar() for key, query in queries.items()
        }
        for key, query in grouped.items():
            sizes[key] = {str(k): n for k, n in connection.execute(text(query))}
        if connection.dialect.name == "postgresql":
            sizes["database_mb"] = round(
                connection.execute(text("SELECT pg_database_size(current_database())")).scalar()
                / 1e6
            )
            sizes["postgresql"] = connection.execute(text("SHOW server_version")).scalar()
        else:
            path = Path(db.engine.url.database or "")
            sizes["database_mb"] = round(path.stat().st_size / 1e6) if path.exists() else None
        db.session.remove()
        db.engine.dispose()
    return sizes


def judged(result: dict[str, Any], target: str, met: bool) -> dict[str, Any]:
    """A measurement with its target and whether it was met; a miss gets an empty ``reason``
    for the person who reads the figures to explain."""
    out = {**result, "target": target, "met": bool(met)}
    if not met:
        out["reason"] = None
    return out
