"""materials

Revision ID: 0004
Revises: 0003

"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "materials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "lesson_plan",
                "development",
                "report",
                "presentation",
                "other",
                name="materialkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "submitted",
                "on_agenda",
                "approved",
                "returned",
                "rejected",
                name="materialstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("telegram_file_id", sa.String(length=255), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["members.id"], name=op.f("fk_materials_author_id_members"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["council_id"], ["councils.id"], name=op.f("fk_materials_council_id_councils"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_materials_meeting_id_meetings"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_materials")),
    )
    with op.batch_alter_table("materials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_materials_council_id"), ["council_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_materials_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_materials_state"), ["state"], unique=False)

    op.create_table(
        "material_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "submitted",
                "on_agenda",
                "approved",
                "returned",
                "rejected",
                name="materialstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("by_user", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["material_id"], ["materials.id"], name=op.f("fk_material_events_material_id_materials"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_material_events")),
    )
    with op.batch_alter_table("material_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_material_events_material_id"), ["material_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("material_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_material_events_material_id"))

    op.drop_table("material_events")
    with op.batch_alter_table("materials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_materials_state"))
        batch_op.drop_index(batch_op.f("ix_materials_sha256"))
        batch_op.drop_index(batch_op.f("ix_materials_council_id"))

    op.drop_table("materials")
