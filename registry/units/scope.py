"""Administrative scope: which communes an actor may read and change."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, select, true

from registry.auth.actors import Actor
from registry.units.models import AdminUnit, UnitLevel


def units_under(unit_id: int) -> Select[tuple[int]]:
    """Ids of ``unit_id`` and every unit below it, as a recursive CTE (SQLite and PostgreSQL)."""
    tree = select(AdminUnit.id).where(AdminUnit.id == unit_id).cte("scope_tree", recursive=True)
    tree = tree.union_all(select(AdminUnit.id).where(AdminUnit.parent_id == tree.c.id))
    return select(tree.c.id)


def in_scope(column: ColumnElement[int], actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause keeping rows whose unit column lies inside the actor's scope.

    Enforced in every service query, so a hand-typed URL for another commune's record
    finds nothing (404) rather than being refused after loading it.
    """
    if actor.unit_id is None:
        return true()
    return column.in_(units_under(actor.unit_id))


def communes_in_scope(actor: Actor) -> Select[tuple[AdminUnit]]:
    """The commune-level units the actor covers, newest first then by name."""
    return (
        select(AdminUnit)
        .where(AdminUnit.level == UnitLevel.COMMUNE, in_scope(AdminUnit.id, actor))
        .order_by(AdminUnit.valid_to.is_not(None), AdminUnit.name)
    )
