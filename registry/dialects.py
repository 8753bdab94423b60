"""Per-database settings, the only place that knows SQLite from PostgreSQL at connect time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler


def _sqlite_from_hint(_compiler: Any, _table: Any, text: str | None) -> str | None:
    """``Select.with_hint(Table, "INDEXED BY ix", "sqlite")`` as SQLite's own INDEXED BY.

    SQLAlchemy renders FROM hints only for dialects that define them; SQLite's planner has no
    statistics unless ANALYZE ran, and a few searches must name the index that serves them.
    """
    return text


SQLiteCompiler.get_from_hint_text = _sqlite_from_hint  # type: ignore[method-assign]


def configure_engine(engine: Engine) -> None:
    """SQLite: enforce foreign keys, WAL for concurrent readers, wait on locks, a larger page
    cache, and let SQLAlchemy emit BEGIN itself so savepoints work (pysqlite's own handling
    breaks them).
    """
    if engine.dialect.name != "sqlite" or getattr(engine, "_registry_configured", False):
        return
    engine._registry_configured = True  # type: ignore[attr-defined]

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        # 64 MB page cache (the default is 2 MB): a province-sized import or payment run
        # otherwise re-reads index pages from the OS on every batch. Allocated as used.
        cursor.execute("PRAGMA cache_size = -65536")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")
