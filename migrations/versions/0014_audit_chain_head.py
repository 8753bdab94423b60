"""The audit chain's last row in one round trip (PostgreSQL), and its last change in one step.

Every audited action (a CCCD lookup among them, ≤ 5 ms at p99 at a million people) took the
chain's advisory lock, then read the last row: two round trips. ``audit_chain_head()`` does
both; being VOLATILE plpgsql, its SELECT takes a new snapshot after the lock is granted
(READ COMMITTED), so it sees the row a transaction that held the lock just committed. A
single statement taking the lock in a subquery would not: its snapshot predates the wait.
SQLite has one writer at a time and needs neither.

``ix_audit_events_changes``: the ids of the events that may change data (every action but
the audited reads of ``registry.audit.actions.READ_ACTIONS``, listed here as they were), so
"the last change" is one index step however many log-ins and CCCD views came since.

Revision ID: 0014_audit_chain_head
Revises: 0013_household_list_index
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_audit_chain_head"
down_revision = "0013_household_list_index"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE FUNCTION audit_chain_head(lock_key bigint)
RETURNS TABLE (id integer, hash varchar) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN QUERY
        SELECT e.id::integer, e.hash::varchar FROM audit_events e ORDER BY e.id DESC LIMIT 1;
END
$$
"""


READS = (
    "auth:session:login",
    "auth:session:login_failed",
    "auth:session:logout",
    "identity:cccd:lookup",
    "identity:cccd:decrypt",
    "payments:account:decrypt",
    "payments:run:download",
    "backup:database:create",
)
CHANGES = "action NOT IN ({})".format(", ".join(f"'{a}'" for a in READS))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)
    op.create_index(
        "ix_audit_events_changes",
        "audit_events",
        ["id"],
        sqlite_where=sa.text(CHANGES),
        postgresql_where=sa.text(CHANGES),
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_changes", table_name="audit_events")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_chain_head(bigint)")
