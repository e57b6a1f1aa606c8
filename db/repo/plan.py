"""The annual plan (cl. 7.3): its versions and their entries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Plan, PlanEntry, PlanState


async def get_plan(session: AsyncSession, plan_id: int) -> Plan | None:
    return await session.get(Plan, plan_id)


async def latest_plan(session: AsyncSession, council_id: int, school_year: int | None = None) -> Plan | None:
    """The newest version (of the given school year, or of any)."""
    query = select(Plan).where(Plan.council_id == council_id)
    if school_year is not None:
        query = query.where(Plan.school_year == school_year)
    return await session.scalar(query.order_by(Plan.school_year.desc(), Plan.version.desc()).limit(1))


async def approved_plan(session: AsyncSession, council_id: int, school_year: int) -> Plan | None:
    return await session.scalar(
        select(Plan)
        .where(Plan.council_id == council_id, Plan.school_year == school_year, Plan.state == PlanState.APPROVED)
        .order_by(Plan.version.desc())
        .limit(1)
    )


async def adopted_plan(session: AsyncSession, council_id: int, school_year: int) -> Plan | None:
    """The newest version the council adopted: approved by the order first, else adopted by its item's vote."""
    return await session.scalar(
        select(Plan)
        .where(
            Plan.council_id == council_id,
            Plan.school_year == school_year,
            Plan.state.in_((PlanState.APPROVED, PlanState.DISCUSSED)),
        )
        .order_by((Plan.state == PlanState.APPROVED).desc(), Plan.version.desc())
        .limit(1)
    )


async def entries_of(session: AsyncSession, plan_id: int) -> Sequence[PlanEntry]:
    return (
        await session.scalars(select(PlanEntry).where(PlanEntry.plan_id == plan_id).order_by(PlanEntry.position))
    ).all()


async def drop_entries(session: AsyncSession, plan_id: int) -> None:
    await session.execute(delete(PlanEntry).where(PlanEntry.plan_id == plan_id))


async def draft_on_item(session: AsyncSession, meeting_id: int, item_position: int) -> Plan | None:
    """The draft plan that is this agenda item of this meeting, if any."""
    return await session.scalar(
        select(Plan).where(
            Plan.meeting_id == meeting_id,
            Plan.item_position == item_position,
            Plan.state == PlanState.DRAFT,
        )
    )


async def plans_of_councils(session: AsyncSession, council_ids: Sequence[int]) -> Sequence[Plan]:
    """Every plan of these councils, newest first per council (one query for any number of councils)."""
    return (
        await session.scalars(
            select(Plan)
            .where(Plan.council_id.in_(council_ids))
            .order_by(Plan.council_id, Plan.school_year.desc(), Plan.version.desc())
        )
    ).all()


async def entries_of_plans(session: AsyncSession, plan_ids: Sequence[int]) -> Sequence[PlanEntry]:
    return (
        await session.scalars(
            select(PlanEntry).where(PlanEntry.plan_id.in_(plan_ids)).order_by(PlanEntry.plan_id, PlanEntry.position)
        )
    ).all()
