"""exactly once: rejections counted per member; files wait in a quarantine until their dialog completes

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rejections", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("rejected_with_code", sa.String(length=32), nullable=True))
    op.create_table(
        "quarantined_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("telegram_file_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"], ["councils.id"], name=op.f("fk_quarantined_files_council_id_councils"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantined_files")),
    )
    with op.batch_alter_table("quarantined_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quarantined_files_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quarantined_files_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("quarantined_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantined_files_created_at"))
        batch_op.drop_index(batch_op.f("ix_quarantined_files_user_id"))
    op.drop_table("quarantined_files")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("rejected_with_code")
        batch_op.drop_column("rejections")
