"""secret ballots sealed under a per-vote key: sealed_ballots (the choices, unreadable without the key)

A secret vote left open by the version before this one keeps its plain rows in `ballots` and has no key: the
bot marks it "not counted (restart)" when it starts (bot/ops/voting.py) and its rows go with that close.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sealed_ballots",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.LargeBinary(length=16), nullable=False),
        sa.Column("sealed", sa.LargeBinary(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["votes.id"], name=op.f("fk_sealed_ballots_vote_id_votes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("vote_id", "token", name=op.f("pk_sealed_ballots")),
    )


def downgrade() -> None:
    op.drop_table("sealed_ballots")
