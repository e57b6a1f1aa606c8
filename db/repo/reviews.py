"""Expert reviews of materials (cl. 3.1, 5): who was asked to review which version, and what they answered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Material, MaterialReview, MaterialState, Member, ReviewVerdict
from db.repo import rows_changed


async def get_review(session: AsyncSession, review_id: int) -> MaterialReview | None:
    return await session.get(MaterialReview, review_id)


async def reviews_with_names(
    session: AsyncSession, material_id: int, version: int
) -> Sequence[tuple[MaterialReview, str]]:
    """The reviews asked for one version of a material, with each reviewer's name, in the order asked."""
    rows = await session.execute(
        select(MaterialReview, Member.full_name)
        .join(Member, Member.id == MaterialReview.reviewer_id)
        .where(MaterialReview.material_id == material_id, MaterialReview.version == version)
        .order_by(MaterialReview.id)
    )
    return [(review, name) for review, name in rows.all()]


async def given_of_materials(
    session: AsyncSession, material_ids: Sequence[int]
) -> Sequence[tuple[MaterialReview, str]]:
    """The reviews given of these materials' current versions, with each reviewer's name, in the order asked."""
    if not material_ids:
        return []
    rows = await session.execute(
        select(MaterialReview, Member.full_name)
        .join(Member, Member.id == MaterialReview.reviewer_id)
        .join(Material, Material.id == MaterialReview.material_id)
        .where(
            MaterialReview.material_id.in_(material_ids),
            MaterialReview.version == Material.version,
            MaterialReview.given_at.is_not(None),
        )
        .order_by(MaterialReview.id)
    )
    return [(review, name) for review, name in rows.all()]


async def give(
    session: AsyncSession, review_id: int, *, verdict: ReviewVerdict, comment: str | None, named: bool, now: datetime
) -> bool:
    """The review given, once: a second answer finds it given and changes nothing."""
    result = await session.execute(
        update(MaterialReview)
        .where(MaterialReview.id == review_id, MaterialReview.given_at.is_(None))
        .values(verdict=verdict, comment=comment, named=named, given_at=now)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result) == 1


async def waiting(session: AsyncSession) -> Sequence[tuple[MaterialReview, Material]]:
    """Reviews not given yet of materials still to be decided, on the version asked (every council)."""
    rows = await session.execute(
        select(MaterialReview, Material)
        .join(Material, Material.id == MaterialReview.material_id)
        .where(
            MaterialReview.given_at.is_(None),
            MaterialReview.version == Material.version,
            Material.state.in_((MaterialState.SUBMITTED, MaterialState.ON_AGENDA)),
        )
        .order_by(MaterialReview.id)
    )
    return [(review, material) for review, material in rows.all()]


async def given_by_material(session: AsyncSession, material_ids: Sequence[int]) -> dict[int, int]:
    """How many expert reviews were given for each of these materials (any version)."""
    if not material_ids:
        return {}
    rows = await session.execute(
        select(MaterialReview.material_id, func.count())
        .where(MaterialReview.material_id.in_(material_ids), MaterialReview.given_at.is_not(None))
        .group_by(MaterialReview.material_id)
    )
    return {material_id: count for material_id, count in rows.all()}
