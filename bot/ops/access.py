"""Who may act for a council (cl. 4.1): the chair runs its meetings, with the secretary the chair names;
an approved member belongs to it. Every operation that acts for a council asks here first."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot import log_context
from bot.errors import KeneshError
from bot.i18n import lazy_gettext as __
from bot.ui.operator import PAUSED
from bot.ui.regulation import regulation_version
from db.models import Council, Member, MemberStatus
from db.repo import councils as councils_repo
from db.repo import members as members_repo

NOT_RUNNER = __("Only the chair or the secretary of the council can do this.")


def runs_meetings(council: Council, user_id: int) -> bool:
    """cl. 4.1: the chair runs the council's meetings, and the secretary the chair names."""
    return user_id in (council.chair_id, council.secretary_id)


async def council_for_runner(session: AsyncSession, user_id: int, group_chat_id: int | None = None) -> Council:
    """The council this chair (or secretary) acts for: the group's own, or, in private, the one they run.
    Nobody acts for a council the operator paused (bot/ops/operator.py) until it is resumed."""
    if group_chat_id is not None:
        council = await councils_repo.council_by_chat(session, group_chat_id)
        if council is None:
            raise KeneshError(__("This group has no council yet. A group administrator can create it with /setup."))
        log_context.bind(council_id=council.id)
        if not runs_meetings(council, user_id):
            raise KeneshError(NOT_RUNNER)
        return _not_paused(council)
    for place in await members_repo.memberships_of(session, user_id):
        council = await councils_repo.get_council(session, place.council_id)
        if council is not None and place.status is MemberStatus.APPROVED and runs_meetings(council, user_id):
            log_context.bind(council_id=council.id)
            return _not_paused(council)
    raise KeneshError(NOT_RUNNER)


def _not_paused(council: Council) -> Council:
    if council.paused:
        raise KeneshError(PAUSED)
    return council


async def council_for_chair(session: AsyncSession, user_id: int) -> Council:
    """The council this person chairs (the council's settings are the chair's alone)."""
    for council in await councils_repo.councils_chaired_by(session, user_id):
        return council
    raise KeneshError(__("Only the chair of this council can do this."))


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


# --- the regulation in force: the one who runs a meeting has confirmed it (the regulation's closing line) ---

REGULATION_FIRST = __(
    "Before running a meeting, confirm that you have read the current edition of the regulation: send /regulation "
    "to me privately and press “I have read the regulation”."
)


def has_current_regulation(member: Member) -> bool:
    """This member confirmed the edition of the regulation in force (its Kyrgyz original's digest)."""
    return member.regulation_confirmed_at is not None and member.regulation_version == regulation_version()


async def require_current_regulation(session: AsyncSession, council: Council, user_id: int) -> None:
    """The one who runs a meeting (/open, /vote) has confirmed the regulation in force; members keep every
    right of theirs without it, and are reminded (`remind_regulation`)."""
    member = await members_repo.member_of(session, council.id, user_id)
    if member is None or not has_current_regulation(member):
        raise KeneshError(REGULATION_FIRST)
