"""Who did what to the council's record (issue 8): one entry per change, in the transaction of the change.

`record` only adds the entry to the session: the operation that made the change commits both at once, so
the record and its log cannot disagree. A ballot is never an entry: a secret ballot's choice is nobody's to log.
"""

from __future__ import annotations

import enum
import math
from datetime import datetime

from sqlalchemy import Select, and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import AuditLine, LogPage
from db.models import (
    AuditAction,
    AuditEntry,
    AuditObject,
    Material,
    MaterialState,
    Meeting,
    Member,
    Vote,
)

# The chair's three decisions over a material, as log actions.
MATERIAL_DECISIONS = {
    MaterialState.APPROVED: AuditAction.MATERIAL_APPROVED,
    MaterialState.RETURNED: AuditAction.MATERIAL_RETURNED,
    MaterialState.REJECTED: AuditAction.MATERIAL_REJECTED,
}
PAGE = 10
SHORT = 300  # the before/after columns

# The object's name at the time of the change, read by the INSERT itself (no extra query, no flush here).
_NAMES = {
    AuditObject.MEMBER: (Member.full_name, Member.id),
    AuditObject.MATERIAL: (Material.title, Material.id),
    AuditObject.VOTE: (Vote.decision, Vote.id),
}


def _short(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)[:SHORT]


def record(
    session: AsyncSession,
    *,
    council_id: int,
    actor_id: int | None,
    action: AuditAction,
    obj_kind: AuditObject,
    obj_id: int | None,
    before: object = None,
    after: object = None,
    now: datetime,
) -> AuditEntry | None:
    """Add one entry to the session; the caller's commit writes it with the change (never a secret).

    A change to the same value (the current group language pressed again) changed nothing: no entry."""
    if (before is not None or after is not None) and _short(before) == _short(after):
        return None
    entry = AuditEntry(
        council_id=council_id,
        at=now,
        actor_id=actor_id,
        action=action,
        obj_kind=obj_kind,
        obj_id=obj_id,
        before=_short(before),
        after=_short(after),
    )
    if actor_id is not None:
        entry.actor_name = (
            select(Member.full_name)
            .where(Member.council_id == council_id, Member.user_id == actor_id)
            .scalar_subquery()
        )
    if obj_kind in _NAMES and obj_id is not None:
        column, key = _NAMES[obj_kind]
        entry.obj_name = select(func.substr(column, 1, 200)).where(key == obj_id).scalar_subquery()
    session.add(entry)
    return entry


async def withdraw(session: AsyncSession, action: AuditAction, obj_kind: AuditObject, obj_id: int) -> None:
    """An action Telegram made us undo (its group message was never posted): it did not happen, so its
    entry goes in the transaction that undoes it. Nothing else is ever removed from the log."""
    await session.execute(
        delete(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.obj_kind == obj_kind, AuditEntry.obj_id == obj_id
        )
    )


def _latest(council_id: int) -> Select:
    return (
        select(AuditEntry, Meeting.starts_at)
        .outerjoin(Meeting, and_(AuditEntry.obj_kind == AuditObject.MEETING, Meeting.id == AuditEntry.obj_id))
        .where(AuditEntry.council_id == council_id)
        .order_by(AuditEntry.id.desc())
    )


async def log_page(session: AsyncSession, user_id: int, page: int) -> LogPage:
    """A page of the log of the council this person runs (the chair or the secretary), newest first."""
    from bot.meetings import council_for_runner  # meetings imports this module: keep the graph one-way at load

    council = await council_for_runner(session, user_id)
    total = await session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.council_id == council.id))
    pages = max(1, math.ceil((total or 0) / PAGE))
    page = max(0, min(page, pages - 1))
    rows = (await session.execute(_latest(council.id).limit(PAGE).offset(page * PAGE))).all()
    return LogPage(council, [AuditLine(entry, starts_at) for entry, starts_at in rows], page, pages)
