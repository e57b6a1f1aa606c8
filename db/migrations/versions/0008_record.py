"""the record holds: protocols as issued, the roster frozen at the opening, secret ballots without salt or token

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting_roster",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_roster_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_meeting_roster_member_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("meeting_id", "member_id", name=op.f("pk_meeting_roster")),
    )
    op.create_table(
        "issued_protocols",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=128), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_issued_protocols_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_issued_protocols")),
    )
    op.create_table(
        "protocol_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_protocol_parts_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_parts")),
        sa.UniqueConstraint("meeting_id", "locale", "position", name=op.f("uq_protocol_parts_meeting_id")),
    )
    with op.batch_alter_table("protocol_parts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_protocol_parts_meeting_id"), ["meeting_id"], unique=False)

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_automatically", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_unique_constraint(
            "uq_meetings_protocol_number", ["council_id", "school_year", "protocol_number"]
        )
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heard", sa.String(length=128), nullable=True))
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_column("salt")
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.drop_constraint("uq_ballots_vote_token", type_="unique")
        batch_op.drop_column("token")

    # A meeting open while this runs gets its roster now: the members with a vote it has at this moment.
    op.execute(
        """
        INSERT INTO meeting_roster (meeting_id, member_id, full_name)
        SELECT meetings.id, members.id, members.full_name
        FROM meetings JOIN members ON members.council_id = meetings.council_id
        WHERE meetings.status = 'open' AND members.status = 'approved' AND members.role <> 'participant'
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_ballots_vote_token", ["vote_id", "token"])
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("salt", sa.String(length=64), nullable=True))
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_column("heard")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_constraint("uq_meetings_protocol_number", type_="unique")
        batch_op.drop_column("closed_automatically")
    with op.batch_alter_table("protocol_parts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_protocol_parts_meeting_id"))
    op.drop_table("protocol_parts")
    op.drop_table("issued_protocols")
    op.drop_table("meeting_roster")
