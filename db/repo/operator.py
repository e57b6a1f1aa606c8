"""The operator's reads and writes (ADMIN_IDS, bot/ops/operator.py): the district's councils a page at a time, a
council paused and resumed, the operator's messages to every chair. Each read of a page is one query per kind
of figure for the page's councils, however many councils the district has."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Council,
    Meeting,
    MeetingStatus,
    Member,
    MemberStatus,
    OperatorNotice,
    OutboxMessage,
    OutboxStatus,
    Role,
    Vote,
    WatchdogWarning,
)
from db.repo import change_if


async def count_councils(session: AsyncSession) -> int:
    return await session.scalar(select(func.count(Council.id))) or 0


async def councils_page(session: AsyncSession, limit: int, offset: int) -> Sequence[Council]:
    return (await session.scalars(select(Council).order_by(Council.id).limit(limit).offset(offset))).all()


async def chair_names(session: AsyncSession, council_ids: Collection[int]) -> dict[int, str]:
    """The chair's name in each of these councils, by council id."""
    rows = await session.execute(
        select(Member.council_id, Member.full_name)
        .join(Council, (Council.id == Member.council_id) & (Council.chair_id == Member.user_id))
        .where(Member.council_id.in_(council_ids))
    )
    return {council_id: name for council_id, name in rows.all()}


async def member_counts(session: AsyncSession, council_ids: Collection[int]) -> dict[int, tuple[int, int]]:
    """(approved members with a vote, participants) of each of these councils."""
    participant = Member.role == Role.PARTICIPANT
    rows = await session.execute(
        select(Member.council_id, participant, func.count(Member.id))
        .where(Member.council_id.in_(council_ids), Member.status == MemberStatus.APPROVED)
        .group_by(Member.council_id, participant)
    )
    counts: dict[int, tuple[int, int]] = {}
    for council_id, is_participant, n in rows.all():
        voting, participants = counts.get(council_id, (0, 0))
        counts[council_id] = (voting, participants + n) if is_participant else (voting + n, participants)
    return counts


async def last_held(session: AsyncSession, council_ids: Collection[int]) -> dict[int, datetime]:
    """When each council's latest closed meeting began."""
    rows = await session.execute(
        select(Meeting.council_id, func.max(Meeting.starts_at))
        .where(Meeting.council_id.in_(council_ids), Meeting.status == MeetingStatus.CLOSED)
        .group_by(Meeting.council_id)
    )
    return {council_id: starts_at for council_id, starts_at in rows.all()}


async def next_meetings(session: AsyncSession, council_ids: Collection[int], now: datetime) -> dict[int, datetime]:
    """When each council's next meeting begins: one open now, or the first announced one still ahead."""
    rows = await session.execute(
        select(Meeting.council_id, func.min(Meeting.starts_at))
        .where(
            Meeting.council_id.in_(council_ids),
            (Meeting.status == MeetingStatus.OPEN)
            | ((Meeting.status == MeetingStatus.ANNOUNCED) & (Meeting.starts_at >= now)),
        )
        .group_by(Meeting.council_id)
    )
    return {council_id: starts_at for council_id, starts_at in rows.all()}


async def meetings_between(
    session: AsyncSession,
    council_ids: Collection[int],
    statuses: tuple[MeetingStatus, ...],
    since: datetime,
    until: datetime,
) -> Sequence[Row]:
    """Plain rows (council_id, id, starts_at, status) of these councils' meetings in a window, by start: what
    the trimester check (bot/ops/watchdog.py judge) reads, for a page of councils."""
    return (
        await session.execute(
            select(Meeting.council_id, Meeting.id, Meeting.starts_at, Meeting.status)
            .where(
                Meeting.council_id.in_(council_ids),
                Meeting.status.in_(statuses),
                Meeting.starts_at >= since,
                Meeting.starts_at < until,
            )
            .order_by(Meeting.starts_at)
        )
    ).all()


async def warnings_of(session: AsyncSession, council_id: int) -> Sequence[Row]:
    """Plain rows (council_id, trimester_start, stage, sent_on) of the trimester warnings a council was sent."""
    return (
        await session.execute(
            select(
                WatchdogWarning.council_id,
                WatchdogWarning.trimester_start,
                WatchdogWarning.stage,
                WatchdogWarning.sent_on,
            ).where(WatchdogWarning.council_id == council_id)
        )
    ).all()


async def held_posts(session: AsyncSession, council_id: int) -> int:
    """The council's posts waiting in the outbox (held while it is paused)."""
    return (
        await session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.council_id == council_id, OutboxMessage.status == OutboxStatus.PENDING
            )
        )
        or 0
    )


async def pause(session: AsyncSession, council_id: int, operator_id: int, now: datetime) -> bool:
    """The council paused, once: False when it is paused already (a second press, another operator)."""
    return await change_if(
        session, Council, council_id, Council.paused_at.is_(None), paused_at=now, paused_by=operator_id
    )


async def resume(session: AsyncSession, council_id: int, paused_at: datetime) -> bool:
    """The council resumed, once: False when it is not paused any more, or was paused again meanwhile."""
    return await change_if(session, Council, council_id, Council.paused_at == paused_at, paused_at=None, paused_by=None)


async def timed_votes_of(session: AsyncSession, council_id: int) -> Sequence[Vote]:
    """The council's open votes set to close on time."""
    return (
        await session.scalars(
            select(Vote)
            .join(Meeting, Meeting.id == Vote.meeting_id)
            .where(Meeting.council_id == council_id, Vote.is_open.is_(True), Vote.closes_at.is_not(None))
        )
    ).all()


async def active_councils(session: AsyncSession) -> Sequence[Council]:
    """The councils not paused, by id."""
    return (await session.scalars(select(Council).where(Council.paused_at.is_(None)).order_by(Council.id))).all()


def add_notice(session: AsyncSession, notice: OperatorNotice) -> OperatorNotice:
    session.add(notice)
    return notice


async def get_notice(session: AsyncSession, notice_id: int) -> OperatorNotice | None:
    return await session.get(OperatorNotice, notice_id)


async def close_notice(session: AsyncSession, notice_id: int, **values: object) -> bool:
    """Send or cancel the notice, once: False when it was sent or cancelled already."""
    return await change_if(
        session,
        OperatorNotice,
        notice_id,
        OperatorNotice.sent_at.is_(None),
        OperatorNotice.cancelled_at.is_(None),
        **values,
    )
