"""The trimester check's reads and writes, each one query for every council at once (a district runs
thousands): the meetings in a window, the warnings recorded, and the day's new rows in bulk."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Row, Table, insert, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstanceState

from db.models import Base, Meeting, MeetingStatus, WatchdogWarning


async def meetings_between(
    session: AsyncSession, statuses: tuple[MeetingStatus, ...], since: datetime, until: datetime
) -> Sequence[Row]:
    """Plain rows (council_id, id, starts_at, status), by start: thousands cost far less than ORM objects."""
    return (
        await session.execute(
            select(Meeting.council_id, Meeting.id, Meeting.starts_at, Meeting.status)
            .where(Meeting.status.in_(statuses), Meeting.starts_at >= since, Meeting.starts_at < until)
            .order_by(Meeting.starts_at)
        )
    ).all()


async def warnings_for(session: AsyncSession, trimester_starts: Collection[date]) -> Sequence[Row]:
    """Plain rows (council_id, trimester_start, stage, sent_on) of the warnings of these trimesters."""
    return (
        await session.execute(
            select(
                WatchdogWarning.council_id,
                WatchdogWarning.trimester_start,
                WatchdogWarning.stage,
                WatchdogWarning.sent_on,
            ).where(WatchdogWarning.trimester_start.in_(set(trimester_starts)))
        )
    ).all()


async def insert_in_bulk(session: AsyncSession, *models: type[Base]) -> None:
    """Write the session's new rows of these models as one executemany INSERT per model (and set of columns).

    A flush inserts row by row on SQLite (it needs each new id back, and SQLite cannot return them in order
    for a batch), so a warning day in a district would cost two statements per council. Nothing reads these
    rows' ids afterwards, so they leave the session and go in through the table, in the order they were added.
    """
    # By model and the columns given, in model order.
    batches: dict[tuple[type[Base], tuple[str, ...]], list[dict[str, Any]]] = {}
    for model in models:
        states = sorted((inspect(obj) for obj in session.new if type(obj) is model), key=_added_order)
        columns = {attribute.key: attribute.columns[0].key for attribute in inspect(model).column_attrs}
        for state in states:
            row = {columns[key]: value for key, value in state.dict.items() if key in columns}
            batches.setdefault((model, tuple(row)), []).append(row)
            session.expunge(state.object)  # all of them before the first execute, which would flush the rest
    for (model, _columns), rows in batches.items():
        table = cast(Table, model.__table__)  # declared models map a Table; typed as any FromClause
        await session.execute(insert(table), rows)


def _added_order(state: InstanceState[Base]) -> int:
    """The order the object was added to the session in: set by `add`, so every object in `session.new` has it."""
    if state.insert_order is None:
        raise ValueError(f"{state.object!r} is not pending in a session")
    return state.insert_order
