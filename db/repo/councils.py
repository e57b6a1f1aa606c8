"""Councils: found by their group, their join code, their chair."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Council,
)
from db.repo import change_if, rows_changed


def not_paused(council_id: Any) -> ColumnElement[bool]:
    """The row's council (by this column; a row of no council counts too) is not paused by the operator: what
    holds a paused council's posts, reminders, vote timers and warnings in every query that sends or plans
    them. NOT EXISTS, not NOT IN: a NULL council id is "not paused"."""
    return ~exists().where(Council.id == council_id, Council.paused_at.is_not(None))


async def council_by_chat(session: AsyncSession, chat_id: int) -> Council | None:
    return await session.scalar(select(Council).where(Council.chat_id == chat_id))


async def council_by_code(session: AsyncSession, join_code: str) -> Council | None:
    return await session.scalar(select(Council).where(Council.join_code == join_code))


async def get_council(session: AsyncSession, council_id: int) -> Council | None:
    return await session.get(Council, council_id)


async def move_council_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> bool:
    result = await session.execute(update(Council).where(Council.chat_id == old_chat_id).values(chat_id=new_chat_id))
    return bool(rows_changed(result))


async def councils_chaired_by(session: AsyncSession, user_id: int) -> Sequence[Council]:
    return (await session.scalars(select(Council).where(Council.chair_id == user_id).order_by(Council.id))).all()


async def all_councils(session: AsyncSession) -> list[Council]:
    return list((await session.scalars(select(Council).order_by(Council.id))).all())


async def name_secretary(session: AsyncSession, council_id: int, user_id: int) -> bool:
    """This person becomes the secretary: False when they already are (a second press changes nothing)."""
    return await change_if(
        session,
        Council,
        council_id,
        or_(Council.secretary_id.is_(None), Council.secretary_id != user_id),
        secretary_id=user_id,
    )
