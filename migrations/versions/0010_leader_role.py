"""The leader role (lãnh đạo): reads records, payment lists and reports, changes nothing.

A user's role is stored as VARCHAR with a CHECK constraint (no native enum), so a new role
means replacing the constraint. SQLite does that by recreating the table (batch, "auto");
PostgreSQL alters it in place, since other tables' foreign keys forbid dropping ``users``.
The column keeps its length: "leader" is shorter than "commune_officer".

Revision ID: 0010_leader_role
Revises: 0009_import_mapping_kind
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_leader_role"
down_revision = "0009_import_mapping_kind"
branch_labels = None
depends_on = None

BEFORE = ("admin", "labour_officer", "commune_officer", "accountant", "auditor")
AFTER = (*BEFORE, "leader")


def _replace_check(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("users", recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f("ck_users_user_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_user_role"), sa.column("role").in_(values))


def upgrade():
    _replace_check(AFTER)


def downgrade():
    # A user row cannot be deleted (audit events and decisions point at it): a leader
    # becomes an auditor, the nearest read-only role, and is deactivated so that nobody
    # gains the audit trail they did not have.
    users = sa.table("users", sa.column("role", sa.String()), sa.column("is_active", sa.Boolean()))
    op.execute(
        sa.update(users).where(users.c.role == "leader").values(role="auditor", is_active=False)
    )
    _replace_check(BEFORE)
