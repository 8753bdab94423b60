"""Payment runs at province size: 64-bit totals, failed lines found without a scan, two
redundant line indexes dropped.

- ``payment_runs.total`` and ``payment_files.total`` become BIGINT on PostgreSQL: a
  province's month (a million lines, over a trillion VND) overflows its 32-bit INTEGER.
  SQLite's INTEGER already holds 64 bits, so its tables are left as they are (recreating
  payment_runs there would trip its foreign keys).
- ``ix_payment_lines_failed`` (partial, status = 'failed'): a build looks for failed lines
  of earlier runs to carry; without it that is a scan of every line ever paid.
- ``ix_payment_lines_decision_id`` and ``ix_payment_lines_run_id`` go: the unique
  (decision_id, month_paid_for, kind) and the (run_id, commune_id) indexes already serve
  every lookup by decision or by run, and each index costs a B-tree insert per line when a
  run of a million lines is built.

Revision ID: 0003_payment_line_indexes
Revises: 0002_audit_download
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_payment_line_indexes"
down_revision = "0002_audit_download"
branch_labels = None
depends_on = None

FAILED = sa.text("status = 'failed'")


def _totals(old: sa.types.TypeEngine, new: sa.types.TypeEngine) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ("payment_runs", "payment_files"):
        op.alter_column(
            table, "total", existing_type=old, type_=new, existing_nullable=table == "payment_runs"
        )


def upgrade() -> None:
    _totals(sa.Integer(), sa.BigInteger())
    with op.batch_alter_table("payment_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_lines_decision_id"))
        batch_op.drop_index(batch_op.f("ix_payment_lines_run_id"))
        batch_op.create_index(
            "ix_payment_lines_failed",
            ["commune_id"],
            unique=False,
            sqlite_where=FAILED,
            postgresql_where=FAILED,
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_lines_failed", sqlite_where=FAILED, postgresql_where=FAILED)
        batch_op.create_index(
            batch_op.f("ix_payment_lines_decision_id"), ["decision_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_payment_lines_run_id"), ["run_id"], unique=False)
    _totals(sa.BigInteger(), sa.Integer())
