"""Registration and the chair's decisions over members (cl. 4.2, 4.3, 7.2 and the regulation's closing line)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import rules
from bot.domain import Roster
from bot.errors import KeneshError
from bot.i18n import lazy_gettext as __
from bot.ops import audit, groups, notices
from bot.ops.access import has_current_regulation
from bot.text_input import clean_text
from bot.ui import members as ui_members
from bot.ui.regulation import regulation_version
from bot.ui.render import esc
from db.models import Council, Member, MemberStatus, Role, User
from db.repo import change_if, referenced, reload
from db.repo import councils as councils_repo
from db.repo import members as members_repo
from db.repo.outbox import Kind

log = logging.getLogger(__name__)

MAX_REJECTIONS = 3  # the first application and two more; then only a new join link from the chair
ORDER_NUMBER = re.compile(r"^[\w./\-]{1,32}$")

NOT_CHAIR = __("Only the chair of this council can do this.")
STALE = __("This button is out of date. Send /members to see the council as it is now.")


@dataclass(frozen=True)
class ChairView:
    council: Council
    member: Member


@dataclass(frozen=True)
class Joining:
    council: Council
    as_chair: bool  # the chair confirming their own name and the regulation: no role, no approval


async def start_joining(session: AsyncSession, user_id: int, join_code: str) -> Joining:
    council = await councils_repo.council_by_code(session, join_code)
    if council is None:
        raise KeneshError(
            __("This join link is not valid or no longer works. Ask the chair for the link in the council's group.")
        )
    member = await members_repo.member_of(session, council.id, user_id)
    if member is not None:
        if member.status is MemberStatus.PENDING:
            raise KeneshError(__("You have already applied. Your application is waiting for the chair's decision."))
        if member.status is MemberStatus.APPROVED:
            if member.role is Role.CHAIR and member.regulation_confirmed_at is None:
                return Joining(council, as_chair=True)
            raise KeneshError(__("You are already a member of this council. Send /help to see what you can do."))
        if (
            member.status is MemberStatus.REJECTED
            and member.rejections >= MAX_REJECTIONS
            and member.rejected_with_code == council.join_code
        ):
            raise KeneshError(
                __(
                    "Your application was not approved {count} times. You can apply again only with a new join "
                    "link: ask the chair for one."
                ),
                count=member.rejections,
            )
    return Joining(council, as_chair=False)


async def stored_language(session: AsyncSession, user_id: int) -> str | None:
    """The language this person chose in the bot, if they ever did."""
    user = await members_repo.get_user(session, user_id)
    return user.language if user is not None else None


async def set_language(session: AsyncSession, user_id: int, locale: str, now: datetime) -> User:
    user = await members_repo.ensure_user(session, user_id, now)
    if user.language != locale:
        user.language = locale
        await session.commit()
    return user


def parse_full_name(text: str | None) -> str:
    cleaned = clean_text(text)
    name = rules.normalize_full_name(cleaned)
    if name is None and rules.is_one_name_word(cleaned):  # letters, but one word: say what is missing
        raise KeneshError(
            __("Please send both your surname and your first name, in one message. For example: Осмонова Гүлнара")
        )
    if name is None:
        raise KeneshError(
            __(
                "Please send your full name in one message: surname and first name, in letters only. "
                "For example: Осмонова Гүлнара"
            )
        )
    return name


async def apply(
    session: AsyncSession,
    *,
    council_id: int,
    user_id: int,
    full_name: str,
    role: Role | None,
    now: datetime,
    default_locale: str,
    tz: ZoneInfo,
) -> ChairView:
    """Store an application (or the chair's own confirmation) with the time the regulation was confirmed."""
    council = await councils_repo.get_council(session, council_id)
    if council is None:
        raise KeneshError(__("This council no longer exists."))
    joining = await start_joining(session, user_id, council.join_code)  # the same checks, now, not at /start
    await members_repo.ensure_user(session, user_id, now)
    member = await members_repo.member_of(session, council_id, user_id)
    if joining.as_chair:
        assert member is not None
        member.full_name = full_name
        member.regulation_confirmed_at, member.regulation_version = now, regulation_version()
        await session.commit()
        log.info("Chair %s of council %s confirmed the regulation", user_id, council_id)
        return ChairView(council, member)
    if role is None or role is Role.CHAIR:
        raise KeneshError(__("Choose your role with the buttons above."))
    if member is None:
        member = Member(council_id=council_id, user_id=user_id)
        session.add(member)
    # A rejected or removed person may apply again: the same row, a fresh application.
    member.full_name = full_name
    member.role = role
    member.status = MemberStatus.PENDING
    member.regulation_confirmed_at, member.regulation_version = now, regulation_version()
    member.applied_at = now
    member.decided_at = None
    member.decided_by = None
    member.order_number = None
    await session.flush()
    # The chair decides privately; the application waits in the outbox if the chair cannot be reached yet.
    await notices.to_person(
        session,
        council.chair_id,
        lambda: ui_members.application_text(member, council, tz),
        kind=Kind.TO_CHAIR,
        now=now,
        default_locale=default_locale,
        council_id=council.id,
        markup=lambda: ui_members.application_keyboard(member.id),
    )
    await session.commit()
    log.info("Application %s to council %s (role %s)", member.id, council_id, role.value)
    return ChairView(council, member)


async def chair_view(session: AsyncSession, member_id: int, by_user_id: int) -> ChairView:
    """The member a chair's button points at, checked: the presser must chair that member's council."""
    member = await members_repo.get_member(session, member_id)
    if member is None:
        raise KeneshError(STALE)
    council = await councils_repo.get_council(session, member.council_id)
    if council is None or council.chair_id != by_user_id:
        raise KeneshError(NOT_CHAIR)
    return ChairView(council, member)


async def decide(
    session: AsyncSession, *, member_id: int, by_user_id: int, approve: bool, now: datetime, default_locale: str
) -> ChairView:
    view = await chair_view(session, member_id, by_user_id)
    member, council = view.member, view.council
    decided = __("This application has already been decided.")
    if member.status is not MemberStatus.PENDING:
        raise KeneshError(decided)
    # Approve pressed twice: the second press finds the application decided and tells no one again.
    values: dict[str, object] = {"status": MemberStatus.APPROVED if approve else MemberStatus.REJECTED}
    if not approve:
        values |= {"rejections": Member.rejections + 1, "rejected_with_code": council.join_code}
    if not await change_if(
        session,
        Member,
        member.id,
        Member.status == MemberStatus.PENDING,
        decided_at=now,
        decided_by=by_user_id,
        **values,
    ):
        raise KeneshError(decided)
    await reload(session, member)
    audit.record(
        session,
        council_id=council.id,
        actor_id=by_user_id,
        action=audit.AuditAction.MEMBER_APPROVED if approve else audit.AuditAction.MEMBER_REJECTED,
        obj_kind=audit.AuditObject.MEMBER,
        obj_id=member.id,
        now=now,
    )

    await notices.to_person(
        session,
        member.user_id,
        lambda: ui_members.application_outcome(member, council, approve),
        kind=Kind.PERSONAL,
        now=now,
        default_locale=default_locale,
        council_id=council.id,
    )
    await session.commit()
    log.info("Application %s %s", member_id, "approved" if approve else "rejected")
    return view


def _approved(view: ChairView) -> Member:
    if view.member.status is not MemberStatus.APPROVED:
        raise KeneshError(STALE)
    return view.member


async def set_order_number(
    session: AsyncSession, *, member_id: int, by_user_id: int, text: str, now: datetime
) -> ChairView:
    """cl. 7.2: the director's order that approved this member; "-" clears it."""
    view = await chair_view(session, member_id, by_user_id)
    member = _approved(view)
    value = clean_text(text).strip().lstrip("№#").strip()
    before = member.order_number
    if value == "-":
        member.order_number = None
    elif ORDER_NUMBER.match(value):
        member.order_number = value
    else:
        raise KeneshError(__("Send the order number only, for example 15 or 15/2 (or - to clear it)."))
    audit.record(
        session,
        council_id=view.council.id,
        actor_id=by_user_id,
        action=audit.AuditAction.ORDER_NUMBER_SET,
        obj_kind=audit.AuditObject.MEMBER,
        obj_id=member.id,
        before=before,
        after=member.order_number,
        now=now,
    )
    await session.commit()
    return view


async def _tell(
    session: AsyncSession, view: ChairView, render: Callable[[], str], now: datetime, default_locale: str
) -> None:
    """The member the chair's decision concerns is told, in their own language."""
    await notices.to_person(
        session,
        view.member.user_id,
        render,
        kind=Kind.PERSONAL,
        now=now,
        default_locale=default_locale,
        council_id=view.council.id,
    )


async def name_secretary(
    session: AsyncSession, *, member_id: int, by_user_id: int, now: datetime, default_locale: str
) -> ChairView:
    view = await chair_view(session, member_id, by_user_id)
    member = _approved(view)
    if not member.role.votes or member.role is Role.CHAIR:
        raise KeneshError(__("The secretary must be a member of the council with a vote, not the chair."))
    already = __("{name} is already the secretary.")
    if view.council.secretary_id == member.user_id or not await councils_repo.name_secretary(
        session, view.council.id, member.user_id
    ):
        raise KeneshError(already, name=esc(member.full_name))
    audit.record(
        session,
        council_id=view.council.id,
        actor_id=by_user_id,
        action=audit.AuditAction.SECRETARY_NAMED,
        obj_kind=audit.AuditObject.MEMBER,
        obj_id=member.id,
        now=now,
    )
    await _tell(
        session,
        view,
        lambda: ui_members.named_secretary(view.council),
        now,
        default_locale,
    )
    await session.commit()
    log.info("Council %s: secretary is now member %s", view.council.id, member.id)
    return view


async def hand_over_chair(
    session: AsyncSession, *, member_id: int, by_user_id: int, now: datetime, default_locale: str
) -> ChairView:
    """The chair hands the chair over (/members)."""
    view = await chair_view(session, member_id, by_user_id)
    return await transfer_chair(
        session, view, from_user_id=by_user_id, actor_id=by_user_id, now=now, default_locale=default_locale
    )


async def transfer_chair(
    session: AsyncSession,
    view: ChairView,
    *,
    from_user_id: int,
    actor_id: int,
    now: datetime,
    default_locale: str,
) -> ChairView:
    """The one hand-over of the chair, whoever asks: the chair (/members), or the operator when the chair has
    left (bot/ops/operator.py, `actor_id` the operator's). The chair passes from `from_user_id` to the view's
    member, once; the new chair's director's order is pending (cl. 4.1) until the chair records it."""
    member = _approved(view)
    if not member.role.votes or member.role is Role.CHAIR:
        raise KeneshError(__("The chair can be handed only to a member of the council with a vote."))
    # Pressed twice: the second press finds the presser no longer the chair and hands nothing over.
    if not await change_if(
        session, Council, view.council.id, Council.chair_id == from_user_id, chair_id=member.user_id
    ):
        raise KeneshError(NOT_CHAIR)
    old = await members_repo.member_of(session, view.council.id, from_user_id)
    if old is not None:
        old.role = Role.TEACHER  # the former chair stays a member with a vote
    member.role = Role.CHAIR
    # cl. 4.1: the director's order appointed the former chair; the new one's is pending until recorded.
    view.council.chair_order_number = view.council.chair_order_date = None
    audit.record(
        session,
        council_id=view.council.id,
        actor_id=actor_id,
        action=audit.AuditAction.CHAIR_HANDED_OVER,
        obj_kind=audit.AuditObject.MEMBER,
        obj_id=member.id,
        now=now,
    )
    if view.council.secretary_id == member.user_id:
        view.council.secretary_id = None
    await _tell(
        session,
        view,
        lambda: ui_members.handed_the_chair(view.council),
        now,
        default_locale,
    )
    await session.commit()
    log.info("Council %s: chair handed from %s to member %s", view.council.id, from_user_id, member.id)
    return view


async def remove_member(
    session: AsyncSession, *, member_id: int, by_user_id: int, now: datetime, default_locale: str
) -> ChairView:
    view = await chair_view(session, member_id, by_user_id)
    member = _approved(view)
    if member.role is Role.CHAIR:
        raise KeneshError(__("The chair cannot be removed. Hand over the chair first."))
    if not await change_if(
        session, Member, member.id, Member.status == MemberStatus.APPROVED, status=MemberStatus.REMOVED
    ):
        raise KeneshError(STALE)
    audit.record(
        session,
        council_id=view.council.id,
        actor_id=by_user_id,
        action=audit.AuditAction.MEMBER_REMOVED,
        obj_kind=audit.AuditObject.MEMBER,
        obj_id=member.id,
        now=now,
    )
    if view.council.secretary_id == member.user_id:
        view.council.secretary_id = None
    await _tell(session, view, lambda: ui_members.removed_from_council(view.council), now, default_locale)
    await session.commit()
    log.info("Council %s: member %s removed", view.council.id, member.id)
    return view


async def rosters_for(session: AsyncSession, user_id: int) -> list[Roster]:
    """The councils this user belongs to (approved), each with its pending and approved places."""
    rosters = []
    for place in await members_repo.memberships_of(session, user_id):
        if place.status is not MemberStatus.APPROVED:
            continue
        council = await councils_repo.get_council(session, place.council_id)
        if council is None:
            continue
        members = await members_repo.council_members(session, council.id)
        rosters.append(
            Roster(
                council,
                members,
                viewer_is_chair=council.chair_id == user_id,
                affiliations=await groups.affiliations(session, council.id),
            )
        )
    if not rosters:
        raise KeneshError(
            __("You are not a member of a council yet. Ask the chair for the join link in the council's group.")
        )
    return rosters


async def chaired_roster(session: AsyncSession, user_id: int) -> Roster:
    """The roster of the council this person chairs (the orders to fill in are the chair's)."""
    for council in await councils_repo.councils_chaired_by(session, user_id):
        return await roster_of(session, council.id)
    raise KeneshError(NOT_CHAIR)


async def roster_of(session: AsyncSession, council_id: int) -> Roster:
    council = await councils_repo.get_council(session, council_id)
    if council is None:
        raise KeneshError(STALE)
    members = await members_repo.council_members(session, council.id)
    return Roster(council, members, viewer_is_chair=True, affiliations=await groups.affiliations(session, council.id))


@dataclass(frozen=True)
class Roles:
    member: bool
    chair: bool
    runs_meetings: bool  # the chair or the secretary (cl. 4.1)


async def roles_of(session: AsyncSession, user_id: int) -> Roles:
    member = chair = runs = False
    for place in await members_repo.memberships_of(session, user_id):
        if place.status is not MemberStatus.APPROVED:
            continue
        council = await referenced(session, Council, place.council_id)
        member = True
        chair = chair or council.chair_id == user_id
        runs = runs or user_id in (council.chair_id, council.secretary_id)
    return Roles(member, chair, runs)


@dataclass(frozen=True)
class Welcome:
    """/start from someone already approved: greeted as a member of their council, with their commands."""

    name: str
    council_title: str
    roles: Roles


async def welcome_of(session: AsyncSession, user_id: int) -> Welcome | None:
    """None for someone who is not (yet) an approved member of any council."""
    places = [p for p in await members_repo.memberships_of(session, user_id) if p.status is MemberStatus.APPROVED]
    if not places:
        return None
    council = await referenced(session, Council, places[0].council_id)
    return Welcome(places[0].full_name, council.title, await roles_of(session, user_id))


# --- the regulation's edition each member confirmed (the regulation's closing line) ------------------------


async def needs_regulation(session: AsyncSession, user_id: int) -> bool:
    """This person belongs to a council (or applied to one) and has not confirmed the edition in force."""
    return any(not has_current_regulation(m) for m in await members_repo.memberships_of(session, user_id))


async def confirm_regulation(session: AsyncSession, *, user_id: int, version: str, now: datetime) -> None:
    """ "I have read the regulation" under /regulation: the edition shown is kept, in every council of theirs.
    A button shown before the text changed confirms nothing."""
    if version != regulation_version():
        raise KeneshError(
            __("The regulation has changed since this message. Send /regulation to read it as it is now.")
        )
    places = await members_repo.memberships_of(session, user_id)
    if not places:
        raise KeneshError(
            __("You are not a member of a council yet. Ask the chair for the join link in the council's group.")
        )
    for member in places:
        member.regulation_confirmed_at, member.regulation_version = now, version
    await session.commit()
    log.info("User %s confirmed the regulation, edition %s", user_id, version)
