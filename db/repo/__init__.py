"""Repository functions by capability: add, flush, select. They never commit; the operation that calls them
does. Import the capability you need (`from db.repo import meetings as meetings_repo`); this package itself
gives only the helpers every capability shares."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession


async def change_if(session: AsyncSession, model: type, row_id: int, *expected: Any, **values: Any) -> bool:
    """UPDATE model SET values WHERE id = row_id AND expected: True when this call changed the row.

    The database is the judge of a state change: of two racing attempts (a double tap, two instances), the
    second waits for the first's commit, then finds the row no longer as expected and changes nothing."""
    result = await session.execute(update(model).where(model.id == row_id, *expected).values(**values))
    return result.rowcount == 1


async def remove(session: AsyncSession, row: object) -> None:
    """Delete one row the session holds (written at the next flush or commit)."""
    await session.delete(row)


async def reload(session: AsyncSession, row: object) -> None:
    """Read a row again after a conditional UPDATE changed it behind the session's back."""
    await session.refresh(row)
