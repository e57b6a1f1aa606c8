"""Who may act for a council (cl. 4.1): the chair runs its meetings, with the secretary the chair names;
an approved member belongs to it. Every operation that acts for a council asks here first."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot import log_context
from bot.errors import KeneshError
from bot.i18n import lazy_gettext as __
from db.models import Council, MemberStatus
from db.repo import councils as councils_repo
from db.repo import members as members_repo

NOT_RUNNER = __("Only the chair or the secretary of the council can do this.")


def runs_meetings(council: Council, user_id: int) -> bool:
    """cl. 4.1: the chair runs the council's meetings, and the secretary the chair names."""
    return user_id in (council.chair_id, council.secretary_id)


async def council_for_runner(session: AsyncSession, user_id: int, group_chat_id: int | None = None) -> Council:
    """The council this chair (or secretary) acts for: the group's own, or, in private, the one they run."""
    if group_chat_id is not None:
        council = await councils_repo.council_by_chat(session, group_chat_id)
        if council is None:
            raise KeneshError(__("This group has no council yet. A group administrator can create it with /setup."))
        log_context.bind(council_id=council.id)
        if not runs_meetings(council, user_id):
            raise KeneshError(NOT_RUNNER)
        return council
    for place in await members_repo.memberships_of(session, user_id):
        council = await councils_repo.get_council(session, place.council_id)
        if council is not None and place.status is MemberStatus.APPROVED and runs_meetings(council, user_id):
            log_context.bind(council_id=council.id)
            return council
    raise KeneshError(NOT_RUNNER)


async def council_of_member(session: AsyncSession, user_id: int) -> Council:
    for place in await members_repo.memberships_of(session, user_id):
        if place.status is MemberStatus.APPROVED:
            council = await councils_repo.get_council(session, place.council_id)
            if council is not None:
                log_context.bind(council_id=council.id)
                return council
    raise KeneshError(
        __("You are not a member of a council yet. Ask the chair for the join link in the council's group.")
    )
