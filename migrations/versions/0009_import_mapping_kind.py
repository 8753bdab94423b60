"""Column mappings remembered per commune and kind of list (people, poverty review).

The web import now takes the annual poverty review list too, whose columns a commune names
its own way: a mapping is kept for each (commune, kind). Existing mappings are the people
list's.

Revision ID: 0009_import_mapping_kind
Revises: 0008_carried_lines
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_import_mapping_kind"
down_revision = "0008_carried_lines"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_mappings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), server_default="people", nullable=False)
        )
        batch_op.drop_constraint(batch_op.f("uq_import_mappings_commune_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_import_mappings_commune_id_kind"), ["commune_id", "kind"]
        )


def downgrade() -> None:
    # Only one mapping per commune fits the old table: the people list's is kept.
    mappings = sa.table("import_mappings", sa.column("kind", sa.String()))
    op.execute(sa.delete(mappings).where(mappings.c.kind != "people"))
    with op.batch_alter_table("import_mappings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_import_mappings_commune_id_kind"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_import_mappings_commune_id"), ["commune_id"]
        )
        batch_op.drop_column("kind")
