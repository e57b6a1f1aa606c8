"""Meetings and their agenda items; a meeting's state changes only from the state it was read in."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    AgendaItem,
    Meeting,
    MeetingStatus,
)
from db.repo import rows_changed
from db.repo.councils import not_paused


async def get_meeting(session: AsyncSession, meeting_id: int) -> Meeting | None:
    return await session.get(Meeting, meeting_id)


async def meeting_items(session: AsyncSession, meeting_id: int) -> Sequence[AgendaItem]:
    return (
        await session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
        )
    ).all()


async def item_at(session: AsyncSession, meeting_id: int, position: int) -> AgendaItem | None:
    """One item of a meeting's agenda, by its number."""
    return await session.scalar(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id, AgendaItem.position == position)
    )


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
    """Every council's meetings in these states, for the scheduled work (reminders, the closing of meetings left
    open): a paused council's are held, so they are not among them."""
    return (
        await session.scalars(select(Meeting).where(Meeting.status.in_(statuses), not_paused(Meeting.council_id)))
    ).all()


async def max_protocol_number(session: AsyncSession, council_id: int, school_year: int) -> int:
    value = await session.scalar(
        select(func.max(Meeting.protocol_number)).where(
            Meeting.council_id == council_id, Meeting.school_year == school_year
        )
    )
    return value or 0


async def set_meeting_status(
    session: AsyncSession, meeting_id: int, expected: MeetingStatus, new: MeetingStatus, **values: object
) -> bool:
    """A meeting's state change, only from the expected state: False when another attempt came first."""
    result = await session.execute(
        update(Meeting).where(Meeting.id == meeting_id, Meeting.status == expected).values(status=new, **values)
    )
    return bool(rows_changed(result))
