"""Queries for the operator's `forget-member` and `delete-council` (bot/ops/personal_data.py)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Attendance,
    AuditEntry,
    AuditObject,
    Council,
    FollowUp,
    FsmRecord,
    Material,
    MaterialEvent,
    Meeting,
    MeetingStatus,
    Member,
    OutboxMessage,
    Plan,
    QuarantinedFile,
    RosterEntry,
    User,
)


async def member_in(session: AsyncSession, council_id: int, member_id: int) -> Member | None:
    return await session.scalar(select(Member).where(Member.council_id == council_id, Member.id == member_id))


async def on_open_meeting(session: AsyncSession, member_id: int) -> bool:
    """Whether the member is on the roster of a meeting that is open now."""
    return bool(
        await session.scalar(
            select(
                exists().where(
                    RosterEntry.member_id == member_id,
                    RosterEntry.meeting_id == Meeting.id,
                    Meeting.status == MeetingStatus.OPEN,
                )
            )
        )
    )


async def in_the_record(session: AsyncSession, member_id: int) -> bool:
    """Whether a closed meeting's protocol holds the member: its roster, a decision they answer for, or a
    material it discussed."""
    closed = select(Meeting.id).where(Meeting.status == MeetingStatus.CLOSED)
    checks = (
        exists().where(RosterEntry.member_id == member_id, RosterEntry.meeting_id.in_(closed)),
        exists().where(FollowUp.member_id == member_id),
        exists().where(Material.author_id == member_id, Material.meeting_id.in_(closed)),
    )
    for check in checks:
        if await session.scalar(select(check)):
            return True
    return False


async def drop_unsigned_roster_entries(session: AsyncSession, member_id: int) -> int:
    """Roster entries and presence at meetings not closed (none is open: the caller checked)."""
    not_closed = select(Meeting.id).where(Meeting.status != MeetingStatus.CLOSED)
    result = await session.execute(
        delete(RosterEntry).where(RosterEntry.member_id == member_id, RosterEntry.meeting_id.in_(not_closed))
    )
    await session.execute(
        delete(Attendance).where(Attendance.member_id == member_id, Attendance.meeting_id.in_(not_closed))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def unsigned_materials(session: AsyncSession, member_id: int) -> Sequence[Material]:
    """The member's materials no closed meeting discussed."""
    closed = select(Meeting.id).where(Meeting.status == MeetingStatus.CLOSED)
    return (
        await session.scalars(
            select(Material).where(
                Material.author_id == member_id, (Material.meeting_id.is_(None)) | Material.meeting_id.not_in(closed)
            )
        )
    ).all()


async def stored_name_used(session: AsyncSession, stored_name: str) -> bool:
    """Whether any material still names this archive file (the same bytes are stored once)."""
    return bool(await session.scalar(select(exists().where(Material.stored_name == stored_name))))


async def quarantined_of(session: AsyncSession, user_id: int, council_id: int | None) -> Sequence[QuarantinedFile]:
    query = select(QuarantinedFile).where(QuarantinedFile.user_id == user_id)
    if council_id is not None:
        query = query.where(QuarantinedFile.council_id == council_id)
    return (await session.scalars(query)).all()


async def replace_telegram_id(session: AsyncSession, council_id: int, old: int, new: int, name: str) -> int:
    """Every place of one council's records that names a person by Telegram id, or by name in the log, now
    names the placeholder instead. Returns how many rows changed."""
    meetings = select(Meeting.id).where(Meeting.council_id == council_id)
    materials = select(Material.id).where(Material.council_id == council_id)
    statements = (
        update(Member).where(Member.council_id == council_id, Member.user_id == old).values(user_id=new),
        update(Member).where(Member.council_id == council_id, Member.decided_by == old).values(decided_by=new),
        update(Meeting).where(Meeting.council_id == council_id, Meeting.created_by == old).values(created_by=new),
        update(Attendance)
        .where(Attendance.meeting_id.in_(meetings), Attendance.marked_by == old)
        .values(marked_by=new),
        update(MaterialEvent)
        .where(MaterialEvent.material_id.in_(materials), MaterialEvent.by_user == old)
        .values(by_user=new),
        update(Plan).where(Plan.council_id == council_id, Plan.created_by == old).values(created_by=new),
        update(FollowUp).where(FollowUp.council_id == council_id, FollowUp.assigned_by == old).values(assigned_by=new),
        update(AuditEntry)
        .where(AuditEntry.council_id == council_id, AuditEntry.actor_id == old)
        .values(actor_id=new, actor_name=name),
    )
    changed = 0
    for statement in statements:
        changed += int((await session.execute(statement)).rowcount or 0)  # type: ignore[attr-defined]
    return changed


async def rename_in_log(session: AsyncSession, council_id: int, member_id: int, name: str) -> int:
    result = await session.execute(
        update(AuditEntry)
        .where(
            AuditEntry.council_id == council_id,
            AuditEntry.obj_kind == AuditObject.MEMBER,
            AuditEntry.obj_id == member_id,
        )
        .values(obj_name=name)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def drop_outbox_to(session: AsyncSession, chat_id: int, council_id: int | None) -> int:
    query = delete(OutboxMessage).where(OutboxMessage.chat_id == chat_id)
    if council_id is not None:
        query = query.where(OutboxMessage.council_id == council_id)
    return int((await session.execute(query)).rowcount or 0)  # type: ignore[attr-defined]


async def has_other_places(session: AsyncSession, user_id: int) -> bool:
    """Whether the person still belongs anywhere: a membership or the chair or secretary of a council."""
    member = await session.scalar(select(exists().where(Member.user_id == user_id)))
    runs = await session.scalar(
        select(exists().where((Council.chair_id == user_id) | (Council.secretary_id == user_id)))
    )
    return bool(member or runs)


async def drop_user(session: AsyncSession, user_id: int) -> None:
    """The person's own row and conversation state (FSM keys hold the user id between colons)."""
    await session.execute(delete(FsmRecord).where(FsmRecord.key.like(f"%:{user_id}:%")))
    await session.execute(delete(OutboxMessage).where(OutboxMessage.chat_id == user_id))
    await session.execute(delete(User).where(User.id == user_id))


async def placeholder_user(session: AsyncSession, user_id: int, created_at: object) -> None:
    if await session.get(User, user_id) is None:
        session.add(User(id=user_id, language=None, created_at=created_at))
        await session.flush()


async def council_people(session: AsyncSession, council_id: int) -> set[int]:
    """Telegram ids of everyone the council's rows name as a member, chair or secretary."""
    council = await session.get(Council, council_id)
    people = set((await session.scalars(select(Member.user_id).where(Member.council_id == council_id))).all())
    if council is not None:
        people |= {council.chair_id} | ({council.secretary_id} if council.secretary_id else set())
    return people


async def council_files(session: AsyncSession, council_id: int) -> set[str]:
    return set((await session.scalars(select(Material.stored_name).where(Material.council_id == council_id))).all())


async def council_counts(session: AsyncSession, council_id: int) -> dict[str, int]:
    members = await session.scalar(select(func.count(Member.id)).where(Member.council_id == council_id))
    meetings = await session.scalar(select(func.count(Meeting.id)).where(Meeting.council_id == council_id))
    materials = await session.scalar(select(func.count(Material.id)).where(Material.council_id == council_id))
    return {"members": int(members or 0), "meetings": int(meetings or 0), "materials": int(materials or 0)}


async def delete_council(session: AsyncSession, council_id: int) -> None:
    """The council and, by the foreign keys' ON DELETE CASCADE, every row that belongs to it."""
    await session.execute(delete(Council).where(Council.id == council_id))
