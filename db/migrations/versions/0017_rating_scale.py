"""the rating scale (issue 23 §2): the council's choice in /settings, kept by each rating vote from its opening;
the votes for the options of the other scales. Existing councils and rating votes keep the scale they had:
high / satisfactory / unsatisfactory

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

SCALE = sa.Enum("hsu", "hml", "hgsu", name="ratingscale", native_enum=False, length=8)


def upgrade() -> None:
    with op.batch_alter_table("councils", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rating_scale", SCALE, server_default="hsu", nullable=False))

    with op.batch_alter_table("group_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("votes_good", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("votes_medium", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("votes_low", sa.Integer(), nullable=True))

    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rating_scale", SCALE, nullable=True))
    # Every rating vote so far was on the one scale there was.
    op.execute("UPDATE votes SET rating_scale = 'hsu' WHERE kind = 'rating'")


def downgrade() -> None:
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_column("rating_scale")

    with op.batch_alter_table("group_reports", schema=None) as batch_op:
        batch_op.drop_column("votes_low")
        batch_op.drop_column("votes_medium")
        batch_op.drop_column("votes_good")

    with op.batch_alter_table("councils", schema=None) as batch_op:
        batch_op.drop_column("rating_scale")
