"""Merging duplicate person records (issue 5): people.merged_into_id and merged_at, and the
audit actions for a merge and for the poverty review import.

The audit action is stored as VARCHAR with a CHECK constraint (no native enum), so a new
action means replacing the constraint; SQLite does that by recreating the table (batch).

Revision ID: 0007_person_merge
Revises: 0006_import_jobs
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_person_merge"
down_revision = "0006_import_jobs"
branch_labels = None
depends_on = None

BEFORE = (
    "auth:session:login", "auth:session:login_failed", "auth:session:logout", "auth:user:lock",
    "auth:user:create", "auth:user:update", "units:unit:load", "households:household:create",
    "households:household:update", "households:household:set_head", "households:poverty:set",
    "people:person:create", "people:person:update", "people:birth:record",
    "people:death:record", "people:person:move", "people:person:depart",
    "people:circumstance:add", "people:circumstance:end", "people:merit:add",
    "people:merit:end", "payments:account:set", "payments:account:decrypt",
    "identity:cccd:lookup", "identity:cccd:decrypt", "identity:keys:init",
    "identity:keys:rotate", "identity:keys:reencrypt", "demo:data:seed",
    "decisions:decision:propose", "decisions:decision:appraise", "decisions:decision:reject",
    "decisions:decision:approve", "decisions:decision:suspend", "decisions:decision:resume",
    "decisions:decision:end", "payments:run:build", "payments:run:lock", "payments:run:export",
    "payments:run:reconcile", "payments:run:download", "auth:token:create", "auth:token:revoke",
    "people:import:run", "people:import_mapping:save",
)
NEW = ("households:poverty:import", "people:person:merge")
AFTER = (*BEFORE, *NEW)


def _replace_check(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("audit_events", recreate="always") as batch_op:
        batch_op.drop_constraint(op.f("ck_audit_events_audit_action"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_audit_events_audit_action"), sa.column("action").in_(values)
        )


def upgrade():
    # Plain ADD COLUMN, not a batch: recreating ``people`` on SQLite (foreign keys on) would
    # fail once other tables reference its rows. SQLite's ALTER TABLE takes a foreign key
    # only inline, as a column constraint.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE people ADD COLUMN merged_into_id CHAR(32)"
            " CONSTRAINT fk_people_merged_into_id_people REFERENCES people (id)"
        )
    else:
        op.add_column("people", sa.Column("merged_into_id", sa.Uuid(), nullable=True))
        op.create_foreign_key(
            op.f("fk_people_merged_into_id_people"), "people", "people", ["merged_into_id"], ["id"]
        )
    op.add_column("people", sa.Column("merged_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_people_merged_into_id"), "people", ["merged_into_id"])
    _replace_check(AFTER)


def downgrade():
    op.execute(
        sa.text(
            "DELETE FROM audit_events WHERE action IN"
            " ('households:poverty:import', 'people:person:merge')"
        )
    )
    _replace_check(BEFORE)
    op.drop_index(op.f("ix_people_merged_into_id"), table_name="people")
    # SQLite cannot drop a column that carries a foreign key: the table is recreated, which
    # its foreign keys allow only while no other row references a person.
    with op.batch_alter_table("people", schema=None) as batch_op:
        if op.get_bind().dialect.name != "sqlite":
            batch_op.drop_constraint(
                batch_op.f("fk_people_merged_into_id_people"), type_="foreignkey"
            )
        batch_op.drop_column("merged_at")
        batch_op.drop_column("merged_into_id")
