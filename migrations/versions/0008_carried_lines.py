"""A failed payment line stays in its run; the next build pays it again as a new line.

Before, a build moved an earlier run's failed line into the new run, so a locked run's
lines, count and sum changed after it was locked, and its files could not be rebuilt.
Now the new line points back at the failed one (``carried_from_id``, unique: carried once),
and "never pay twice" is a partial unique index over the lines that have not failed.

Revision ID: 0008_carried_lines
Revises: 0007_person_merge
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_carried_lines"
down_revision = "0007_person_merge"
branch_labels = None
depends_on = None

LIVE = sa.text("status <> 'failed'")
CARRIED = sa.text("carried_from_id IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("payment_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carried_from_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_payment_lines_carried_from_id_payment_lines"),
            "payment_lines",
            ["carried_from_id"],
            ["id"],
        )
        batch_op.create_index(
            "uq_payment_lines_carried_from",
            ["carried_from_id"],
            unique=True,
            sqlite_where=CARRIED,
            postgresql_where=CARRIED,
        )
        batch_op.drop_constraint(
            batch_op.f("uq_payment_lines_decision_id_month_paid_for_kind"), type_="unique"
        )
        batch_op.create_index(
            "uq_payment_lines_live",
            ["decision_id", "month_paid_for", "kind"],
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )


def _fold_carried_lines() -> None:
    """Back to "a failed line moves": each carried line, latest first, is folded into the
    line it carried (run, status and reason), then removed."""
    bind = op.get_bind()
    lines = sa.table(
        "payment_lines",
        sa.column("id", sa.Uuid()),
        sa.column("run_id", sa.Uuid()),
        sa.column("status", sa.String()),
        sa.column("failure_reason", sa.String()),
        sa.column("carried_from_id", sa.Uuid()),
    )
    later = lines.alias("later")
    while True:
        leaves = bind.execute(
            sa.select(
                lines.c.id,
                lines.c.carried_from_id,
                lines.c.run_id,
                lines.c.status,
                lines.c.failure_reason,
            ).where(
                lines.c.carried_from_id.is_not(None),
                ~sa.select(later.c.id).where(later.c.carried_from_id == lines.c.id).exists(),
            )
        ).all()
        if not leaves:
            return
        for leaf in leaves:
            bind.execute(sa.delete(lines).where(lines.c.id == leaf.id))
            bind.execute(
                sa.update(lines)
                .where(lines.c.id == leaf.carried_from_id)
                .values(run_id=leaf.run_id, status=leaf.status, failure_reason=leaf.failure_reason)
            )


def downgrade() -> None:
    _fold_carried_lines()
    with op.batch_alter_table("payment_lines", schema=None) as batch_op:
        batch_op.drop_index("uq_payment_lines_live", sqlite_where=LIVE, postgresql_where=LIVE)
        batch_op.create_unique_constraint(
            batch_op.f("uq_payment_lines_decision_id_month_paid_for_kind"),
            ["decision_id", "month_paid_for", "kind"],
        )
        batch_op.drop_index(
            "uq_payment_lines_carried_from", sqlite_where=CARRIED, postgresql_where=CARRIED
        )
        batch_op.drop_constraint(
            batch_op.f("fk_payment_lines_carried_from_id_payment_lines"), type_="foreignkey"
        )
        batch_op.drop_column("carried_from_id")
