"""Repository functions: add, flush, select. They never commit; the operation that calls them does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    AgendaItem,
    Attendance,
    Ballot,
    Choice,
    Council,
    JobRun,
    Meeting,
    MeetingStatus,
    Member,
    MemberStatus,
    User,
    Vote,
)


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def ensure_user(session: AsyncSession, user_id: int, now: datetime) -> User:
    user = await session.get(User, user_id)
    if user is None:
        user = User(id=user_id, created_at=now)
        session.add(user)
        await session.flush()
    return user


async def council_by_chat(session: AsyncSession, chat_id: int) -> Council | None:
    return await session.scalar(select(Council).where(Council.chat_id == chat_id))


async def council_by_code(session: AsyncSession, join_code: str) -> Council | None:
    return await session.scalar(select(Council).where(Council.join_code == join_code))


async def get_council(session: AsyncSession, council_id: int) -> Council | None:
    return await session.get(Council, council_id)


async def move_council_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> bool:
    result = await session.execute(update(Council).where(Council.chat_id == old_chat_id).values(chat_id=new_chat_id))
    return bool(result.rowcount)


async def get_member(session: AsyncSession, member_id: int) -> Member | None:
    return await session.get(Member, member_id)


async def member_of(session: AsyncSession, council_id: int, user_id: int) -> Member | None:
    return await session.scalar(select(Member).where(Member.council_id == council_id, Member.user_id == user_id))


async def memberships_of(session: AsyncSession, user_id: int) -> Sequence[Member]:
    """Every council place this user has that is not over (pending or approved), oldest first."""
    return (
        await session.scalars(
            select(Member)
            .where(
                Member.user_id == user_id,
                Member.status.in_((MemberStatus.PENDING, MemberStatus.APPROVED)),
            )
            .order_by(Member.id)
        )
    ).all()


async def council_members(session: AsyncSession, council_id: int) -> Sequence[Member]:
    """Pending and approved places of a council, in the order they applied."""
    return (
        await session.scalars(
            select(Member)
            .where(
                Member.council_id == council_id,
                Member.status.in_((MemberStatus.PENDING, MemberStatus.APPROVED)),
            )
            .order_by(Member.id)
        )
    ).all()


async def councils_chaired_by(session: AsyncSession, user_id: int) -> Sequence[Council]:
    return (await session.scalars(select(Council).where(Council.chair_id == user_id).order_by(Council.id))).all()


# --- meetings --------------------------------------------------------------------------------------------


async def get_meeting(session: AsyncSession, meeting_id: int) -> Meeting | None:
    return await session.get(Meeting, meeting_id)


async def meeting_items(session: AsyncSession, meeting_id: int) -> Sequence[AgendaItem]:
    return (
        await session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
        )
    ).all()


async def council_meetings(
    session: AsyncSession, council_id: int, statuses: tuple[MeetingStatus, ...]
) -> Sequence[Meeting]:
    return (
        await session.scalars(
            select(Meeting)
            .where(Meeting.council_id == council_id, Meeting.status.in_(statuses))
            .order_by(Meeting.starts_at)
        )
    ).all()


async def meetings_with_status(session: AsyncSession, statuses: tuple[MeetingStatus, ...]) -> Sequence[Meeting]:
    return (await session.scalars(select(Meeting).where(Meeting.status.in_(statuses)))).all()


async def max_protocol_number(session: AsyncSession, council_id: int, school_year: int) -> int:
    value = await session.scalar(
        select(func.max(Meeting.protocol_number)).where(
            Meeting.council_id == council_id, Meeting.school_year == school_year
        )
    )
    return value or 0


async def present_member_ids(session: AsyncSession, meeting_id: int) -> set[int]:
    return set((await session.scalars(select(Attendance.member_id).where(Attendance.meeting_id == meeting_id))).all())


async def attendance_of(session: AsyncSession, meeting_id: int, member_id: int) -> Attendance | None:
    return await session.scalar(
        select(Attendance).where(Attendance.meeting_id == meeting_id, Attendance.member_id == member_id)
    )


async def approved_members(session: AsyncSession, council_id: int) -> Sequence[Member]:
    return (
        await session.scalars(
            select(Member)
            .where(Member.council_id == council_id, Member.status == MemberStatus.APPROVED)
            .order_by(Member.full_name)
        )
    ).all()


async def get_vote(session: AsyncSession, vote_id: int) -> Vote | None:
    return await session.get(Vote, vote_id)


async def meeting_votes(session: AsyncSession, meeting_id: int) -> Sequence[Vote]:
    return (await session.scalars(select(Vote).where(Vote.meeting_id == meeting_id).order_by(Vote.id))).all()


async def open_votes(session: AsyncSession, meeting_id: int) -> Sequence[Vote]:
    return (await session.scalars(select(Vote).where(Vote.meeting_id == meeting_id, Vote.is_open.is_(True)))).all()


async def timed_votes(session: AsyncSession) -> Sequence[Vote]:
    """Open votes the chair set to close on time."""
    return (await session.scalars(select(Vote).where(Vote.is_open.is_(True), Vote.closes_at.is_not(None)))).all()


async def ballot_counts(session: AsyncSession, vote_id: int) -> dict[Choice, int]:
    rows = await session.execute(
        select(Ballot.choice, func.count()).where(Ballot.vote_id == vote_id).group_by(Ballot.choice)
    )
    return {choice: count for choice, count in rows.all()}


async def open_ballots(session: AsyncSession, vote_id: int) -> Sequence[tuple[Choice, str]]:
    """(choice, member name) of an open (not secret) vote, for showing names next to choices."""
    rows = await session.execute(
        select(Ballot.choice, Member.full_name)
        .join(Member, Member.id == Ballot.member_id)
        .where(Ballot.vote_id == vote_id)
        .order_by(Member.full_name)
    )
    return [(choice, name) for choice, name in rows.all()]


async def ballot_of(
    session: AsyncSession, vote_id: int, *, member_id: int | None = None, token: str | None = None
) -> Ballot | None:
    condition = Ballot.member_id == member_id if member_id is not None else Ballot.token == token
    return await session.scalar(select(Ballot).where(Ballot.vote_id == vote_id, condition))


async def job_runs_like(session: AsyncSession, prefix: str) -> Sequence[str]:
    return (await session.scalars(select(JobRun.name).where(JobRun.name.startswith(prefix)))).all()


@dataclass(frozen=True)
class VoterCheck:
    """Everything a vote press needs to know, read in one query (the hot path)."""

    vote: Vote
    member: Member | None
    present: bool


async def voter_check(session: AsyncSession, vote_id: int, user_id: int) -> VoterCheck | None:
    row = (
        await session.execute(
            select(Vote, Member, Attendance.id)
            .join(Meeting, Meeting.id == Vote.meeting_id)
            .outerjoin(Member, (Member.council_id == Meeting.council_id) & (Member.user_id == user_id))
            .outerjoin(Attendance, (Attendance.meeting_id == Meeting.id) & (Attendance.member_id == Member.id))
            .where(Vote.id == vote_id)
        )
    ).first()
    if row is None:
        return None
    vote, member, attendance_id = row
    return VoterCheck(vote, member, attendance_id is not None)
