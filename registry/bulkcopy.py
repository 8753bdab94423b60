"""Many rows at once on PostgreSQL: COPY in, and UPDATE … FROM rows copied to a temp table.

psycopg's executemany sends one INSERT or UPDATE per row; COPY sends them as one stream.
Used by the import writer and the audit trail's batch append; SQLite keeps executemany.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, MetaData, Table
from sqlalchemy.engine import Connection


def copyable(table: Any, rows: Sequence[dict[str, Any]]) -> bool:
    """Whether COPY writes exactly what insert() would: every row has the same keys, and
    no column left out has a Python-side default that insert() would fill in."""
    if not rows:
        return False
    keys = rows[0].keys()
    return all(c.default is None for c in table.columns if c.name not in keys) and all(
        row.keys() == keys for row in rows
    )


def copy_rows(connection: Connection, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """COPY ``rows`` into ``table``, each value through its column type's bind processing
    (enum values, ciphertext bytes, UTC timestamps, JSON), as insert() would send it."""
    names = list(rows[0])
    dialect = connection.dialect
    types = [table.c[name].type.dialect_impl(dialect) for name in names]
    processors = [kind.bind_processor(dialect) for kind in types]
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    pairs = list(zip(names, processors, strict=True))
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [
                    row[name] if row[name] is None or process is None else process(row[name])
                    for name, process in pairs
                ]
            )


def copy_update(
    connection: Connection, table: Any, key: str, rows: Sequence[dict[str, Any]]
) -> None:
    """One UPDATE … FROM a temporary table holding ``rows`` (COPY), with the columns'
    onupdate values (updated_at) as the ORM's update() would set them."""
    columns = [c for c in rows[0] if c != key]
    extra = {
        c.name: c.onupdate.arg(None) if c.onupdate.is_callable else c.onupdate.arg
        for c in table.columns
        if c.onupdate is not None and c.name not in rows[0] and c.name != key
    }
    full = [{**row, **extra} for row in rows]
    names = [key, *columns, *extra]
    quote = connection.dialect.identifier_preparer.quote
    temp = f"import_update_{table.name}"
    # The temporary table takes the columns' types from the table itself (no constraints).
    connection.exec_driver_sql(
        f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {', '.join(map(quote, names))} "
        f"FROM {table.name} WITH NO DATA"
    )
    temporary = Table(temp, MetaData(), *(Column(n, table.c[n].type) for n in names))
    copy_rows(connection, temporary, full)
    assignments = ", ".join(f"{quote(n)} = u.{quote(n)}" for n in names if n != key)
    connection.exec_driver_sql(
        f"UPDATE {table.name} SET {assignments} FROM {temp} u "
        f"WHERE {table.name}.{quote(key)} = u.{quote(key)}"
    )
    connection.exec_driver_sql(f"DROP TABLE {temp}")
