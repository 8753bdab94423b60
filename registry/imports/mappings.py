"""Column mappings remembered per commune and kind of list: suggest one for a file's headers,
check it, save it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.db import utcnow
from registry.errors import Problem, ValidationError
from registry.extensions import db
from registry.i18n import N_
from registry.imports.columns import header_key
from registry.imports.kinds import PEOPLE, ImportKind
from registry.imports.models import ImportMapping
from registry.units.models import AdminUnit


def _saved(commune_id: int, kind: ImportKind) -> ImportMapping | None:
    return db.session.scalar(
        select(ImportMapping).where(
            ImportMapping.commune_id == commune_id, ImportMapping.kind == kind.key
        )
    )


def remembered_mapping(commune_id: int, kind: ImportKind = PEOPLE) -> dict[str, str | None]:
    """The mapping last saved for the commune's lists of ``kind`` (their header → our key or
    None), or {}."""
    saved = _saved(commune_id, kind)
    return dict(saved.mapping) if saved is not None else {}


def suggest(
    headers: Sequence[str], remembered: Mapping[str, str | None], kind: ImportKind = PEOPLE
) -> list[str | None]:
    """For each header: the commune's remembered choice, else the column we recognise, else
    None (ignored). Headers are compared as reading compares them (accents, case, spaces)."""
    known = kind.columns
    by_key = {header_key(theirs): ours for theirs, ours in remembered.items()}
    suggested: list[str | None] = []
    for header in headers:
        folded = header_key(header)
        if not folded:
            suggested.append(None)
        elif folded in by_key:
            suggested.append(by_key[folded] if by_key[folded] in known.by_key else None)
        else:
            suggested.append(known.match_header(header))
    return suggested


def mapping_problems(
    headers: Sequence[str], chosen: Sequence[str | None], kind: ImportKind = PEOPLE
) -> list[Problem]:
    """Every problem of a mapping of ``headers`` (by position) to ``chosen`` keys of ``kind``'s
    columns: an unknown key, a key chosen twice, one header given two keys, a required column
    missing."""
    by_key = kind.columns.by_key
    problems = []
    first: dict[str, int] = {}
    by_header: dict[str, str | None] = {}
    for index, (header, key) in enumerate(zip(headers, chosen, strict=True)):
        if key is not None and key not in by_key:
            problems.append(Problem(f"col-{index}", N_("Choose one of the options.")))
            continue
        folded = header_key(header)
        if folded in by_header and by_header[folded] != key:
            problems.append(
                Problem(
                    f"col-{index}",
                    N_("Two columns are headed “%(header)s”: give them the same choice."),
                    {"header": header},
                )
            )
        by_header.setdefault(folded, key)
        if key is None:
            continue
        if key in first and header_key(headers[first[key]]) != folded:
            problems.append(
                Problem(
                    f"col-{index}",
                    N_("“%(column)s” is already chosen for the column “%(other)s”."),
                    {"column": by_key[key].header, "other": headers[first[key]]},
                )
            )
        first.setdefault(key, index)
    for column in kind.columns.columns:
        if column.required and column.key not in first:
            problems.append(
                Problem(
                    None,
                    N_("No column is mapped to “%(header)s”, which is required."),
                    {"header": column.header},
                )
            )
    return problems


def save_mapping(
    commune: AdminUnit,
    headers: Sequence[str],
    chosen: Sequence[str | None],
    *,
    actor: Actor,
    kind: ImportKind = PEOPLE,
) -> dict[str, str | None]:
    """Remember how this commune's files of ``kind`` name our columns, and return the mapping
    to read with.

    Headers of earlier files the new one lacks stay remembered (a commune may send two
    layouts). Blank headers cannot be mapped and are left out. Raises ValidationError with
    every problem, PermissionDeniedError. Flushes and audits; the caller commits.
    """
    actor.require(Permission.PERSON_WRITE)
    actor.require(kind.permission)
    problems = mapping_problems(headers, chosen, kind)
    if problems:
        raise ValidationError(problems)
    mapping = {h: k for h, k in zip(headers, chosen, strict=True) if header_key(h)}
    saved = _saved(commune.id, kind)
    if saved is None:
        saved = ImportMapping(commune_id=commune.id, kind=kind.key, mapping={})
        db.session.add(saved)
    given = {header_key(h) for h in mapping}
    kept = {h: k for h, k in (saved.mapping or {}).items() if header_key(h) not in given}
    saved.mapping = {**kept, **mapping}
    saved.updated_by_id = actor.user_id
    saved.updated_at = utcnow()
    db.session.flush()
    record_event(
        AuditAction.IMPORT_MAPPING_SAVE,
        actor=actor,
        subject_type="import_mappings",
        subject=saved.id,
        unit_id=commune.id,
        details={
            "commune": commune.code,
            "kind": kind.key,
            "columns": sum(1 for k in mapping.values() if k),
        },
    )
    return mapping
