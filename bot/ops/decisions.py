"""cl. 7.6: the council answers for carrying out its decisions. After an adopted vote closes, the chair may
give it a responsible member and a due date; that member is reminded and reports it done.

Also what follows any vote's closing (the plan adopted by its item's vote), and votes that close on time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import FollowView, Listing
from bot.errors import KeneshError
from bot.i18n import I18n
from bot.i18n import lazy_gettext as __
from bot.ops import groups, notices, plan
from bot.ops.access import NOT_RUNNER, council_of_member, runs_meetings
from bot.text_input import clean_file_name, clean_text
from bot.ui import decisions as ui_decisions
from bot.ui import meeting_day as ui_meeting_day
from db.models import (
    Council,
    FollowUp,
    FollowUpState,
    Meeting,
    Member,
    MemberStatus,
    Outcome,
    Vote,
)
from db.repo import councils as councils_repo
from db.repo import decisions as decisions_repo
from db.repo import meeting_day as day_repo
from db.repo import meetings as meetings_repo
from db.repo import members as members_repo
from db.repo import referenced, reload
from db.repo.outbox import Kind

log = logging.getLogger(__name__)

T = TypeVar("T")

REMIND_DAYS_BEFORE = 3
MAX_REPORT = 1000


def _default_locale() -> str:
    i18n = I18n.get_current(no_error=True)
    return i18n.default_locale if i18n else "ky"


async def vote_closed(session: AsyncSession, vote: Vote, meeting: Meeting, now: datetime) -> None:
    """Called as a vote closes (by the chair, at /close, or on time), before the caller's commit."""
    await plan.adopted_by_vote(session, vote, now)
    await groups.adopted_by_vote(session, vote, now, _default_locale())  # a head's or a theme's item
    if vote.outcome is not Outcome.ADOPTED:
        return
    council = await referenced(session, Council, meeting.council_id)
    people = await present_members(session, meeting)

    await notices.to_person(
        session,
        council.chair_id,
        lambda: ui_decisions.follow_up_question(vote),
        kind=Kind.PERSONAL,
        now=now,
        default_locale=_default_locale(),
        council_id=council.id,
        markup=lambda: ui_decisions.follow_up_keyboard(vote.id, [(m.id, m.full_name) for m in people]),
    )


async def present_members(session: AsyncSession, meeting: Meeting) -> list[Member]:
    present = await day_repo.present_member_ids(session, meeting.id)
    return [m for m in await members_repo.approved_members(session, meeting.council_id) if m.id in present]


@dataclass(frozen=True)
class Pending:
    council: Council
    vote: Vote
    member: Member


async def check_assignable(session: AsyncSession, *, vote_id: int, member_id: int, user_id: int) -> Pending:
    """The chair's pick: an adopted vote with nobody responsible yet, and a member of the council."""
    vote = await day_repo.get_vote(session, vote_id)
    meeting = await meetings_repo.get_meeting(session, vote.meeting_id) if vote else None
    council = await councils_repo.get_council(session, meeting.council_id) if meeting else None
    if vote is None or council is None:
        raise KeneshError(__("This vote no longer exists."))
    if not runs_meetings(council, user_id):
        raise KeneshError(NOT_RUNNER)
    if vote.outcome is not Outcome.ADOPTED:
        raise KeneshError(__("Only an adopted decision is followed up."))
    if await decisions_repo.vote_followed_up(session, vote.id):
        raise KeneshError(__("This decision already has a responsible member."))
    member = await members_repo.get_member(session, member_id)
    if member is None or member.council_id != council.id or member.status is not MemberStatus.APPROVED:
        raise KeneshError(__("This person is not a member of the council."))
    return Pending(council, vote, member)


def parse_due(text: str, today: date) -> date:
    due = plan.parse_date(text, today)
    if due < today:
        raise KeneshError(__("This date has already passed. Choose today or a later date."))
    return due


async def assign(
    session: AsyncSession,
    *,
    vote_id: int,
    member_id: int,
    user_id: int,
    due_text: str,
    now: datetime,
    tz: ZoneInfo,
    default_locale: str,
) -> tuple[FollowUp, Pending]:
    """The decision gets its responsible member and due date; they are told in their language."""

    due = parse_due(due_text, now.astimezone(tz).date())
    pending = await check_assignable(session, vote_id=vote_id, member_id=member_id, user_id=user_id)
    follow_up = FollowUp(
        vote_id=vote_id,
        council_id=pending.council.id,
        member_id=member_id,
        due_on=due,
        state=FollowUpState.OPEN,
        assigned_by=user_id,
        assigned_at=now,
        reminded=0,
    )
    session.add(follow_up)
    await session.flush()
    meeting = await referenced(session, Meeting, pending.vote.meeting_id)
    await notices.to_person(
        session,
        pending.member.user_id,
        lambda: ui_decisions.follow_up_assigned(pending.vote, meeting, due),
        kind=Kind.PERSONAL,
        now=now,
        default_locale=default_locale,
        council_id=pending.council.id,
        markup=lambda: ui_decisions.follow_done_keyboard(follow_up.id),
    )
    await session.commit()
    log.info("Vote %s: member %s responsible until %s", vote_id, member_id, due)
    return follow_up, pending


async def _view(session: AsyncSession, follow_up: FollowUp) -> FollowView:
    vote = await referenced(session, Vote, follow_up.vote_id)
    meeting = await referenced(session, Meeting, vote.meeting_id)
    member = await referenced(session, Member, follow_up.member_id)
    return FollowView(follow_up, vote, meeting, member)


async def own_open(session: AsyncSession, follow_up_id: int, user_id: int) -> FollowView:
    follow_up = await decisions_repo.get_follow_up(session, follow_up_id)
    if follow_up is None:
        raise KeneshError(__("This decision no longer exists."))
    view = await _view(session, follow_up)
    if view.member.user_id != user_id:
        raise KeneshError(__("Only the member responsible for this decision reports it done."))
    if follow_up.state is FollowUpState.DONE:
        raise KeneshError(__("This decision is already reported done."))
    return view


async def mark_done(
    session: AsyncSession,
    *,
    follow_up_id: int,
    user_id: int,
    report: str | None,
    file_id: str | None,
    file_name: str | None,
    now: datetime,
    default_locale: str,
) -> FollowView:
    """Done, with a short report (text or a file); the chair is told. A second report changes nothing."""

    report = clean_text(report, multiline=True).strip() or None
    file_name = clean_file_name(file_name)[:255] or None
    if report is None and file_id is None:
        raise KeneshError(__("Send a short report: a text or a file."))
    if report and len(report) > MAX_REPORT:
        raise KeneshError(__("The report is too long: at most {limit} characters."), limit=MAX_REPORT)
    view = await own_open(session, follow_up_id, user_id)
    if not await decisions_repo.mark_done_if_open(
        session,
        follow_up_id,
        done_at=now,
        report=report,
        report_file_id=file_id,
        report_file_name=file_name,
    ):
        raise KeneshError(__("This decision is already reported done."))
    council = await referenced(session, Council, view.follow_up.council_id)
    await notices.to_person(
        session,
        council.chair_id,
        lambda: ui_decisions.follow_up_done(view, report, file_name),
        kind=Kind.PERSONAL,
        now=now,
        default_locale=default_locale,
        council_id=council.id,
    )
    await session.commit()
    await reload(session, view.follow_up)
    log.info("Follow-up %s reported done", follow_up_id)
    return view


async def listing(session: AsyncSession, user_id: int, today: date) -> Listing:
    """/decisions: the decisions followed up in the viewer's council."""
    return await listing_of(session, await council_of_member(session, user_id), user_id, today)


def by_standing(
    items: Iterable[T], state: Callable[[T], FollowUpState], due_on: Callable[[T], date], today: date
) -> tuple[list[T], list[T], list[T]]:
    """Decisions followed up by how they stand today, as /decisions and the Mini App list them: overdue (still
    open after the due date), open, done; each in the order given."""
    overdue: list[T] = []
    still: list[T] = []
    done: list[T] = []
    for item in items:
        if state(item) is FollowUpState.DONE:
            done.append(item)
        else:
            (overdue if due_on(item) < today else still).append(item)
    return overdue, still, done


async def listing_of(session: AsyncSession, council: Council, user_id: int, today: date) -> Listing:
    """A council's decisions followed up, as /decisions lists them (by_standing); the viewer's own open ones
    apart."""
    views = [FollowView(*row) for row in await decisions_repo.follow_ups_with_sources(session, council.id)]
    late, still, done = by_standing(views, lambda v: v.follow_up.state, lambda v: v.follow_up.due_on, today)
    mine = [v for v in late + still if v.member.user_id == user_id]
    return Listing(council, still, late, done, mine)


async def done_between(session: AsyncSession, council_id: int, after: datetime | None, until: datetime) -> list:
    """Decisions reported done in a window (for the protocol: since the previous meeting)."""
    return [await _view(session, f) for f in await decisions_repo.done_between(session, council_id, after, until)]


async def remind_due(session: AsyncSession, *, now: datetime, tz: ZoneInfo, default_locale: str) -> int:
    """The daily job: 3 days before the due date and on it, the responsible member is reminded; once each
    (a conditional update: a second instance, or a second run, finds nothing to do). No commit."""

    today = now.astimezone(tz).date()
    sent = 0
    rows = await decisions_repo.open_follow_ups(session)
    for follow_up in rows:
        stage = (
            2 if today >= follow_up.due_on else 1 if today >= follow_up.due_on - timedelta(REMIND_DAYS_BEFORE) else 0
        )
        if stage <= follow_up.reminded:
            continue
        if not await decisions_repo.claim_reminder(session, follow_up.id, stage):
            continue
        view = await _view(session, follow_up)
        await notices.to_person(
            session,
            view.member.user_id,
            partial(ui_decisions.follow_up_reminder, view, today),
            kind=Kind.REMINDER,
            now=now,
            default_locale=default_locale,
            council_id=follow_up.council_id,
            markup=partial(ui_decisions.follow_done_keyboard, follow_up.id),
        )
        sent += 1
    return sent


# --- votes that close on time ----------------------------------------------------------------------------


async def not_voted(session: AsyncSession, vote: Vote, meeting: Meeting) -> list[Member]:
    """Present members with a vote who have not voted (a secret ballot knows who voted, not how)."""
    voted = await day_repo.voter_ids(session, vote)
    return [m for m in await present_members(session, meeting) if m.role.votes and m.id not in voted]


async def nudge_voters(session: AsyncSession, *, vote_id: int, now: datetime, default_locale: str) -> int:
    """A minute before a timed vote closes: each present member who has not voted is told privately, once."""

    if not await day_repo.claim_nudge(session, vote_id):
        return 0
    vote = await referenced(session, Vote, vote_id)  # the claim above found it
    meeting = await referenced(session, Meeting, vote.meeting_id)
    people = await not_voted(session, vote, meeting)
    for member in people:
        await notices.to_person(
            session,
            member.user_id,
            lambda: ui_meeting_day.vote_closing_soon(vote),
            kind=Kind.PERSONAL,
            now=now,
            default_locale=default_locale,
            council_id=meeting.council_id,
        )
    await session.commit()
    return len(people)
