"""Personal API tokens (api_tokens) and the audit actions for creating and revoking them.

The audit action is stored as VARCHAR with a CHECK constraint (no native enum), so new
actions mean replacing the constraint; SQLite does that by recreating the table (batch).

Revision ID: 0004_api_tokens
Revises: 0003_payment_line_indexes
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_api_tokens"
down_revision = "0003_payment_line_indexes"
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
    "payments:run:reconcile", "payments:run:download",
)
ADDED = ("auth:token:create", "auth:token:revoke")
AFTER = (*BEFORE, *ADDED)


def _replace_check(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("audit_events", recreate="always") as batch_op:
        batch_op.drop_constraint(op.f("ck_audit_events_audit_action"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_audit_events_audit_action"), sa.column("action").in_(values)
        )


def upgrade():
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("hint", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)
    _replace_check(AFTER)


def downgrade():
    op.execute(
        sa.text("DELETE FROM audit_events WHERE action IN ('auth:token:create', 'auth:token:revoke')")
    )
    _replace_check(BEFORE)
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))
    op.drop_table("api_tokens")
