"""an index on materials.author_id: a member's own submissions (the Mini App's Materials page, on every
request) were found by reading every council's materials

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("materials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_materials_author_id"), ["author_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("materials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_materials_author_id"))
