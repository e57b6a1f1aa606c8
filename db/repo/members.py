"""People: the users the bot knows and their places (members, participants) in councils."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Council, Member, MemberStatus, User


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def ensure_user(session: AsyncSession, user_id: int, now: datetime) -> User:
    user = await session.get(User, user_id)
    if user is None:
        user = User(id=user_id, created_at=now)
        session.add(user)
        await session.flush()
    return user


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


async def approved_members(session: AsyncSession, council_id: int) -> Sequence[Member]:
    return (
        await session.scalars(
            select(Member)
            .where(Member.council_id == council_id, Member.status == MemberStatus.APPROVED)
            .order_by(Member.full_name)
        )
    ).all()


async def chair_languages(session: AsyncSession) -> dict[int, str | None]:
    """Every chair's stored language, by user id, in one query."""
    return dict(
        (await session.execute(select(User.id, User.language).join(Council, Council.chair_id == User.id))).all()
    )
