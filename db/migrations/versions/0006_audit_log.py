"""audit log: who did what to the council's record (issue 8)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# No CHECK constraint (native_enum=False without create_constraint): a new action needs no migration.
ACTIONS = (
    "member_approved",
    "member_rejected",
    "member_removed",
    "order_number_set",
    "secretary_named",
    "chair_handed_over",
    "meeting_published",
    "meeting_moved",
    "meeting_cancelled",
    "meeting_opened",
    "meeting_closed",
    "presence_marked",
    "presence_unmarked",
    "vote_opened",
    "vote_closed",
    "material_approved",
    "material_returned",
    "material_rejected",
    "material_on_agenda",
    "group_language_set",
    "trimesters_set",
    "join_link_replaced",
)
OBJECTS = ("council", "member", "meeting", "vote", "material")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_name", sa.String(length=128), nullable=True),
        sa.Column("action", sa.Enum(*ACTIONS, name="auditaction", native_enum=False, length=32), nullable=False),
        sa.Column("obj_kind", sa.Enum(*OBJECTS, name="auditobject", native_enum=False, length=16), nullable=False),
        sa.Column("obj_id", sa.Integer(), nullable=True),
        sa.Column("obj_name", sa.String(length=200), nullable=True),
        sa.Column("before", sa.String(length=300), nullable=True),
        sa.Column("after", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["council_id"], ["councils.id"], name=op.f("fk_audit_log_council_id_councils"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_council_latest", "audit_log", ["council_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_log_council_latest", table_name="audit_log")
    op.drop_table("audit_log")
