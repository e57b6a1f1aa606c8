"""The Mini App (issue 22): the council's year at a glance, read only, inside Telegram.

Who opens it is told by Telegram's init data, checked here with the bot token's HMAC on every request (the page
keeps no cookie: Telegram Web opens it in a third-party frame). What it shows comes from the same operations
and queries as the chat (the plan, /decisions, /bank, the issued protocol, /log), as plain values that
bot/ui/miniapp.py renders. Nothing here writes to the record; a file is sent to the reader's own chat when the
Telegram client cannot download it, and a download link is signed for a few minutes.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from operator import attrgetter
from zoneinfo import ZoneInfo

from aiogram.utils.web_app import WebAppUser, parse_webapp_init_data, safe_parse_webapp_init_data
from sqlalchemy.ext.asyncio import AsyncSession

from bot import rules
from bot.config import SUPPORTED_LOCALES
from bot.domain import (
    Attended,
    AuditLine,
    DayState,
    DecisionLine,
    DecisionsView,
    MaterialsView,
    MeetingDetail,
    MeetingsView,
    MembersView,
    Place,
    PlannedDay,
    Reader,
    Roster,
    TrimesterView,
    VoteView,
    YearFigures,
    YearView,
)
from bot.errors import KeneshError
from bot.i18n import lazy_gettext as __
from bot.ops import groups, meeting_day, plan
from bot.ops.access import runs_meetings
from bot.ops.decisions import by_standing
from bot.ops.materials import bank_of, downloadable
from bot.ops.meetings import voting_roster
from bot.ops.voting import frozen_counts
from db.models import (
    Council,
    FollowUpState,
    Material,
    Meeting,
    MeetingStatus,
    Vote,
    VoteKind,
)
from db.repo import audit as audit_repo
from db.repo import meeting_day as day_repo
from db.repo import meetings as meetings_repo
from db.repo import members as members_repo
from db.repo import miniapp as miniapp_repo

log = logging.getLogger(__name__)

NOT_FROM_TELEGRAM = __(
    "This page opens only from the bot in Telegram, and what it was opened with does not check out. "
    "Open it again from the bot: the menu button or /year."
)
TOO_OLD = __("This page has been open too long. Close it and open it again from the bot: the menu button or /year.")
NOT_A_MEMBER = __("You are not a member of a council yet. Ask the chair for the join link in the council's group.")
NOT_THIS_COUNCIL = __("You are not a member of this council.")
NO_MEETING = __("This meeting no longer exists.")
NO_PROTOCOL = __("This meeting has no protocol yet.")
LINK_EXPIRED = __("This download link has expired. Press the button in the page again.")

LOG_ENTRIES = 30  # the latest entries of /log on the Members page
DONE_SHOWN = 20  # the latest decisions done on the Decisions page; the others on request
BANK_SHOWN = 30  # the newest materials of the bank (or of a search) on the Materials page; the others on request
LINK_SECONDS = 600  # a download link lives ten minutes
SHOWN = (MeetingStatus.ANNOUNCED, MeetingStatus.OPEN, MeetingStatus.CLOSED)


class Refused(KeneshError):
    """The page is not for this request: `status` is the HTTP answer (401: the init data, 403: the council)."""

    def __init__(self, status: int, message: object, **params: object) -> None:
        super().__init__(message, **params)
        self.status = status


# --- who opens the page -----------------------------------------------------------------------------------


def telegram_user(init_data: str, *, token: str, now: datetime, max_age: int) -> WebAppUser:
    """The person Telegram vouches for in the init data (https://core.telegram.org/bots/webapps#validating-data-
    received-via-the-mini-app): signed with the bot token's key, and no older than `max_age` seconds."""
    try:
        data = safe_parse_webapp_init_data(token, init_data)
    except ValueError:  # a wrong hash, or not init data at all
        raise Refused(401, NOT_FROM_TELEGRAM) from None
    if data.user is None:
        raise Refused(401, NOT_FROM_TELEGRAM)
    if now - data.auth_date > timedelta(seconds=max_age):
        raise Refused(401, TOO_OLD)
    return data.user


def choose_place(reader: Reader, council_id: int | None) -> Place | None:
    """The council asked for; None when the reader belongs to several and has not chosen (they pick one)."""
    if council_id is None:
        return reader.places[0] if len(reader.places) == 1 else None
    for place in reader.places:
        if place.council.id == council_id:
            return place
    raise Refused(403, NOT_THIS_COUNCIL)


def runs(reader: Reader, place: Place) -> bool:
    """The chair or the secretary of the council shown (access.runs_meetings): they see the figures and /log."""
    return runs_meetings(place.council, reader.user_id)


def reader_locale(asked: str | None, stored: str | None, app_language: str | None, default: str) -> str:
    """The language switch's choice, else the language chosen in the chat (/lang), else the Telegram app's."""
    for locale in (asked, stored, (app_language or "").lower().split("-")[0]):
        if locale in SUPPORTED_LOCALES:
            return locale
    return default


def refusal_locale(init_data: str, asked: str | None, default: str) -> str:
    """The language to refuse in, before anyone is vouched for: the page's switch, else the Telegram app's
    language named in the init data, read without trusting it (it chooses a language, nothing more)."""
    try:
        user = parse_webapp_init_data(init_data).user
    except (ValueError, TypeError):  # not init data at all
        user = None
    return reader_locale(asked, None, user.language_code if user else None, default)


async def reader_of(
    session: AsyncSession,
    init_data: str,
    *,
    token: str,
    now: datetime,
    max_age: int,
    default_locale: str,
    asked_locale: str | None = None,
) -> Reader:
    """The reader of a request, or Refused: forged or stale init data, or no council they belong to."""
    user = telegram_user(init_data, token=token, now=now, max_age=max_age)
    rows, stored = await miniapp_repo.places_and_language(session, user.id)
    reader = Reader(
        user.id,
        reader_locale(asked_locale, stored, user.language_code, default_locale),
        [Place(council, member) for member, council in rows],
    )
    if not reader.places:
        raise Refused(403, NOT_A_MEMBER)
    return reader


# --- the year: the plan by trimester ------------------------------------------------------------------------


def day_state(day: date, meeting: Meeting | None, today: date) -> DayState:
    if meeting is not None:
        if meeting.status is MeetingStatus.CLOSED:
            return DayState.HELD
        return DayState.OPEN if meeting.status is MeetingStatus.OPEN else DayState.ANNOUNCED
    return DayState.DUE if rules.notice_given(day, today) else DayState.MISSED


def meetings_by_day(meetings: Sequence[Meeting], tz: ZoneInfo) -> dict[date, Meeting]:
    """The meeting held or announced on each day (a closed one first, when a day has two)."""
    found: dict[date, Meeting] = {}
    for meeting in sorted(meetings, key=lambda m: m.status is MeetingStatus.CLOSED):
        found[meeting.starts_at.astimezone(tz).date()] = meeting
    return found


async def year_view(
    session: AsyncSession, council: Council, *, today: date, tz: ZoneInfo, warn_days: tuple[int, ...]
) -> YearView:
    """The school year running today: the plan /plan shows, each planned day held (with its protocol),
    announced, due or missed; meetings off the plan; the trimester warnings sent and the one that stands."""
    school_year = rules.school_year_of(today)
    counted = await plan.plan_that_counts(session, council.id, school_year)  # a draft voted down plans nothing
    current = counted or await plan.current_plan_for(session, council, today)
    entries = list(await plan.entries_of(session, counted.id)) if counted else []
    meetings = [
        m
        for m in await meetings_repo.council_meetings(session, council.id, SHOWN)
        if rules.school_year_of(m.starts_at.astimezone(tz).date()) == school_year
    ]
    by_day = meetings_by_day(meetings, tz)
    warnings = await miniapp_repo.warnings_of(session, council.id)
    views = {t: TrimesterView(t) for t in rules.trimesters_of_year(school_year, council.trimesters)}
    outside = TrimesterView(None)

    def trimester_for(day: date) -> TrimesterView:
        trimester = rules.trimester_of(day, council.trimesters)
        if trimester is None:
            return outside
        return views.setdefault(trimester, TrimesterView(trimester))

    planned_days = plan.by_day(entries)
    for day, day_entries in planned_days.items():
        meeting = by_day.get(day)
        trimester_for(day).days.append(PlannedDay(day, day_entries, day_state(day, meeting, today), meeting))
    for day, meeting in sorted(by_day.items()):
        if day not in planned_days:
            trimester_for(day).unplanned.append(meeting)
    for warning in warnings:
        for trimester, view in views.items():
            if trimester.start == warning.trimester_start:
                view.warnings.append(warning)
    shown = []
    for trimester, view in sorted(views.items(), key=lambda item: item[0].start):
        if today in trimester and not any(day in trimester for day in by_day):
            view = TrimesterView(
                trimester, view.days, view.unplanned, view.warnings, rules.watchdog_stage(today, trimester, warn_days)
            )
        shown.append(view)
    if outside.days or outside.unplanned:
        shown.append(outside)
    return YearView(council, school_year, current, shown, today)


# --- meetings ------------------------------------------------------------------------------------------------


async def meetings_view(session: AsyncSession, council: Council, *, today: date, tz: ZoneInfo) -> MeetingsView:
    """The school year's meetings, as /meetings lists them: upcoming first, then the past by protocol."""
    school_year = rules.school_year_of(today)
    meetings = [
        m
        for m in await meetings_repo.council_meetings(session, council.id, SHOWN)
        if rules.school_year_of(m.starts_at.astimezone(tz).date()) == school_year
    ]
    upcoming = [m for m in meetings if m.status is not MeetingStatus.CLOSED]
    past = [m for m in reversed(meetings) if m.status is MeetingStatus.CLOSED]
    items = await miniapp_repo.item_counts(session, [m.id for m in meetings])
    return MeetingsView(council, school_year, upcoming, past, items)


def rated(vote: Vote) -> bool:
    """A rating vote closed with its count: the page shows its rating and the votes for its scale's options."""
    return vote.kind is VoteKind.RATING and not vote.is_open and vote.outcome is not None


async def meeting_detail(session: AsyncSession, place: Place, meeting_id: int, locale: str) -> MeetingDetail:
    """One meeting: its agenda, who was there (the roster frozen when it opened), each vote's result and who
    answers for it, and the protocol exactly as it was issued at the close."""
    council = place.council
    meeting, document = await miniapp_repo.meeting_with_document(session, meeting_id)
    if meeting is None or meeting.council_id != council.id or meeting.status not in SHOWN:
        raise KeneshError(NO_MEETING)
    items = await meetings_repo.meeting_items(session, meeting.id)
    present: list[str] = []
    absent: list[str] = []
    participants: list[str] = []
    if meeting.status is not MeetingStatus.ANNOUNCED:
        voting = await voting_roster(session, meeting)
        marked = await day_repo.present_member_ids(session, meeting.id)
        for member_id, name in sorted(voting.items(), key=lambda entry: entry[1]):
            (present if member_id in marked else absent).append(name)
        if marked - voting.keys():  # someone present without a vote: their names
            participants = [
                m.full_name
                for m in await members_repo.approved_members(session, council.id)
                if m.id in marked and m.id not in voting
            ]
    votes = []
    for vote, follow_up, responsible in await miniapp_repo.votes_followed(session, meeting.id):
        rating, tally = await groups.rating_tally(session, vote) if rated(vote) else (None, {})
        votes.append(
            VoteView(
                vote,
                frozen_counts(vote),
                responsible,
                follow_up.due_on if follow_up else None,
                follow_up is not None and follow_up.state is FollowUpState.DONE,
                rating,
                tally,
            )
        )
    parts: list[str] = []
    if meeting.status is MeetingStatus.CLOSED:
        stored = list(await day_repo.protocol_parts(session, meeting.id))
        parts = [p.text for p in stored if p.locale == locale] or [p.text for p in stored]  # as issued_copy
    else:
        document = None
    return MeetingDetail(council, meeting, items, present, absent, participants, votes, parts, document)


async def protocol_file(
    session: AsyncSession, council_id: int, meeting_id: int, locale: str, tz: ZoneInfo
) -> tuple[str, bytes]:
    """A closed meeting's protocol as a .docx: as it was issued at the close, byte for byte
    (meeting_day.protocol_copy, as /protocols sends it)."""
    meeting = await meetings_repo.get_meeting(session, meeting_id)
    if meeting is None or meeting.council_id != council_id:
        raise KeneshError(NO_MEETING)
    if meeting.status is not MeetingStatus.CLOSED:
        raise KeneshError(NO_PROTOCOL)
    copy = await meeting_day.protocol_copy(session, meeting.id, locale, tz)
    return copy.filename, copy.document


async def material_file(session: AsyncSession, reader: Reader, place: Place, material_id: int) -> Material:
    """A material the reader may have, as /bank gives it (materials.downloadable)."""
    return await downloadable(session, place.council, material_id, reader.user_id)


# --- decisions, materials, members ------------------------------------------------------------------------


async def decisions_view(
    session: AsyncSession, reader: Reader, place: Place, *, today: date, every_done: bool = False
) -> DecisionsView:
    """/decisions for this council: overdue, open and done, as by_standing sorts them. Of the done ones (a year
    gathers hundreds) the latest DONE_SHOWN and all the reader's own, so that "only mine" lacks none; the
    others when asked (every_done), in a second request."""
    lines = [DecisionLine(*row) for row in await miniapp_repo.decision_lines(session, place.council.id)]
    overdue, still, done = by_standing(lines, attrgetter("state"), attrgetter("due_on"), today)
    done.sort(key=lambda line: (line.done_at or line.meeting_starts_at, line.follow_up_id), reverse=True)
    shown = (
        done
        if every_done
        else [line for n, line in enumerate(done) if n < DONE_SHOWN or line.responsible_user_id == reader.user_id]
    )
    return DecisionsView(place.council, overdue, still, shown, len(done))


MAX_WORDS = 100


async def materials_view(session: AsyncSession, place: Place, words: str, *, every: bool = False) -> MaterialsView:
    """The bank (searched as /bank searches it) and the reader's own submissions with their state. Of the bank
    (a year gathers a hundred and more) the newest BANK_SHOWN, the others when asked (every), in a second
    request."""
    words = " ".join(words.split())[:MAX_WORDS]
    found = await bank_of(session, place.council.id, words)
    mine = await miniapp_repo.authored_by(session, place.member.id)
    comments = {material.id: comment for material, comment in mine if comment}
    shown = found if every else found[:BANK_SHOWN]
    return MaterialsView(place.council, words, shown, [m for m, _comment in mine], comments, len(found))


async def year_figures(session: AsyncSession, council: Council, *, today: date, tz: ZoneInfo) -> YearFigures:
    """The school year's figures in two queries: its closed meetings with their rosters and who of each roster
    was present (the protocol's count), and the decisions followed up."""
    school_year = rules.school_year_of(today)
    attendance = [
        Attended(number, starts_at.astimezone(tz).date(), present, seats)
        for number, starts_at, seats, present in await miniapp_repo.attendance_by_meeting(
            session, council.id, school_year
        )
    ]
    on_time = late = still = overdue = 0
    for state, due_on, done_at, starts_at in await miniapp_repo.follow_up_dates(session, council.id):
        if rules.school_year_of(starts_at.astimezone(tz).date()) != school_year:
            continue
        if state is FollowUpState.DONE and done_at is not None:
            if done_at.astimezone(tz).date() <= due_on:
                on_time += 1
            else:
                late += 1
        elif due_on < today:
            overdue += 1
        else:
            still += 1
    return YearFigures(school_year, attendance, on_time, late, still, overdue)


async def members_view(
    session: AsyncSession, reader: Reader, place: Place, *, today: date, tz: ZoneInfo
) -> MembersView:
    """/members for everyone; for the chair and the secretary also the year's figures and the latest of /log."""
    council = place.council
    members = await members_repo.council_members(session, council.id)
    roster = Roster(council, members, viewer_is_chair=council.chair_id == reader.user_id)
    if not runs(reader, place):
        return MembersView(roster, None, None)
    figures = await year_figures(session, council, today=today, tz=tz)
    entries = await audit_repo.latest_entries(session, council.id, LOG_ENTRIES, 0)
    return MembersView(roster, figures, [AuditLine(entry, starts_at) for entry, starts_at in entries])


# --- download links -----------------------------------------------------------------------------------------


class FileKind(enum.StrEnum):
    PROTOCOL = "protocol"
    MATERIAL = "material"


def _link_key(token: str) -> bytes:
    """A key of its own for download links, derived from the bot token (which never leaves the server)."""
    return hashlib.sha256(b"kenesh mini app file links\n" + token.encode()).digest()


def link_signature(token: str, kind: FileKind, object_id: int, council_id: int, expires: int) -> str:
    message = f"{kind.value}:{object_id}:{council_id}:{expires}".encode()
    return hmac.new(_link_key(token), message, hashlib.sha256).hexdigest()[:32]


def file_link(token: str, kind: FileKind, object_id: int, council_id: int, now: datetime) -> str:
    """The path (under the Mini App's) of a download link Telegram's client fetches itself, without the init
    data: `file/<kind>/<council>/<id>/<expires>/<signature>`. It names no person and lives LINK_SECONDS."""
    expires = int(now.timestamp()) + LINK_SECONDS
    signature = link_signature(token, kind, object_id, council_id, expires)
    return f"file/{kind.value}/{council_id}/{object_id}/{expires}/{signature}"


def check_link(
    token: str, kind: FileKind, object_id: int, council_id: int, expires: int, signature: str, now: datetime
) -> None:
    expected = link_signature(token, kind, object_id, council_id, expires)
    if not hmac.compare_digest(expected, signature):
        raise Refused(403, LINK_EXPIRED)
    if now.timestamp() > expires:
        raise Refused(403, LINK_EXPIRED)


async def check_member(session: AsyncSession, user_id: int) -> None:
    """/year: only for an approved member or participant of a council (the page would refuse anyone else)."""
    if not await miniapp_repo.places_of(session, user_id):
        raise KeneshError(NOT_A_MEMBER)
