"""Repository functions by capability: add, flush, select. They never commit; the operation that calls them
does. Import the capability you need (`from db.repo import meetings as meetings_repo`); this package itself
gives only the helpers every capability shares."""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, TypeVar, cast

from sqlalchemy import CursorResult, Result, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from db.models import Base

Model = TypeVar("Model", bound=Base)


def rows_changed(result: Result[*tuple[Any, ...]]) -> int:
    """How many rows an UPDATE or DELETE without RETURNING changed.

    The session returns a CursorResult for such a statement but types it as a plain Result (since SQLAlchemy
    2.0.44 it promises no more than that for every statement); the cast is SQLAlchemy's advice:
    https://github.com/sqlalchemy/sqlalchemy/issues/12913"""
    return cast(CursorResult[*tuple[Any, ...]], result).rowcount


class _WithId(Protocol):
    """A mapped model with an integer primary key `id` (the column, as the class gives it)."""

    id: ClassVar[InstrumentedAttribute[int]]


async def change_if(session: AsyncSession, model: type[_WithId], row_id: int, *expected: Any, **values: Any) -> bool:
    """UPDATE model SET values WHERE id = row_id AND expected: True when this call changed the row.

    The database is the judge of a state change: of two racing attempts (a double tap, two instances), the
    second waits for the first's commit, then finds the row no longer as expected and changes nothing."""
    result = await session.execute(update(model).where(model.id == row_id, *expected).values(**values))
    return rows_changed(result) == 1


async def referenced(session: AsyncSession, model: type[Model], row_id: int) -> Model:
    """The row another row's foreign key names (a vote's meeting, a meeting's council): the constraint says
    it exists, so unlike `session.get` this never answers None; a row gone all the same raises NoResultFound."""
    return await session.get_one(model, row_id)


async def remove(session: AsyncSession, row: object) -> None:
    """Delete one row the session holds (written at the next flush or commit)."""
    await session.delete(row)


async def reload(session: AsyncSession, row: object) -> None:
    """Read a row again after a conditional UPDATE changed it behind the session's back."""
    await session.refresh(row)
