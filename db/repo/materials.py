"""Methodical materials, their history, and the files waiting in the quarantine for their dialog."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Material, MaterialEvent, MaterialState, Member, QuarantinedFile
from db.repo import rows_changed


async def get_material(session: AsyncSession, material_id: int) -> Material | None:
    return await session.get(Material, material_id)


async def same_file(session: AsyncSession, council_id: int, digest: str) -> Material | None:
    return await session.scalar(select(Material).where(Material.council_id == council_id, Material.sha256 == digest))


async def submissions_since(session: AsyncSession, user_id: int, since: datetime) -> int:
    """New materials and new versions this person sent since a moment (the daily limit)."""
    counted = await session.execute(
        select(func.count())
        .select_from(MaterialEvent)
        .where(
            MaterialEvent.by_user == user_id,
            MaterialEvent.state == MaterialState.SUBMITTED,
            MaterialEvent.at >= since,
        )
    )
    return counted.scalar_one()  # a count is one row, always


async def council_materials(session: AsyncSession, council_id: int) -> Sequence[Material]:
    """Every material of a council, by state, newest first within each."""
    return (
        await session.scalars(
            select(Material).where(Material.council_id == council_id).order_by(Material.state, Material.id.desc())
        )
    ).all()


async def returned_materials(session: AsyncSession, author_id: int) -> Sequence[Material]:
    return (
        await session.scalars(
            select(Material)
            .where(Material.author_id == author_id, Material.state == MaterialState.RETURNED)
            .order_by(Material.id)
        )
    ).all()


async def approved_with_authors(session: AsyncSession, council_id: int) -> Sequence[tuple[Material, str]]:
    """The bank: approved materials with their author's name, newest first."""
    rows = await session.execute(
        select(Material, Member.full_name)
        .join(Member, Member.id == Material.author_id)
        .where(Material.council_id == council_id, Material.state == MaterialState.APPROVED)
        .order_by(Material.updated_at.desc())
    )
    return [(material, name) for material, name in rows.all()]


async def submitted_between(
    session: AsyncSession, council_id: int, start: datetime, end: datetime
) -> Sequence[tuple[Material, str]]:
    """Materials submitted in a window (a school year), with their author's name, in order."""
    rows = await session.execute(
        select(Material, Member.full_name)
        .join(Member, Member.id == Material.author_id)
        .where(Material.council_id == council_id, Material.created_at >= start, Material.created_at < end)
        .order_by(Material.id)
    )
    return [(material, name) for material, name in rows.all()]


# --- the quarantine ---------------------------------------------------------------------------------------


async def get_quarantined(session: AsyncSession, held_id: int) -> QuarantinedFile | None:
    return await session.get(QuarantinedFile, held_id)


async def take_quarantined(session: AsyncSession, held_id: int, user_id: int) -> bool:
    """The held file's row goes: True for the one call that removed it (a second finds it gone)."""
    gone = await session.execute(
        delete(QuarantinedFile).where(QuarantinedFile.id == held_id, QuarantinedFile.user_id == user_id)
    )
    return rows_changed(gone) == 1


async def forget_quarantined_before(session: AsyncSession, before: datetime) -> set[str]:
    """Forget the dialogs begun before `before`; the stored names of their files."""
    old = QuarantinedFile.created_at < before
    names = set((await session.scalars(select(QuarantinedFile.stored_name).where(old))).all())
    await session.execute(delete(QuarantinedFile).where(old))
    return names


async def quarantined_names(session: AsyncSession) -> set[str]:
    """The stored names of the files some dialog still waits for."""
    return set((await session.scalars(select(QuarantinedFile.stored_name))).all())


async def quarantine_waits_for(session: AsyncSession, stored_name: str) -> bool:
    waiting = await session.scalar(
        select(QuarantinedFile.id).where(QuarantinedFile.stored_name == stored_name).limit(1)
    )
    return waiting is not None
