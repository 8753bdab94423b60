"""Keyset pagination: an opaque cursor naming the last row seen, and the WHERE that follows it."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, or_

from registry.errors import Problem, ValidationError
from registry.extensions import db
from registry.i18n import N_

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

BAD_CURSOR = N_("This page cursor is not valid; start again from the first page.")

_PARSERS: dict[type, Callable[[str], Any]] = {
    str: str,
    uuid.UUID: uuid.UUID,
    date: date.fromisoformat,
    datetime: datetime.fromisoformat,
}


def encode_cursor(values: Sequence[Any]) -> str:
    """The cursor of a row: its sort key as JSON, base64url without padding."""
    text = json.dumps([v.isoformat() if hasattr(v, "isoformat") else str(v) for v in values])
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, types: Sequence[type]) -> tuple[Any, ...]:
    """The sort key a cursor names, typed; ValidationError (a 422) for anything malformed."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw.decode("utf-8"))
        if not isinstance(values, list) or len(values) != len(types):
            raise ValueError(cursor)
        parsed = tuple(_PARSERS[kind](value) for kind, value in zip(types, values, strict=True))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _bad_cursor() from None
    if any(isinstance(v, str) and ("\x00" in v or len(v) > 400) for v in parsed):
        raise _bad_cursor()
    if any(isinstance(v, datetime) and v.tzinfo is None for v in parsed):
        raise _bad_cursor()
    return parsed


def _bad_cursor() -> ValidationError:
    return ValidationError([Problem("after", BAD_CURSOR)])


def after(columns: Sequence[ColumnElement[Any]], key: Sequence[Any], *, descending: bool = False):
    """Rows strictly after ``key`` in the order of ``columns`` (all ascending or all
    descending), written out term by term so every value is bound with its column's type on
    SQLite and PostgreSQL alike.
    """
    terms = []
    for i, column in enumerate(columns):
        equal = [c == v for c, v in zip(columns[:i], key[:i], strict=True)]
        beyond = column < key[i] if descending else column > key[i]
        terms.append(and_(*equal, beyond))
    return or_(*terms)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of rows and the cursor of the next page (None on the last one)."""

    items: list[T]
    next: str | None


def keyset_page(
    stmt: Select[Any],
    *,
    columns: Sequence[ColumnElement[Any]],
    cursor: str | None,
    types: Sequence[type],
    limit: int,
    key: Callable[[Any], Sequence[Any]],
    descending: bool = False,
    scalars: bool = True,
) -> Page[Any]:
    """Run ``stmt`` ordered by ``columns`` from the row after ``cursor``, ``limit`` rows.

    One more row than asked is read to know whether a next page exists. ``key`` gives a
    returned row's sort key, which becomes the next cursor.
    """
    if cursor:
        stmt = stmt.where(after(columns, decode_cursor(cursor, types), descending=descending))
    order = [c.desc() for c in columns] if descending else list(columns)
    stmt = stmt.order_by(*order).limit(limit + 1)
    result = db.session.execute(stmt)
    rows = list(result.scalars().unique() if scalars else result.all())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(key(rows[-1])) if more and rows else None)
