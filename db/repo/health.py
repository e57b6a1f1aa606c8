"""What the operator's /healthz and /metrics read: the outbox's backlog and the size of the records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Council, Meeting, Member, MemberStatus, OutboxMessage, OutboxStatus
from db.repo.councils import not_paused


async def outbox_backlog(session: AsyncSession) -> tuple[int, datetime | None]:
    """How many posts wait to be sent, and when the oldest of them was written (None: none waits). A paused
    council's posts are held, not waiting: they are not counted."""
    count, oldest = (
        await session.execute(
            select(func.count(OutboxMessage.id), func.min(OutboxMessage.created_at)).where(
                OutboxMessage.status == OutboxStatus.PENDING, not_paused(OutboxMessage.council_id)
            )
        )
    ).one()
    return int(count), oldest


async def oldest_pending(session: AsyncSession) -> datetime | None:
    """When the oldest post still waiting to be sent was written (an index on status finds it); a paused
    council's posts are held by the operator, not stuck, and do not count."""
    return await session.scalar(
        select(func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status == OutboxStatus.PENDING, not_paused(OutboxMessage.council_id)
        )
    )


async def totals(session: AsyncSession) -> tuple[int, dict[str, int], dict[str, int]]:
    """Councils; members by status; meetings by status."""
    councils = await session.scalar(select(func.count(Council.id))) or 0
    members = {
        str(status): int(n)
        for status, n in (await session.execute(select(Member.status, func.count()).group_by(Member.status))).all()
    }
    meetings = {
        str(status): int(n)
        for status, n in (await session.execute(select(Meeting.status, func.count()).group_by(Meeting.status))).all()
    }
    for status in MemberStatus:
        members.setdefault(str(status), 0)
    return int(councils), members, meetings
