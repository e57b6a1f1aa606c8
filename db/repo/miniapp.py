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


async def stored_language(session: AsyncSession, user_id: int) -> str | None:
    return await session.scalar(select(User.language).where(User.id == user_id))


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


async def roster_sizes(session: AsyncSession, meeting_ids: Sequence[int]) -> dict[int, int]:
    """Each meeting's frozen roster: how many members with a vote it counted (the quorum's denominator)."""
    if not meeting_ids:
        return {}
    rows = await session.execute(
        select(RosterEntry.meeting_id, func.count())
        .where(RosterEntry.meeting_id.in_(meeting_ids))
        .group_by(RosterEntry.meeting_id)
    )
    return {meeting_id: count for meeting_id, count in rows.all()}


async def present_on_roster(session: AsyncSession, meeting_ids: Sequence[int]) -> dict[int, int]:
    """Each meeting's members with a vote marked present: those of its roster (as its protocol counts them)."""
    if not meeting_ids:
        return {}
    rows = await session.execute(
        select(Attendance.meeting_id, func.count())
        .join(
            RosterEntry,
            (RosterEntry.meeting_id == Attendance.meeting_id) & (RosterEntry.member_id == Attendance.member_id),
        )
        .where(Attendance.meeting_id.in_(meeting_ids))
        .group_by(Attendance.meeting_id)
    )
    return {meeting_id: count for meeting_id, count in rows.all()}


async def issued_file(session: AsyncSession, meeting_id: int) -> tuple[str, int] | None:
    """The issued protocol's .docx name and size, without reading its bytes."""
    row = (
        await session.execute(
            select(IssuedProtocol.filename, func.length(IssuedProtocol.document)).where(
                IssuedProtocol.meeting_id == meeting_id
            )
        )
    ).first()
    return (row[0], int(row[1])) if row is not None else None


async def authored_by(session: AsyncSession, member_id: int) -> Sequence[Material]:
    """One member's own materials, newest first, whatever their state."""
    return (
        await session.scalars(select(Material).where(Material.author_id == member_id).order_by(Material.id.desc()))
    ).all()


async def latest_comments(session: AsyncSession, material_ids: Sequence[int]) -> dict[int, str]:
    """The comment of each material's latest change, when it has one (why it was returned or rejected)."""
    if not material_ids:
        return {}
    rows = await session.execute(
        select(MaterialEvent.material_id, MaterialEvent.comment)
        .where(MaterialEvent.material_id.in_(material_ids))
        .order_by(MaterialEvent.id)
    )
    latest = dict(rows.all())  # the last change of each material wins
    return {material_id: comment for material_id, comment in latest.items() if comment}


async def follow_ups_of_votes(session: AsyncSession, vote_ids: Sequence[int]) -> Sequence[tuple[FollowUp, Member]]:
    """The follow-ups of these votes (one meeting's), each with its responsible member."""
    if not vote_ids:
        return []
    rows = await session.execute(
        select(FollowUp, Member).join(Member, Member.id == FollowUp.member_id).where(FollowUp.vote_id.in_(vote_ids))
    )
    return [(follow_up, member) for follow_up, member in rows.all()]


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
