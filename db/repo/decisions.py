"""Decisions followed up (cl. 7.6): who is responsible for an adopted vote, until when, and their report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import FollowUp, FollowUpState, Meeting, Member, Vote
from db.repo import rows_changed


async def get_follow_up(session: AsyncSession, follow_up_id: int) -> FollowUp | None:
    return await session.get(FollowUp, follow_up_id)


async def vote_followed_up(session: AsyncSession, vote_id: int) -> bool:
    return await session.scalar(select(FollowUp.id).where(FollowUp.vote_id == vote_id)) is not None


async def follow_ups_of(session: AsyncSession, council_id: int) -> Sequence[FollowUp]:
    return (
        await session.scalars(select(FollowUp).where(FollowUp.council_id == council_id).order_by(FollowUp.due_on))
    ).all()


async def follow_ups_with_sources(
    session: AsyncSession, council_id: int
) -> Sequence[tuple[FollowUp, Vote, Meeting, Member]]:
    """A council's follow-ups, each with its vote, meeting and responsible member, by due date: one query
    however many (a year holds hundreds)."""
    rows = await session.execute(
        select(FollowUp, Vote, Meeting, Member)
        .join(Vote, Vote.id == FollowUp.vote_id)
        .join(Meeting, Meeting.id == Vote.meeting_id)
        .join(Member, Member.id == FollowUp.member_id)
        .where(FollowUp.council_id == council_id)
        .order_by(FollowUp.due_on, FollowUp.id)
    )
    return [(follow_up, vote, meeting, member) for follow_up, vote, meeting, member in rows.all()]


async def done_between(
    session: AsyncSession, council_id: int, after: datetime | None, until: datetime
) -> Sequence[FollowUp]:
    query = select(FollowUp).where(
        FollowUp.council_id == council_id, FollowUp.state == FollowUpState.DONE, FollowUp.done_at <= until
    )
    if after is not None:
        query = query.where(FollowUp.done_at > after)
    return (await session.scalars(query.order_by(FollowUp.done_at))).all()


async def open_follow_ups(session: AsyncSession) -> Sequence[FollowUp]:
    return (await session.scalars(select(FollowUp).where(FollowUp.state == FollowUpState.OPEN))).all()


async def mark_done_if_open(session: AsyncSession, follow_up_id: int, **values: object) -> bool:
    """Done, only from open: False when a report came first."""
    result = await session.execute(
        update(FollowUp)
        .where(FollowUp.id == follow_up_id, FollowUp.state == FollowUpState.OPEN)
        .values(state=FollowUpState.DONE, **values)
        .execution_options(synchronize_session="fetch")
    )
    return bool(rows_changed(result))


async def claim_reminder(session: AsyncSession, follow_up_id: int, stage: int) -> bool:
    """This reminder stage, once: False when another instance (or run) has sent it."""
    claimed = await session.execute(
        update(FollowUp)
        .where(FollowUp.id == follow_up_id, FollowUp.reminded < stage)
        .values(reminded=stage)
        .execution_options(synchronize_session=False)
    )
    return bool(rows_changed(claimed))
