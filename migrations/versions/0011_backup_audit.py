"""Audit actions for backing up and restoring the database (flask backup create|restore).

The audit action is stored as VARCHAR with a CHECK constraint (no native enum), so a new
action means replacing the constraint; SQLite does that by recreating the table (batch).

Revision ID: 0011_backup_audit
Revises: 0010_leader_role
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_backup_audit"
down_revision = "0010_leader_role"
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
    "people:import:run", "people:import_mapping:save", "households:poverty:import",
    "people:person:merge",
)
NEW = ("backup:database:create", "backup:database:restore")
AFTER = (*BEFORE, *NEW)


def _replace_check(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("audit_events", recreate="always") as batch_op:
        batch_op.drop_constraint(op.f("ck_audit_events_audit_action"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_audit_events_audit_action"), sa.column("action").in_(values)
        )


def upgrade():
    _replace_check(AFTER)


def downgrade():
    op.execute(
        sa.text(
            "DELETE FROM audit_events WHERE action IN"
            " ('backup:database:create', 'backup:database:restore')"
        )
    )
    _replace_check(BEFORE)
