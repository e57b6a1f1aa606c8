"""What the Mini App reads beyond the chat's own queries: a few figures per meeting and per material, each for
a whole year in one query (a page must stay under 100 ms with 40 meetings, 300 decisions and 200 materials)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    AgendaItem,
    Attendance,
    Council,
    FollowUp,
    FollowUpState,
    IssuedProtocol,
    Material,
    MaterialEvent,
    Meeting,
    MeetingStatus,
    Member,
    MemberStatus,
    RosterEntry,
    User,
    Vote,
    WatchdogWarning,
)


async def places_of(session: AsyncSession, user_id: int) -> Sequence[tuple[Member, Council]]:
    """Every council this person is an approved member or participant of, with the council, oldest first."""
    rows = await session.execute(
        select(Member, Council)
        .join(Council, Council.id == Member.council_id)
        .where(Member.user_id == user_id, Member.status == MemberStatus.APPROVED)
        .order_by(Council.id)
    )
    return [(member, council) for member, council in rows.all()]


async def places_and_language(
    session: AsyncSession, user_id: int
) -> tuple[Sequence[tuple[Member, Council]], str | None]:
    """places_of and the language the person chose in the chat (/lang), in one query: every request of the
    Mini App asks both."""
    rows = (
        await session.execute(
            select(Member, Council, User.language)
            .join(Council, Council.id == Member.council_id)
            .join(User, User.id == Member.user_id)
            .where(Member.user_id == user_id, Member.status == MemberStatus.APPROVED)
            .order_by(Council.id)
        )
    ).all()
    return [(member, council) for member, council, _language in rows], rows[0][2] if rows else None


async def warnings_of(session: AsyncSession, council_id: int) -> Sequence[WatchdogWarning]:
    """The trimester warnings (cl. 7.4) the council was sent, in order."""
    return (
        await session.scalars(
            select(WatchdogWarning)
            .where(WatchdogWarning.council_id == council_id)
            .order_by(WatchdogWarning.trimester_start, WatchdogWarning.stage)
        )
    ).all()


async def item_counts(session: AsyncSession, meeting_ids: Sequence[int]) -> dict[int, int]:
    """How many agenda items each meeting has."""
    if not meeting_ids:
        return {}
    rows = await session.execute(
        select(AgendaItem.meeting_id, func.count())
        .where(AgendaItem.meeting_id.in_(meeting_ids))
        .group_by(AgendaItem.meeting_id)
    )
    return {meeting_id: count for meeting_id, count in rows.all()}


async def attendance_by_meeting(
    session: AsyncSession, council_id: int, school_year: int
) -> Sequence[tuple[int, datetime, int, int]]:
    """The school year's closed meetings with a protocol, by protocol number: its number, when it began, its
    frozen roster's size (the members with a vote it counted, the quorum's denominator) and how many of that
    roster were marked present (as its protocol counts them). One query for the year."""
    rows = await session.execute(
        select(
            Meeting.protocol_number,
            Meeting.starts_at,
            func.count(RosterEntry.member_id),
            func.count(Attendance.member_id),
        )
        .outerjoin(RosterEntry, RosterEntry.meeting_id == Meeting.id)
        .outerjoin(
            Attendance,
            (Attendance.meeting_id == RosterEntry.meeting_id) & (Attendance.member_id == RosterEntry.member_id),
        )
        .where(
            Meeting.council_id == council_id,
            Meeting.status == MeetingStatus.CLOSED,
            Meeting.school_year == school_year,
            Meeting.protocol_number > 0,
        )
        .group_by(Meeting.id, Meeting.protocol_number, Meeting.starts_at)
        .order_by(Meeting.protocol_number)
    )
    return [(number or 0, starts_at, seats, present) for number, starts_at, seats, present in rows.all()]


async def meeting_with_document(
    session: AsyncSession, meeting_id: int
) -> tuple[Meeting | None, tuple[str, int] | None]:
    """A meeting, and its issued protocol's .docx name and size when it has one (without reading its bytes)."""
    row = (
        await session.execute(
            select(Meeting, IssuedProtocol.filename, func.length(IssuedProtocol.document))
            .outerjoin(IssuedProtocol, IssuedProtocol.meeting_id == Meeting.id)
            .where(Meeting.id == meeting_id)
        )
    ).first()
    if row is None:
        return None, None
    meeting, filename, size = row
    return meeting, (filename, int(size)) if filename is not None else None


async def authored_by(session: AsyncSession, member_id: int) -> Sequence[tuple[Material, str | None]]:
    """One member's own materials, newest first, whatever their state; each with the comment of its latest
    change, when it has one (why it was returned or rejected)."""
    latest_comment = (
        select(MaterialEvent.comment)
        .where(MaterialEvent.material_id == Material.id)
        .order_by(MaterialEvent.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Material, latest_comment).where(Material.author_id == member_id).order_by(Material.id.desc())
    )
    return [(material, comment or None) for material, comment in rows.all()]


async def votes_followed(session: AsyncSession, meeting_id: int) -> Sequence[tuple[Vote, FollowUp | None, str | None]]:
    """A meeting's votes in order, each with its follow-up and the responsible member's name, when it has one."""
    rows = await session.execute(
        select(Vote, FollowUp, Member.full_name)
        .outerjoin(FollowUp, FollowUp.vote_id == Vote.id)
        .outerjoin(Member, Member.id == FollowUp.member_id)
        .where(Vote.meeting_id == meeting_id)
        .order_by(Vote.id)
    )
    return [(vote, follow_up, name) for vote, follow_up, name in rows.all()]


async def follow_up_dates(
    session: AsyncSession, council_id: int
) -> Sequence[tuple[FollowUpState, date, datetime | None, datetime]]:
    """Each follow-up's state, due date, when it was done, and its meeting's start: plain columns, for figures."""
    rows = await session.execute(
        select(FollowUp.state, FollowUp.due_on, FollowUp.done_at, Meeting.starts_at)
        .join(Vote, Vote.id == FollowUp.vote_id)
        .join(Meeting, Meeting.id == Vote.meeting_id)
        .where(FollowUp.council_id == council_id)
    )
    return [(state, due_on, done_at, starts_at) for state, due_on, done_at, starts_at in rows.all()]


async def decision_lines(session: AsyncSession, council_id: int) -> Sequence[tuple]:
    """A council's decisions followed up, by due date, as the columns of bot.domain.DecisionLine: one query of
    plain values (objects for a year's three hundred cost more than everything else on the page)."""
    rows = await session.execute(
        select(
            FollowUp.id,
            FollowUp.state,
            FollowUp.due_on,
            FollowUp.done_at,
            FollowUp.report,
            FollowUp.report_file_name,
            Vote.decision,
            Meeting.id,
            Meeting.protocol_number,
            Meeting.starts_at,
            Member.full_name,
            Member.user_id,
        )
        .join(Vote, Vote.id == FollowUp.vote_id)
        .join(Meeting, Meeting.id == Vote.meeting_id)
        .join(Member, Member.id == FollowUp.member_id)
        .where(FollowUp.council_id == council_id)
        .order_by(FollowUp.due_on, FollowUp.id)
    )
    return [tuple(row) for row in rows.all()]
