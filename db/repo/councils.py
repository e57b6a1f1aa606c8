"""Councils: found by their group, their join code, their chair."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Council,
)


async def council_by_chat(session: AsyncSession, chat_id: int) -> Council | None:
    return await session.scalar(select(Council).where(Council.chat_id == chat_id))


async def council_by_code(session: AsyncSession, join_code: str) -> Council | None:
    return await session.scalar(select(Council).where(Council.join_code == join_code))


async def get_council(session: AsyncSession, council_id: int) -> Council | None:
    return await session.get(Council, council_id)


async def move_council_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> bool:
    result = await session.execute(update(Council).where(Council.chat_id == old_chat_id).values(chat_id=new_chat_id))
    return bool(result.rowcount)


async def councils_chaired_by(session: AsyncSession, user_id: int) -> Sequence[Council]:
    return (await session.scalars(select(Council).where(Council.chair_id == user_id).order_by(Council.id))).all()
