"""Background jobs (jobs), remembered import column mappings (import_mappings), and the audit
action for saving a mapping (issue 5, web import).

The audit action is stored as VARCHAR with a CHECK constraint (no native enum), so a new
action means replacing the constraint; SQLite does that by recreating the table (batch).

Revision ID: 0006_import_jobs
Revises: 0005_import_audit
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_import_jobs"
down_revision = "0005_import_audit"
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
    "people:import:run",
)
AFTER = (*BEFORE, "people:import_mapping:save")


def _replace_check(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("audit_events", recreate="always") as batch_op:
        batch_op.drop_constraint(op.f("ck_audit_events_audit_action"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_audit_events_audit_action"), sa.column("action").in_(values)
        )


def upgrade():
    op.create_table(
        "jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued", "running", "done", "failed",
                name="job_status", native_enum=False, create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=True),
        sa.Column("phase", sa.String(length=40), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("input_path", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_jobs_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["admin_units.id"], name=op.f("fk_jobs_unit_id_admin_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_created_by_id"), ["created_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_unit_id"), ["unit_id"], unique=False)
    op.create_table(
        "import_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["admin_units.id"],
            name=op.f("fk_import_mappings_commune_id_admin_units"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_import_mappings_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mappings")),
        sa.UniqueConstraint("commune_id", name=op.f("uq_import_mappings_commune_id")),
    )
    _replace_check(AFTER)


def downgrade():
    op.execute(sa.text("DELETE FROM audit_events WHERE action = 'people:import_mapping:save'"))
    _replace_check(BEFORE)
    op.drop_table("import_mappings")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_unit_id"))
        batch_op.drop_index(batch_op.f("ix_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_jobs_created_by_id"))
    op.drop_table("jobs")
