"""The council's log: entries written with the change they record, read a page at a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditAction, AuditEntry, AuditObject, Material, Meeting, Member, TeacherGroup, Vote

# The object's name at the time of the change, read by the INSERT itself (no extra query, no flush here).
_NAMES = {
    AuditObject.MEMBER: (Member.full_name, Member.id),
    AuditObject.MATERIAL: (Material.title, Material.id),
    AuditObject.VOTE: (Vote.decision, Vote.id),
    AuditObject.GROUP: (TeacherGroup.name, TeacherGroup.id),
}


def add_entry(session: AsyncSession, entry: AuditEntry) -> AuditEntry:
    """Add the entry to the session, with the actor's and the object's names as they are now, read by the
    INSERT itself from the council's members and the object's row."""
    if entry.actor_id is not None:
        entry.actor_name = (
            select(Member.full_name)
            .where(Member.council_id == entry.council_id, Member.user_id == entry.actor_id)
            .scalar_subquery()
        )
    if entry.obj_kind in _NAMES and entry.obj_id is not None:
        column, key = _NAMES[entry.obj_kind]
        entry.obj_name = select(func.substr(column, 1, 200)).where(key == entry.obj_id).scalar_subquery()
    session.add(entry)
    return entry


async def withdraw(session: AsyncSession, action: AuditAction, obj_kind: AuditObject, obj_id: int) -> None:
    await session.execute(
        delete(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.obj_kind == obj_kind, AuditEntry.obj_id == obj_id
        )
    )


async def count_entries(session: AsyncSession, council_id: int) -> int:
    return await session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.council_id == council_id)) or 0


def _latest(council_id: int) -> Select:
    return (
        select(AuditEntry, Meeting.starts_at)
        .outerjoin(Meeting, and_(AuditEntry.obj_kind == AuditObject.MEETING, Meeting.id == AuditEntry.obj_id))
        .where(AuditEntry.council_id == council_id)
        .order_by(AuditEntry.id.desc())
    )


async def latest_entries(
    session: AsyncSession, council_id: int, limit: int, offset: int
) -> Sequence[tuple[AuditEntry, datetime | None]]:
    """A page of the log, newest first, each entry with its meeting's start when it is about a meeting."""
    rows = await session.execute(_latest(council_id).limit(limit).offset(offset))
    return [(entry, starts_at) for entry, starts_at in rows.all()]
