"""Meetings: the agenda with a week's notice (cl. 7.5), moving and cancelling it, opening the meeting with its
frozen roster, attendance and /heard. Closing with a numbered protocol is bot/ops/meeting_day.py."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from bot import rules
from bot.agenda import Agenda, When, check_notice
from bot.config import SUPPORTED_LOCALES
from bot.domain import Presence, ReviewLine
from bot.errors import KeneshError
from bot.i18n import fmt_datetime, in_locale
from bot.i18n import lazy_gettext as __
from bot.ops import access, audit, effects, notices
from bot.ops.access import NOT_RUNNER, council_of_member, runs_meetings
from bot.ui import meetings as ui_meetings
from db.models import AgendaItem, Attendance, Council, Meeting, MeetingStatus, Member, MemberStatus, RosterEntry
from db.repo import change_if, referenced, reload, remove
from db.repo import councils as councils_repo
from db.repo import jobs as jobs_repo
from db.repo import meeting_day as day_repo
from db.repo import meetings as meetings_repo
from db.repo import members as members_repo
from db.repo import reviews as reviews_repo
from db.repo.outbox import Kind

log = logging.getLogger(__name__)

ALREADY_OPEN = __("Today's meeting is already open.")
CLOSED_TODAY = __("Today's meeting is already closed: protocol No. {number}.")
UPCOMING = (MeetingStatus.ANNOUNCED, MeetingStatus.OPEN)
ALREADY_PUBLISHED = __("This agenda has already been published or cancelled.")
NOT_MOVABLE = __("Only an announced meeting that has not started can be moved or cancelled.")
JUST_CHANGED = __("This meeting was changed a moment ago; nothing more was changed. Send /meetings to see it now.")


@dataclass(frozen=True)
class MeetingView:
    council: Council
    meeting: Meeting
    items: Sequence[AgendaItem]
    # item position -> the expert reviews given of its material (cl. 3.1, 5): listed wherever the agenda is
    reviews: Mapping[int, Sequence[ReviewLine]] = field(default_factory=dict)


async def item_reviews(session: AsyncSession, items: Sequence[AgendaItem]) -> dict[int, list[ReviewLine]]:
    """The expert reviews given of the materials on an agenda, by item: the announcement, the reminders and
    the protocol list them under the material's item (the reviewer named only with consent)."""
    positions = {item.material_id: item.position for item in items if item.material_id is not None}
    found: dict[int, list[ReviewLine]] = {}
    for review, name in await reviews_repo.given_of_materials(session, list(positions)):
        found.setdefault(positions[review.material_id], []).append(ReviewLine(review, name))
    return found


async def _view(session: AsyncSession, council: Council, meeting: Meeting) -> MeetingView:
    items = await meetings_repo.meeting_items(session, meeting.id)
    return MeetingView(council, meeting, items, await item_reviews(session, items))


async def meeting_view(session: AsyncSession, meeting_id: int, user_id: int | None = None) -> MeetingView:
    """A meeting with its council and items; with user_id, checked that this person runs the council."""
    meeting = await meetings_repo.get_meeting(session, meeting_id)
    council = await councils_repo.get_council(session, meeting.council_id) if meeting else None
    if meeting is None or council is None:
        raise KeneshError(__("This meeting no longer exists."))
    if user_id is not None and not runs_meetings(council, user_id):
        raise KeneshError(NOT_RUNNER)
    return await _view(session, council, meeting)


async def check_slot_free(
    session: AsyncSession, council_id: int, starts_at: datetime, tz: ZoneInfo, *, moving: int | None = None
) -> None:
    """The one slot rule (rules.meetings_clash) against the council's announced and open meetings, for every
    path that sets a meeting's time: the agenda (each way it comes), its publication, a move. `moving` is the
    meeting being moved, which does not clash with itself."""
    for other in await meetings_repo.council_meetings(session, council_id, UPCOMING):
        if other.id != moving and rules.meetings_clash(starts_at, other.starts_at):
            raise KeneshError("{reason}", reason=ui_meetings.slot_taken(other, tz))


async def draft_agenda(
    session: AsyncSession, *, council: Council, user_id: int, agenda: Agenda, now: datetime, tz: ZoneInfo
) -> MeetingView:
    """The agenda as a draft the chair previews; nothing reaches the group before Publish. The notice is
    checked here whichever way the agenda came (one message, the steps, the annual plan): a step may have
    been answered a day later."""
    check_notice(agenda.when, now=now, tz=tz)
    await check_slot_free(session, council.id, agenda.when.starts_at, tz)
    meeting = Meeting(
        council_id=council.id,
        starts_at=agenda.when.starts_at,
        place=agenda.when.place,
        status=MeetingStatus.DRAFT,
        created_by=user_id,
        created_at=now,
    )
    session.add(meeting)
    await session.flush()  # the meeting's id, for its items
    session.add_all(
        AgendaItem(meeting_id=meeting.id, position=i, title=item.title, reporter=item.reporter)
        for i, item in enumerate(agenda.items, 1)
    )
    await session.commit()
    log.info("Council %s: agenda draft %s for %s", council.id, meeting.id, meeting.starts_at.isoformat())
    return await _view(session, council, meeting)


async def _announce(
    session: AsyncSession,
    view: MeetingView,
    render: Callable[[], str],
    *,
    now: datetime,
    default_locale: str,
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


async def announce_changed(
    session: AsyncSession, view: MeetingView, *, now: datetime, tz: ZoneInfo, default_locale: str, by_user: int
) -> None:
    """The whole agenda again, marked as changed (cl. 7.5: it changed while a week's notice still held)."""
    await _announce(
        session,
        view,
        lambda: ui_meetings.agenda_changed(view.council, view.meeting, view.items, tz, view.reviews),
        now=now,
        default_locale=default_locale,
        by_user=by_user,
    )


async def still_open_for_agenda(session: AsyncSession, council: Council, now: datetime, tz: ZoneInfo) -> Meeting | None:
    """The first announced meeting whose agenda can still change (cl. 7.5)."""
    for later in await meetings_repo.council_meetings(session, council.id, (MeetingStatus.ANNOUNCED,)):
        if rules.agenda_may_change(later.starts_at, now, tz):
            return later
    return None


async def add_to_agenda(
    session: AsyncSession,
    *,
    council: Council,
    meeting_id: int,
    user_id: int,
    title: Callable[[], str],
    reporter: str | None = None,
    material_id: int | None = None,
    now: datetime,
    tz: ZoneInfo,
    default_locale: str,
) -> tuple[MeetingView, int]:
    """An item added at the end of an announced meeting's agenda (a material, the annual plan, an association's
    head, theme or report), its `title` composed by the bot and kept in every language (each reader reads it in
    theirs, bot/ui/meetings.py `item_title`), then the whole
    changed agenda announced again to the group and the members. cl. 7.5 has no back door: the agenda may
    change only while `rules.agenda_may_change` allows it. Before the caller's commit; returns the position."""
    meeting = await meetings_repo.get_meeting(session, meeting_id)
    if meeting is None or meeting.council_id != council.id or meeting.status is not MeetingStatus.ANNOUNCED:
        raise KeneshError(__("This meeting no longer exists."))
    if not rules.agenda_may_change(meeting.starts_at, now, tz):
        later = await still_open_for_agenda(session, council, now, tz)
        raise KeneshError("{reason}", reason=ui_meetings.agenda_closed(meeting, later, now, tz))
    items = await meetings_repo.meeting_items(session, meeting.id)
    if len(items) >= rules.MAX_AGENDA_ITEMS:
        raise KeneshError(
            __("An agenda can have at most {limit} items; this one has {count}."),
            limit=rules.MAX_AGENDA_ITEMS,
            count=len(items),
        )
    position = len(items) + 1
    session.add(
        AgendaItem(
            meeting_id=meeting.id,
            position=position,
            title=title()[: rules.MAX_ITEM_LENGTH],
            titles={locale: in_locale(locale, title)[: rules.MAX_ITEM_LENGTH] for locale in SUPPORTED_LOCALES},
            reporter=reporter[:128] if reporter else None,
            material_id=material_id,
        )
    )
    await session.flush()
    view = await _view(session, council, meeting)
    await announce_changed(session, view, now=now, tz=tz, default_locale=default_locale, by_user=user_id)
    return view, position


def _check_notice(meeting: Meeting, now: datetime, tz: ZoneInfo) -> None:
    if not rules.agenda_may_change(meeting.starts_at, now, tz):
        raise KeneshError(
            __("Less than 7 days are left before this date now (regulation, cl. 7.5). Make a new agenda with /agenda.")
        )


async def publish(
    session: AsyncSession, *, meeting_id: int, user_id: int, now: datetime, tz: ZoneInfo, default_locale: str
) -> MeetingView:
    view = await meeting_view(session, meeting_id, user_id)
    if view.meeting.status is not MeetingStatus.DRAFT:
        raise KeneshError(ALREADY_PUBLISHED)
    _check_notice(view.meeting, now, tz)  # the preview may have waited a day
    await check_slot_free(session, view.council.id, view.meeting.starts_at, tz)  # another may have been published
    # Publish pressed twice: the second press waits for the first's commit and finds no draft.
    if not await change_if(
        session,
        Meeting,
        meeting_id,
        Meeting.status == MeetingStatus.DRAFT,
        status=MeetingStatus.ANNOUNCED,
        announced_at=now,
    ):
        raise KeneshError(ALREADY_PUBLISHED)
    audit.record(
        session,
        council_id=view.council.id,
        actor_id=user_id,
        action=audit.AuditAction.MEETING_PUBLISHED,
        obj_kind=audit.AuditObject.MEETING,
        obj_id=meeting_id,
        now=now,
    )
    await _announce(
        session,
        view,
        lambda: ui_meetings.announcement(view.council, view.meeting, view.items, tz, view.reviews),
        now=now,
        default_locale=default_locale,
        by_user=user_id,
    )
    effects.reminders_changed(session, view.meeting)
    await session.commit()
    log.info("Council %s: meeting %s announced", view.council.id, meeting_id)
    return view


async def discard_draft(session: AsyncSession, *, meeting_id: int, user_id: int) -> MeetingView:
    view = await meeting_view(session, meeting_id, user_id)
    if view.meeting.status is not MeetingStatus.DRAFT or not await change_if(
        session, Meeting, meeting_id, Meeting.status == MeetingStatus.DRAFT, status=MeetingStatus.CANCELLED
    ):
        raise KeneshError(ALREADY_PUBLISHED)
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
    """A new date for an announced meeting, at least 7 full days away (cl. 7.5), announced again."""
    view = await meeting_view(session, meeting_id, user_id)
    if view.meeting.status is not MeetingStatus.ANNOUNCED:
        raise KeneshError(NOT_MOVABLE)
    check_notice(when, now=now, tz=tz)
    await check_slot_free(session, view.council.id, when.starts_at, tz, moving=meeting_id)
    # The same move sent twice: the second finds the meeting no longer as it read it, and moves nothing.
    before_start, before_place = view.meeting.starts_at, view.meeting.place
    seen = view.meeting.announced_at
    if not await change_if(
        session,
        Meeting,
        meeting_id,
        Meeting.status == MeetingStatus.ANNOUNCED,
        Meeting.starts_at == view.meeting.starts_at,
        Meeting.announced_at.is_(None) if seen is None else Meeting.announced_at == seen,
        starts_at=when.starts_at,
        place=when.place or view.meeting.place,
        announced_at=now,
    ):
        raise KeneshError(JUST_CHANGED)
    await reload(session, view.meeting)
    audit.record(
        session,
        council_id=view.council.id,
        actor_id=user_id,
        action=audit.AuditAction.MEETING_MOVED,
        obj_kind=audit.AuditObject.MEETING,
        obj_id=meeting_id,
        before=before_start,
        after=when.starts_at,
        now=now,
    )
    await _announce(
        session,
        view,
        lambda: ui_meetings.rescheduled(view.meeting, before_start, before_place, view.items, tz, view.reviews),
        now=now,
        default_locale=default_locale,
        by_user=user_id,
    )
    effects.reminders_changed(session, view.meeting)  # the old time's reminders are dropped
    await session.commit()
    log.info("Council %s: meeting %s moved to %s", view.council.id, meeting_id, when.starts_at.isoformat())
    return view


async def cancel_meeting(
    session: AsyncSession, *, meeting_id: int, user_id: int, now: datetime, tz: ZoneInfo, default_locale: str
) -> MeetingView:
    view = await meeting_view(session, meeting_id, user_id)
    if view.meeting.status is not MeetingStatus.ANNOUNCED or not await change_if(
        session, Meeting, meeting_id, Meeting.status == MeetingStatus.ANNOUNCED, status=MeetingStatus.CANCELLED
    ):
        raise KeneshError(NOT_MOVABLE)
    audit.record(
        session,
        council_id=view.council.id,
        actor_id=user_id,
        action=audit.AuditAction.MEETING_CANCELLED,
        obj_kind=audit.AuditObject.MEETING,
        obj_id=meeting_id,
        now=now,
    )
    await notices.to_group_and_members(
        session,
        view.council,
        lambda: ui_meetings.cancelled(view.meeting, tz),
        kind=Kind.NOTICE,
        now=now,
        default_locale=default_locale,
        ref_id=meeting_id,
        skip_user=user_id,
    )
    effects.reminders_dropped(session, meeting_id)
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
    upcoming = await meetings_repo.council_meetings(session, council.id, UPCOMING)
    past = await meetings_repo.council_meetings(session, council.id, (MeetingStatus.CLOSED,))
    return MeetingList(council, upcoming, list(reversed(past)), runs_meetings(council, user_id))


# --- the meeting itself -----------------------------------------------------------------------------------


async def todays_meeting(session: AsyncSession, council: Council, now: datetime, tz: ZoneInfo) -> Meeting:
    today = now.astimezone(tz).date()
    for meeting in await meetings_repo.council_meetings(session, council.id, UPCOMING):
        if meeting.starts_at.astimezone(tz).date() == today:
            return meeting
    await _refuse_if_closed_today(session, council, now, tz)
    raise KeneshError(__("There is no meeting announced for today."))


async def _refuse_if_closed_today(session: AsyncSession, council: Council, now: datetime, tz: ZoneInfo) -> None:
    """Today's meeting was held and closed: /open and /close say so, with its protocol's number, rather than
    that there is no meeting (as if it had never been announced) or that it should be opened."""
    today = now.astimezone(tz).date()
    for meeting in reversed(await meetings_repo.council_meetings(session, council.id, (MeetingStatus.CLOSED,))):
        if meeting.starts_at.astimezone(tz).date() == today:
            raise KeneshError(CLOSED_TODAY, number=meeting.protocol_number)


async def open_meeting(
    session: AsyncSession, *, council: Council, user_id: int, now: datetime, tz: ZoneInfo, default_locale: str
) -> MeetingView:
    """`/open`: today's meeting opens, once, and who belongs to the council with a vote is frozen for it.

    The attendance message is posted after this commit; if it cannot be posted, `undo_open` puts the
    meeting back as it was, so a second /open works. Only one who has confirmed the regulation in force runs
    a meeting; members who have not are reminded, and keep their rights."""
    await access.require_current_regulation(session, council, user_id)
    meeting = await todays_meeting(session, council, now, tz)
    if meeting.status is MeetingStatus.OPEN:
        raise KeneshError(ALREADY_OPEN)
    for other in await meetings_repo.council_meetings(session, council.id, (MeetingStatus.OPEN,)):
        if other.id == meeting.id:  # opened a moment ago by a second /open
            raise KeneshError(ALREADY_OPEN)
        raise KeneshError(
            __("The meeting of {date} is still open. Close it with /close first; then open today's."),
            date=fmt_datetime(other.starts_at, tz),
        )
    # The first write of the transaction, so a second /open (the secretary's, a double tap) finds it done.
    if not await meetings_repo.set_meeting_status(
        session, meeting.id, MeetingStatus.ANNOUNCED, MeetingStatus.OPEN, opened_at=now
    ):
        await session.commit()  # nothing was written; ends the transaction (a rollback would expire the user)
        raise KeneshError(ALREADY_OPEN)
    session.add_all(
        RosterEntry(meeting_id=meeting.id, member_id=m.id, full_name=m.full_name)
        for m in await members_repo.approved_members(session, council.id)
        if m.role.votes
    )
    await notices.remind_regulation(session, council, now=now, default_locale=default_locale, skip_user=user_id)
    audit.record(
        session,
        council_id=council.id,
        actor_id=user_id,
        action=audit.AuditAction.MEETING_OPENED,
        obj_kind=audit.AuditObject.MEETING,
        obj_id=meeting.id,
        now=now,
    )
    await session.commit()
    log.info("Council %s: meeting %s opened", council.id, meeting.id)
    return await _view(session, council, meeting)


async def undo_open(session: AsyncSession, meeting_id: int) -> None:
    """The attendance message could not be posted: the meeting is announced again, as before /open."""
    if await meetings_repo.set_meeting_status(
        session, meeting_id, MeetingStatus.OPEN, MeetingStatus.ANNOUNCED, opened_at=None
    ):
        await day_repo.forget_attendance(session, meeting_id)
        await audit.withdraw(session, audit.AuditAction.MEETING_OPENED, audit.AuditObject.MEETING, meeting_id)
    await session.commit()
    log.warning("Meeting %s not opened: its attendance message could not be posted", meeting_id)


async def open_meeting_of(
    session: AsyncSession, council: Council, *, now: datetime | None = None, tz: ZoneInfo | None = None
) -> Meeting:
    """The council's open meeting. None open: given `now` and `tz`, a meeting closed today is named."""
    for meeting in await meetings_repo.council_meetings(session, council.id, (MeetingStatus.OPEN,)):
        return meeting
    if now is not None and tz is not None:
        await _refuse_if_closed_today(session, council, now, tz)
    raise KeneshError(__("No meeting is open. The chair opens today's meeting with /open."))


async def voting_roster(session: AsyncSession, meeting: Meeting) -> dict[int, str]:
    """member id -> name of those with a vote at this meeting: the roster frozen at /open (a meeting opened
    before rosters were kept: the members with a vote today)."""
    frozen = await day_repo.roster(session, meeting.id)
    if frozen:
        return {entry.member_id: entry.full_name for entry in frozen}
    return {m.id: m.full_name for m in await members_repo.approved_members(session, meeting.council_id) if m.role.votes}


async def presence(session: AsyncSession, meeting: Meeting) -> Presence:
    voting = set(await voting_roster(session, meeting))
    present = await day_repo.present_member_ids(session, meeting.id)
    return Presence(len(voting), len(voting & present), len(present - voting))


async def _member_in(session: AsyncSession, meeting: Meeting, user_id: int) -> Member:
    """An approved member, or one on the meeting's roster (removed during the meeting, still on it)."""
    member = await members_repo.member_of(session, meeting.council_id, user_id)
    if member is None or not await _at_meeting(session, meeting, member):
        raise KeneshError(__("You are not a member of this council."))
    return member


async def _at_meeting(session: AsyncSession, meeting: Meeting, member: Member) -> bool:
    if member.status is MemberStatus.APPROVED:
        return True
    return member.id in await voting_roster(session, meeting)


async def mark_present(session: AsyncSession, *, meeting_id: int, user_id: int, now: datetime) -> bool:
    """The Present button: True when newly marked, False when already marked (nothing written)."""
    meeting = await meetings_repo.get_meeting(session, meeting_id)
    if meeting is None or meeting.status is not MeetingStatus.OPEN:
        raise KeneshError(__("This meeting is not open."))
    member = await _member_in(session, meeting, user_id)
    if await day_repo.attendance_of(session, meeting.id, member.id) is not None:
        return False
    session.add(Attendance(meeting_id=meeting.id, member_id=member.id, marked_by=user_id, marked_at=now))
    audit.record(
        session,
        council_id=meeting.council_id,
        actor_id=user_id,
        action=audit.AuditAction.PRESENCE_MARKED,
        obj_kind=audit.AuditObject.MEMBER,
        obj_id=member.id,
        now=now,
    )
    effects.tally_changed(session, effects.ATTENDANCE, meeting.id)
    await session.commit()
    return True


async def toggle_presence(
    session: AsyncSession, *, meeting_id: int, member_id: int, user_id: int, now: datetime
) -> bool:
    """The chair marks someone in the room without a phone, or unmarks a mistake. Returns the new state."""
    view = await meeting_view(session, meeting_id, user_id)
    if view.meeting.status is not MeetingStatus.OPEN:
        raise KeneshError(__("This meeting is not open."))
    member = await members_repo.get_member(session, member_id)
    if member is None or member.council_id != view.council.id or not await _at_meeting(session, view.meeting, member):
        raise KeneshError(__("This person is not a member of the council."))
    existing = await day_repo.attendance_of(session, meeting_id, member_id)
    if existing is not None:
        await remove(session, existing)
    else:
        session.add(Attendance(meeting_id=meeting_id, member_id=member_id, marked_by=user_id, marked_at=now))
    audit.record(
        session,
        council_id=view.council.id,
        actor_id=user_id,
        action=audit.AuditAction.PRESENCE_UNMARKED if existing else audit.AuditAction.PRESENCE_MARKED,
        obj_kind=audit.AuditObject.MEMBER,
        obj_id=member_id,
        now=now,
    )
    effects.tally_changed(session, effects.ATTENDANCE, meeting_id)
    await session.commit()
    return existing is None


async def roll_call(session: AsyncSession, meeting: Meeting) -> list[tuple[Member, bool]]:
    """The meeting's roster and the approved participants, each with whether they are marked present."""
    present = await day_repo.present_member_ids(session, meeting.id)
    voting = await voting_roster(session, meeting)
    people = [
        m
        for m in await members_repo.approved_members(session, meeting.council_id)
        if m.id in voting or not m.role.votes
    ]
    listed = {m.id for m in people}
    for member_id in voting.keys() - listed:  # removed during the meeting: still on its roster
        member = await members_repo.get_member(session, member_id)
        if member is not None:
            people.append(member)
    people.sort(key=lambda m: m.full_name)
    return [(m, m.id in present) for m in people]


async def set_attendance_message(
    session: AsyncSession, meeting: Meeting, message_id: int, *, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """The attendance message as posted: kept, and its text known to the live editor."""
    meeting.attendance_message_id = message_id
    effects.message_posted(session, effects.ATTENDANCE, meeting.id, text, markup)
    await session.commit()


async def is_member_of(session: AsyncSession, council_id: int, user_id: int) -> bool:
    member = await members_repo.member_of(session, council_id, user_id)
    return member is not None and member.status is MemberStatus.APPROVED


MAX_HEARD = 128
_HEARD = re.compile(r"^(\d{1,2})[.)]?\s+(.+)$", re.S)


@dataclass(frozen=True)
class Heard:
    position: int
    name: str


async def record_heard(session: AsyncSession, *, council: Council, text: str) -> Heard:
    """`/heard 2 Осмонова Г.`: who actually reported on item 2, for the protocol's "Heard" line."""
    meeting = await open_meeting_of(session, council)
    match = _HEARD.match((text or "").strip())
    if not match:
        raise KeneshError(__("Write the item number and who reported on it, for example: /heard 2 Осмонова Г."))
    position, name = int(match.group(1)), " ".join(match.group(2).split())
    if len(name) > MAX_HEARD:
        raise KeneshError(__("The name is too long: at most {limit} characters."), limit=MAX_HEARD)
    item = await meetings_repo.item_at(session, meeting.id, position)
    if item is None:
        raise KeneshError(__("The agenda has no item {number}."), number=position)
    item.heard = name
    await session.commit()
    log.info("Council %s: meeting %s, item %s heard recorded", council.id, meeting.id, position)
    return Heard(position, name)


def reminder_job_id(meeting_id: int, starts_at: datetime, hours: int) -> str:
    """The key of one reminder: a moved meeting gets new ones, and each is sent once (a JobRun row)."""
    return f"remind:{meeting_id}:{int(starts_at.timestamp())}:{hours}"


async def send_reminder(
    session: AsyncSession,
    meeting_id: int,
    starts_at_ts: int,
    hours: int,
    *,
    now: datetime,
    tz: ZoneInfo,
    default_locale: str,
) -> bool:
    """A day or an hour before: one reminder to the group and to each member, queued with the record that it
    went, so a restart never sends it twice. False when it no longer applies (the meeting moved, was
    cancelled or held) or went before."""
    meeting = await meetings_repo.get_meeting(session, meeting_id)
    if (
        meeting is None
        or meeting.status is not MeetingStatus.ANNOUNCED
        or int(meeting.starts_at.timestamp()) != starts_at_ts
    ):
        log.info("Reminder for meeting %s at %s dropped: the meeting changed", meeting_id, starts_at_ts)
        return False
    job_id = reminder_job_id(meeting.id, meeting.starts_at, hours)
    if await jobs_repo.job_run(session, job_id) is not None:
        return False  # sent before a restart
    council = await referenced(session, Council, meeting.council_id)
    if council.paused:  # held, not recorded: resuming the council plans its reminders again (bot/ops/operator.py)
        log.info("Reminder for meeting %s held: council %s is paused", meeting_id, council.id)
        return False
    items = await meetings_repo.meeting_items(session, meeting.id)
    reviews = await item_reviews(session, items)  # given since the agenda was announced, too
    await notices.to_group_and_members(
        session,
        council,
        lambda: ui_meetings.reminder(meeting, items, tz, now, reviews),
        kind=Kind.REMINDER,
        now=now,
        default_locale=default_locale,
        ref_id=meeting.id,
    )
    jobs_repo.add_job_run(session, job_id, now.astimezone(tz).date())  # with the posts: once
    await session.commit()
    return True
