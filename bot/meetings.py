"""Meetings: the agenda with a week's notice (cl. 7.5), attendance, and closing with a numbered protocol."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.ext.asyncio import AsyncSession

from bot import meeting_texts, notices, rules
from bot.agenda import Agenda, When
from bot.errors import KeneshError
from bot.outbox import Kind
from db import repo
from db.models import AgendaItem, Attendance, Council, Meeting, MeetingStatus, Member, MemberStatus

log = logging.getLogger(__name__)

NOT_RUNNER = __("Only the chair or the secretary of the council can do this.")
UPCOMING = (MeetingStatus.ANNOUNCED, MeetingStatus.OPEN)


def runs_meetings(council: Council, user_id: int) -> bool:
    """cl. 4.1: the chair runs the council's meetings, and the secretary the chair names."""
    return user_id in (council.chair_id, council.secretary_id)


async def council_for_runner(session: AsyncSession, user_id: int, group_chat_id: int | None = None) -> Council:
    """The council this chair (or secretary) acts for: the group's own, or, in private, the one they run."""
    if group_chat_id is not None:
        council = await repo.council_by_chat(session, group_chat_id)
        if council is None:
            raise KeneshError(__("This group has no council yet. A group administrator can create it with /setup."))
        if not runs_meetings(council, user_id):
            raise KeneshError(NOT_RUNNER)
        return council
    for place in await repo.memberships_of(session, user_id):
        council = await repo.get_council(session, place.council_id)
        if council is not None and place.status is MemberStatus.APPROVED and runs_meetings(council, user_id):
            return council
    raise KeneshError(NOT_RUNNER)


async def council_for_chair(session: AsyncSession, user_id: int) -> Council:
    """The council this person chairs (the council's settings are the chair's alone)."""
    for council in await repo.councils_chaired_by(session, user_id):
        return council
    raise KeneshError(__("Only the chair of this council can do this."))


async def council_of_member(session: AsyncSession, user_id: int) -> Council:
    for place in await repo.memberships_of(session, user_id):
        if place.status is MemberStatus.APPROVED:
            council = await repo.get_council(session, place.council_id)
            if council is not None:
                return council
    raise KeneshError(
        __("You are not a member of a council yet. Ask the chair for the join link in the council's group.")
    )


@dataclass(frozen=True)
class MeetingView:
    council: Council
    meeting: Meeting
    items: Sequence[AgendaItem]


async def meeting_view(session: AsyncSession, meeting_id: int, user_id: int | None = None) -> MeetingView:
    """A meeting with its council and items; with user_id, checked that this person runs the council."""
    meeting = await repo.get_meeting(session, meeting_id)
    council = await repo.get_council(session, meeting.council_id) if meeting else None
    if meeting is None or council is None:
        raise KeneshError(__("This meeting no longer exists."))
    if user_id is not None and not runs_meetings(council, user_id):
        raise KeneshError(NOT_RUNNER)
    return MeetingView(council, meeting, await repo.meeting_items(session, meeting.id))


async def draft_agenda(
    session: AsyncSession, *, council: Council, user_id: int, agenda: Agenda, now: datetime
) -> MeetingView:
    """The agenda as a draft the chair previews; nothing reaches the group before Publish."""
    meeting = Meeting(
        council_id=council.id,
        starts_at=agenda.when.starts_at,
        place=agenda.when.place,
        status=MeetingStatus.DRAFT,
        created_by=user_id,
        created_at=now,
    )
    meeting.items = [
        AgendaItem(position=i, title=item.title, reporter=item.reporter) for i, item in enumerate(agenda.items, 1)
    ]
    session.add(meeting)
    await session.commit()
    log.info("Council %s: agenda draft %s for %s", council.id, meeting.id, meeting.starts_at.isoformat())
    return MeetingView(council, meeting, await repo.meeting_items(session, meeting.id))


async def _announce(
    session: AsyncSession,
    view: MeetingView,
    render,
    *,
    now: datetime,
    default_locale: str,  # noqa: ANN001
    by_user: int,
) -> None:
    """The (new) agenda to the group, pinned, and to every member but the one who published it."""
    await notices.to_group_and_members(
        session,
        view.council,
        render,
        kind=Kind.ANNOUNCEMENT,
        now=now,
        default_locale=default_locale,
        pin=True,
        ref_id=view.meeting.id,
        skip_user=by_user,
    )


def _check_notice(meeting: Meeting, now: datetime, tz: ZoneInfo) -> None:
    today = now.astimezone(tz).date()
    if not rules.notice_given(meeting.starts_at.astimezone(tz).date(), today):
        raise KeneshError(
            __("Less than 7 days are left before this date now (regulation, cl. 7.5). Make a new agenda with /agenda.")
        )


async def publish(
    session: AsyncSession, *, meeting_id: int, user_id: int, now: datetime, tz: ZoneInfo, default_locale: str
) -> MeetingView:
    view = await meeting_view(session, meeting_id, user_id)
    if view.meeting.status is not MeetingStatus.DRAFT:
        raise KeneshError(__("This agenda has already been published or cancelled."))
    _check_notice(view.meeting, now, tz)  # the preview may have waited a day
    view.meeting.status = MeetingStatus.ANNOUNCED
    view.meeting.announced_at = now
    await _announce(
        session,
        view,
        lambda: meeting_texts.announcement(view.council, view.meeting, view.items, tz),
        now=now,
        default_locale=default_locale,
        by_user=user_id,
    )
    await session.commit()
    log.info("Council %s: meeting %s announced", view.council.id, meeting_id)
    return view


async def discard_draft(session: AsyncSession, *, meeting_id: int, user_id: int) -> MeetingView:
    view = await meeting_view(session, meeting_id, user_id)
    if view.meeting.status is not MeetingStatus.DRAFT:
        raise KeneshError(__("This agenda has already been published or cancelled."))
    view.meeting.status = MeetingStatus.CANCELLED
    await session.commit()
    return view


async def reschedule(
    session: AsyncSession,
    *,
    meeting_id: int,
    user_id: int,
    when: When,
    now: datetime,
    tz: ZoneInfo,
    default_locale: str,
) -> MeetingView:
    """A new date for an announced meeting: parse_when has already applied the 7-day rule to it."""
    view = await meeting_view(session, meeting_id, user_id)
    if view.meeting.status is not MeetingStatus.ANNOUNCED:
        raise KeneshError(__("Only an announced meeting that has not started can be moved or cancelled."))
    view.meeting.starts_at = when.starts_at
    if when.place:
        view.meeting.place = when.place
    view.meeting.announced_at = now
    await _announce(
        session,
        view,
        lambda: meeting_texts.rescheduled(view.meeting, view.items, tz),
        now=now,
        default_locale=default_locale,
        by_user=user_id,
    )
    await session.commit()
    log.info("Council %s: meeting %s moved to %s", view.council.id, meeting_id, when.starts_at.isoformat())
    return view


async def cancel_meeting(
    session: AsyncSession, *, meeting_id: int, user_id: int, now: datetime, tz: ZoneInfo, default_locale: str
) -> MeetingView:
    view = await meeting_view(session, meeting_id, user_id)
    if view.meeting.status is not MeetingStatus.ANNOUNCED:
        raise KeneshError(__("Only an announced meeting that has not started can be moved or cancelled."))
    view.meeting.status = MeetingStatus.CANCELLED
    await notices.to_group_and_members(
        session,
        view.council,
        lambda: meeting_texts.cancelled(view.meeting, tz),
        kind=Kind.NOTICE,
        now=now,
        default_locale=default_locale,
        skip_user=user_id,
    )
    await session.commit()
    log.info("Council %s: meeting %s cancelled", view.council.id, meeting_id)
    return view


@dataclass(frozen=True)
class MeetingList:
    council: Council
    upcoming: Sequence[Meeting]
    past: Sequence[Meeting]
    can_manage: bool


async def meetings_of(session: AsyncSession, user_id: int) -> MeetingList:
    council = await council_of_member(session, user_id)
    upcoming = await repo.council_meetings(session, council.id, UPCOMING)
    past = await repo.council_meetings(session, council.id, (MeetingStatus.CLOSED,))
    return MeetingList(council, upcoming, list(reversed(past)), runs_meetings(council, user_id))


# --- the meeting itself -----------------------------------------------------------------------------------


async def todays_meeting(session: AsyncSession, council: Council, now: datetime, tz: ZoneInfo) -> Meeting:
    today = now.astimezone(tz).date()
    for meeting in await repo.council_meetings(session, council.id, UPCOMING):
        if meeting.starts_at.astimezone(tz).date() == today:
            return meeting
    raise KeneshError(__("There is no meeting announced for today."))


async def open_meeting(session: AsyncSession, *, council: Council, now: datetime, tz: ZoneInfo) -> MeetingView:
    meeting = await todays_meeting(session, council, now, tz)
    if meeting.status is MeetingStatus.OPEN:
        raise KeneshError(__("Today's meeting is already open."))
    meeting.status = MeetingStatus.OPEN
    meeting.opened_at = now
    await session.commit()
    log.info("Council %s: meeting %s opened", council.id, meeting.id)
    return MeetingView(council, meeting, await repo.meeting_items(session, meeting.id))


async def open_meeting_of(session: AsyncSession, council: Council) -> Meeting:
    for meeting in await repo.council_meetings(session, council.id, (MeetingStatus.OPEN,)):
        return meeting
    raise KeneshError(__("No meeting is open. The chair opens today's meeting with /open."))


@dataclass(frozen=True)
class Presence:
    members: int  # approved members with a vote: the quorum's denominator
    present: int  # of them, marked present
    participants_present: int

    @property
    def quorum_needed(self) -> int:
        return rules.quorum_needed(self.members)

    @property
    def quorum(self) -> bool:
        return rules.quorum_met(self.present, self.members)


async def presence(session: AsyncSession, meeting: Meeting) -> Presence:
    members = await repo.approved_members(session, meeting.council_id)
    present = await repo.present_member_ids(session, meeting.id)
    voting = {m.id for m in members if m.role.votes}
    return Presence(len(voting), len(voting & present), len(present - voting))


async def _member_in(session: AsyncSession, council_id: int, user_id: int) -> Member:
    member = await repo.member_of(session, council_id, user_id)
    if member is None or member.status is not MemberStatus.APPROVED:
        raise KeneshError(__("You are not a member of this council."))
    return member


async def mark_present(session: AsyncSession, *, meeting_id: int, user_id: int, now: datetime) -> bool:
    """The Present button: True when newly marked, False when already marked (nothing written)."""
    meeting = await repo.get_meeting(session, meeting_id)
    if meeting is None or meeting.status is not MeetingStatus.OPEN:
        raise KeneshError(__("This meeting is not open."))
    member = await _member_in(session, meeting.council_id, user_id)
    if await repo.attendance_of(session, meeting.id, member.id) is not None:
        return False
    session.add(Attendance(meeting_id=meeting.id, member_id=member.id, marked_by=user_id, marked_at=now))
    await session.commit()
    return True


async def toggle_presence(
    session: AsyncSession, *, meeting_id: int, member_id: int, user_id: int, now: datetime
) -> bool:
    """The chair marks someone in the room without a phone, or unmarks a mistake. Returns the new state."""
    view = await meeting_view(session, meeting_id, user_id)
    if view.meeting.status is not MeetingStatus.OPEN:
        raise KeneshError(__("This meeting is not open."))
    member = await repo.get_member(session, member_id)
    if member is None or member.council_id != view.council.id or member.status is not MemberStatus.APPROVED:
        raise KeneshError(__("This person is not a member of the council."))
    existing = await repo.attendance_of(session, meeting_id, member_id)
    if existing is not None:
        await session.delete(existing)
    else:
        session.add(Attendance(meeting_id=meeting_id, member_id=member_id, marked_by=user_id, marked_at=now))
    await session.commit()
    return existing is None


async def roll_call(session: AsyncSession, meeting: Meeting) -> list[tuple[Member, bool]]:
    """Every approved member (and participant) with whether they are marked present."""
    present = await repo.present_member_ids(session, meeting.id)
    return [(m, m.id in present) for m in await repo.approved_members(session, meeting.council_id)]


async def set_attendance_message(session: AsyncSession, meeting: Meeting, message_id: int) -> None:
    meeting.attendance_message_id = message_id
    await session.commit()


async def is_member_of(session: AsyncSession, council_id: int, user_id: int) -> bool:
    member = await repo.member_of(session, council_id, user_id)
    return member is not None and member.status is MemberStatus.APPROVED


@dataclass(frozen=True)
class PlanOffer:
    text: str
    markup: object


async def planned_offer(session: AsyncSession, council: Council, *, now: datetime, tz: ZoneInfo) -> PlanOffer | None:
    """/agenda: the annual plan's next meeting not yet announced, offered as the draft (cl. 7.3)."""
    from bot import plan, year_texts
    from bot.keyboards import plan_offer_keyboard

    planned = await plan.next_planned(session, council, now.astimezone(tz).date(), tz)
    if planned is None:
        return None
    label = year_texts.plan_offer_button(planned)
    return PlanOffer(year_texts.plan_offer(planned), plan_offer_keyboard(f"{planned.day:%Y%m%d}", label))
