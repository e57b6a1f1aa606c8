"""the edition of the regulation each member confirmed (the Kyrgyz original's digest)

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# bot.ui.regulation.regulation_version() of the Kyrgyz original shipped when this column came: everyone who had
# confirmed the regulation by then confirmed this edition (it had not changed since the first release).
EDITION_AT_MIGRATION = "3105d17fd22c"


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("regulation_version", sa.String(length=16), nullable=True))
    members = sa.table("members", sa.column("regulation_confirmed_at"), sa.column("regulation_version"))
    op.execute(
        members.update()
        .where(members.c.regulation_confirmed_at.is_not(None))
        .values(regulation_version=EDITION_AT_MIGRATION)
    )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("regulation_version")
