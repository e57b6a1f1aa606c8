"""Conversation state (aiogram FSM) kept in the database, one row per chat and user."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import FsmRecord


async def all_records(session: AsyncSession) -> Sequence[FsmRecord]:
    """Every conversation in progress (the table keeps no row for a person with no state)."""
    return (await session.scalars(select(FsmRecord))).all()


async def store_record(
    session: AsyncSession, key: str, values: dict[str, Any], now: datetime
) -> tuple[str | None, dict[str, Any]]:
    """The state and/or data given in `values`, the rest as stored; no row when nothing is left to keep.
    Returns what is stored now."""
    record = await session.get(FsmRecord, key)
    state = values.get("state", record.state if record else None)
    data = values.get("data", record.data if record else {})
    if state is None and not data:
        if record is not None:  # nothing left to remember: keep the table small
            await session.delete(record)
    elif record is None:
        session.add(FsmRecord(key=key, state=state, data=data, updated_at=now))
    else:
        record.state, record.data, record.updated_at = state, data, now
    return state, data
