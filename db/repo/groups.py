"""Associations and creative groups: the groups, their heads and themes put to the council, members'
associations, and the reports rated at meetings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    AssociationMember,
    Choice,
    CreativeGroupMember,
    GroupProposal,
    GroupReport,
    Member,
    MemberStatus,
    ProposalKind,
    ProposalState,
    Rating,
    TeacherGroup,
)
from db.repo import rows_changed
from db.repo.councils import not_paused


async def get_group(session: AsyncSession, group_id: int) -> TeacherGroup | None:
    return await session.get(TeacherGroup, group_id)


async def council_groups(session: AsyncSession, council_id: int) -> Sequence[TeacherGroup]:
    """Every group of a council, archived ones too, by kind and name."""
    return (
        await session.scalars(
            select(TeacherGroup)
            .where(TeacherGroup.council_id == council_id)
            .order_by(TeacherGroup.kind, TeacherGroup.name, TeacherGroup.id)
        )
    ).all()


async def ended_groups(session: AsyncSession, today: date) -> Sequence[TeacherGroup]:
    """Temporary groups whose end date has passed and are not archived yet (of councils not paused)."""
    return (
        await session.scalars(
            select(TeacherGroup)
            .where(
                TeacherGroup.archived_at.is_(None),
                TeacherGroup.ends_on.is_not(None),
                TeacherGroup.ends_on < today,
                not_paused(TeacherGroup.council_id),
            )
            .order_by(TeacherGroup.id)
        )
    ).all()


async def proposals_of(session: AsyncSession, group_ids: Sequence[int]) -> Sequence[GroupProposal]:
    """The heads and themes put to the council for these groups, oldest first."""
    if not group_ids:
        return []
    return (
        await session.scalars(
            select(GroupProposal).where(GroupProposal.group_id.in_(group_ids)).order_by(GroupProposal.id)
        )
    ).all()


async def get_proposal(session: AsyncSession, proposal_id: int) -> GroupProposal | None:
    return await session.get(GroupProposal, proposal_id)


async def replace_pending(session: AsyncSession, group_id: int, kind: ProposalKind, school_year: int) -> None:
    """A newer proposal takes the place of one still waiting (a theme: of the same school year): the older one's
    agenda item decides nothing."""
    waiting = [
        GroupProposal.group_id == group_id,
        GroupProposal.kind == kind,
        GroupProposal.state == ProposalState.PROPOSED,
    ]
    if kind is ProposalKind.THEME:
        waiting.append(GroupProposal.school_year == school_year)
    await session.execute(
        update(GroupProposal)
        .where(*waiting)
        .values(state=ProposalState.REPLACED)
        .execution_options(synchronize_session=False)
    )


async def proposals_on_item(session: AsyncSession, meeting_id: int, position: int) -> Sequence[GroupProposal]:
    return (
        await session.scalars(
            select(GroupProposal).where(GroupProposal.meeting_id == meeting_id, GroupProposal.item_position == position)
        )
    ).all()


async def proposals_of_meeting(session: AsyncSession, meeting_id: int) -> Sequence[GroupProposal]:
    return (await session.scalars(select(GroupProposal).where(GroupProposal.meeting_id == meeting_id))).all()


async def decide_proposal(
    session: AsyncSession, proposal_id: int, state: ProposalState, vote_id: int, now: datetime
) -> bool:
    """The vote on its item decides a proposal still waiting, once."""
    result = await session.execute(
        update(GroupProposal)
        .where(GroupProposal.id == proposal_id, GroupProposal.state == ProposalState.PROPOSED)
        .values(state=state, vote_id=vote_id, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result) == 1


# --- members' associations -----------------------------------------------------------------------------------


async def associations_of_council(session: AsyncSession, council_id: int) -> dict[int, int]:
    """member id -> the association they belong to, for a council's members."""
    rows = await session.execute(
        select(AssociationMember.member_id, AssociationMember.group_id)
        .join(Member, Member.id == AssociationMember.member_id)
        .where(Member.council_id == council_id)
    )
    return {member_id: group_id for member_id, group_id in rows.all()}


async def association_of(session: AsyncSession, member_id: int) -> int | None:
    return await session.scalar(select(AssociationMember.group_id).where(AssociationMember.member_id == member_id))


async def leave_association(session: AsyncSession, member_id: int) -> bool:
    result = await session.execute(delete(AssociationMember).where(AssociationMember.member_id == member_id))
    return rows_changed(result) > 0


async def join_association(session: AsyncSession, member_id: int, group_id: int, now: datetime) -> None:
    """The member's one association (the primary key keeps it one): any other is left."""
    await leave_association(session, member_id)
    session.add(AssociationMember(member_id=member_id, group_id=group_id, joined_at=now))
    await session.flush()


# --- members of creative groups ---------------------------------------------------------------------------------


async def creative_members_of_council(session: AsyncSession, council_id: int) -> list[tuple[int, int]]:
    """(group id, member id) of every creative group of a council, by the order they joined."""
    rows = await session.execute(
        select(CreativeGroupMember.group_id, CreativeGroupMember.member_id)
        .join(TeacherGroup, TeacherGroup.id == CreativeGroupMember.group_id)
        .where(TeacherGroup.council_id == council_id)
        .order_by(CreativeGroupMember.joined_at, CreativeGroupMember.member_id)
    )
    return [(group_id, member_id) for group_id, member_id in rows.all()]


async def in_creative_group(session: AsyncSession, group_id: int, member_id: int) -> bool:
    found = await session.scalar(
        select(CreativeGroupMember.member_id).where(
            CreativeGroupMember.group_id == group_id, CreativeGroupMember.member_id == member_id
        )
    )
    return found is not None


async def join_creative_group(session: AsyncSession, group_id: int, member_id: int, now: datetime) -> None:
    session.add(CreativeGroupMember(group_id=group_id, member_id=member_id, joined_at=now))
    await session.flush()  # the primary key: in a group once


async def leave_creative_group(session: AsyncSession, group_id: int, member_id: int) -> bool:
    result = await session.execute(
        delete(CreativeGroupMember).where(
            CreativeGroupMember.group_id == group_id, CreativeGroupMember.member_id == member_id
        )
    )
    return rows_changed(result) > 0


async def approved_members(session: AsyncSession, council_id: int) -> Sequence[Member]:
    return (
        await session.scalars(
            select(Member)
            .where(Member.council_id == council_id, Member.status == MemberStatus.APPROVED)
            .order_by(Member.full_name, Member.id)
        )
    ).all()


# --- reports and their ratings -------------------------------------------------------------------------------


async def report_on_item(session: AsyncSession, meeting_id: int, position: int) -> GroupReport | None:
    return await session.scalar(
        select(GroupReport).where(GroupReport.meeting_id == meeting_id, GroupReport.item_position == position)
    )


async def report_of_vote(session: AsyncSession, vote_id: int) -> GroupReport | None:
    return await session.scalar(select(GroupReport).where(GroupReport.vote_id == vote_id))


async def reports_of_meeting(session: AsyncSession, meeting_id: int) -> Sequence[GroupReport]:
    return (
        await session.scalars(
            select(GroupReport).where(GroupReport.meeting_id == meeting_id).order_by(GroupReport.item_position)
        )
    ).all()


async def reports_of_groups(session: AsyncSession, group_ids: Sequence[int]) -> Sequence[GroupReport]:
    """The reports of these groups on any agenda, oldest first."""
    if not group_ids:
        return []
    return (
        await session.scalars(select(GroupReport).where(GroupReport.group_id.in_(group_ids)).order_by(GroupReport.id))
    ).all()


async def claim_rating_vote(session: AsyncSession, report_id: int, vote_id: int, previous: int | None) -> bool:
    """The report's rating vote: one at a time (the second /rate finds the first's vote there)."""
    result = await session.execute(
        update(GroupReport)
        .where(
            GroupReport.id == report_id,
            GroupReport.vote_id.is_(None) if previous is None else GroupReport.vote_id == previous,
        )
        .values(vote_id=vote_id)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result) == 1


def record_rating(report: GroupReport, rating: Rating, counts: dict[Choice, int], now: datetime) -> None:
    """The rating and the votes for each option of the vote's scale (`counts`); an option of no scale of the
    vote's stays None."""
    report.rating = rating
    report.votes_high = counts.get(Choice.HIGH)
    report.votes_good = counts.get(Choice.GOOD)
    report.votes_satisfactory = counts.get(Choice.SATISFACTORY)
    report.votes_unsatisfactory = counts.get(Choice.UNSATISFACTORY)
    report.votes_medium = counts.get(Choice.MEDIUM)
    report.votes_low = counts.get(Choice.LOW)
    report.rated_at = now
