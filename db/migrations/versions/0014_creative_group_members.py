"""the members of creative groups (issue 23 §1): a member may be in creative groups as well as in one
association

Revision ID: 0014
Revises: 0012 (0013 is the operator's branch: whichever is merged second revises the other)
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "creative_group_members",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["teacher_groups.id"],
            name=op.f("fk_creative_group_members_group_id_teacher_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_creative_group_members_member_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("group_id", "member_id", name=op.f("pk_creative_group_members")),
    )
    with op.batch_alter_table("creative_group_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_creative_group_members_member_id"), ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("creative_group_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_creative_group_members_member_id"))
    op.drop_table("creative_group_members")
