"""cl. 7.3: the annual plan (cyclogram). Drawn up by the chair, discussed at a meeting (the vote on its agenda
item adopts it), approved by the director's order; a change to an approved plan is a new version, a draft.

The plan drives reminders: the chair is reminded 3 days before the last day to announce a planned meeting
(its date − 7), /agenda offers the planned date and topics, and the trimester warnings name it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession

from bot import rules
from bot.agenda import Item, example_day, parse_day, parse_items
from bot.domain import PlanLine, Planned, by_day
from bot.errors import KeneshError
from bot.i18n import lazy_gettext as __
from bot.ops import notices
from bot.ops.access import NOT_RUNNER, council_of_member, runs_meetings
from bot.ops.meetings import add_to_agenda
from bot.ui import plan as ui_plan
from db.models import (
    Council,
    GroupLanguage,
    Meeting,
    MeetingStatus,
    Outcome,
    Plan,
    PlanEntry,
    PlanState,
    Vote,
)
from db.repo import change_if, reload
from db.repo import councils as councils_repo
from db.repo import jobs as jobs_repo
from db.repo import meeting_day as day_repo
from db.repo import meetings as meetings_repo
from db.repo import members as members_repo
from db.repo import plan as plan_repo
from db.repo.outbox import Kind, enqueue

log = logging.getLogger(__name__)

ALREADY_ADOPTED = __("Only a draft plan is put on an agenda; this one is already adopted.")

MAX_ENTRIES = 100
REMIND_DAYS_BEFORE = 3  # before the last day to announce (the meeting's date − 7)
HELD_OR_ANNOUNCED = (MeetingStatus.ANNOUNCED, MeetingStatus.OPEN, MeetingStatus.CLOSED)
_LINE = re.compile(r"^\s*(\d{1,2}\.\d{1,2}(?:\.\d{4}|\.)?)\s*(.*)$")
_ORDER = re.compile(r"^\s*№?\s*(\S{1,32})\s+(\S+)\s*$")


def parse_date(text: str, today: date) -> date:
    """A date typed alone (the plan's, a due date, a group's end): bot.agenda.parse_day, a day from today on
    when the year is left out."""
    try:
        return parse_day(text or "", today)
    except ValueError:
        raise KeneshError(
            __("I could not read the date. Write it like this: {date}"), date=example_day(today)
        ) from None


def parse_topics(day: date, text: str) -> list[PlanLine]:
    """Topics of one date, one per line; a responsible may follow a dash."""
    items: list[Item] = parse_items([line for line in text.splitlines() if line.strip()])
    return [PlanLine(day, item.title, item.reporter) for item in items]


def parse_plan(text: str, today: date) -> list[PlanLine]:
    """`DD.MM.YYYY Topic — Responsible`, one line each; several topics of one date on several lines."""
    lines: list[PlanLine] = []
    for number, raw in enumerate((line for line in (text or "").splitlines() if line.strip()), 1):
        match = _LINE.match(raw)
        if not match or not match.group(2).strip():
            raise KeneshError(
                __(
                    "Line {number} does not start with a date and a topic. Write it like this: "
                    "{date} Мектептин методикалык темасы — Осмонова Г."
                ),
                number=number,
                date=example_day(today),
            )
        try:
            day = parse_day(match.group(1), today)
        except KeneshError as error:  # a day that does not exist, named
            raise KeneshError(__("Line {number}: {reason}"), number=number, reason=error.render()) from None
        (item,) = parse_items([match.group(2)])
        lines.append(PlanLine(day, item.title, item.reporter))
    return check_lines(lines)


def check_lines(lines: list[PlanLine]) -> list[PlanLine]:
    if not lines:
        raise KeneshError(__("The plan has no lines. Write each planned topic on its own line after its date."))
    if len(lines) > MAX_ENTRIES:
        raise KeneshError(__("A plan can have at most {limit} lines."), limit=MAX_ENTRIES)
    years = {rules.school_year_of(line.day) for line in lines}
    if len(years) > 1:
        raise KeneshError(__("All the dates of a plan must be in one school year (from 1 September to 31 August)."))
    return sorted(lines, key=lambda line: line.day)  # stable: topics of one date keep their order


def lines_to_data(lines: list[PlanLine]) -> list[list[str | None]]:
    """For the FSM data between the preview and Save (JSON)."""
    return [[line.day.isoformat(), line.topic, line.responsible] for line in lines]


def lines_from_data(data: list[list[str | None]]) -> list[PlanLine]:
    lines = []
    for day, topic, responsible in data:
        if day is None or topic is None:  # lines_to_data writes both: the data was not written by it
            raise ValueError(f"A plan line without a date or a topic: {[day, topic, responsible]!r}")
        lines.append(PlanLine(date.fromisoformat(day), topic, responsible))
    return lines


@dataclass(frozen=True)
class PlanView:
    council: Council
    plan: Plan | None
    entries: Sequence[PlanEntry]
    can_manage: bool


async def latest_plan(session: AsyncSession, council_id: int, school_year: int | None = None) -> Plan | None:
    """The current plan: the newest version (of the given school year, or of any)."""
    return await plan_repo.latest_plan(session, council_id, school_year)


async def approved_plan(session: AsyncSession, council_id: int, school_year: int) -> Plan | None:
    return await plan_repo.approved_plan(session, council_id, school_year)


async def entries_of(session: AsyncSession, plan_id: int) -> Sequence[PlanEntry]:
    return await plan_repo.entries_of(session, plan_id)


async def plan_that_counts(session: AsyncSession, council_id: int, school_year: int) -> Plan | None:
    """The plan whose days count as planned (/report, the Mini App's year): the one the council adopted
    (approved by the order, else adopted by its item's vote); before any vote, the draft (its readers are told it
    is a draft). A draft the council did not adopt (its meeting closed, or its item's vote failed) counts for
    nothing until it is changed and put on an agenda again."""
    adopted = await plan_repo.adopted_plan(session, council_id, school_year)
    if adopted is not None:
        return adopted
    draft = await latest_plan(session, council_id, school_year)
    if draft is None or draft.meeting_id is None:
        return draft
    meeting = await meetings_repo.get_meeting(session, draft.meeting_id)
    if meeting is not None and meeting.status is MeetingStatus.CLOSED:
        return None
    votes = await day_repo.meeting_votes(session, draft.meeting_id)
    if any(v.item_position == draft.item_position and not v.is_open and v.outcome for v in votes):
        return None  # voted down at a meeting still going on (adopted, it would not be a draft)
    return draft


async def current_plan_for(session: AsyncSession, council: Council, today: date) -> Plan | None:
    """The plan of this school year; before any exists, the newest one."""
    return await latest_plan(session, council.id, rules.school_year_of(today)) or await latest_plan(session, council.id)


async def view_plan(session: AsyncSession, user_id: int, today: date) -> PlanView:
    council = await council_of_member(session, user_id)
    plan = await current_plan_for(session, council, today)
    entries = await entries_of(session, plan.id) if plan else []
    return PlanView(council, plan, entries, runs_meetings(council, user_id))


async def save_plan(
    session: AsyncSession, *, council: Council, user_id: int, lines: list[PlanLine], now: datetime
) -> Plan:
    """A draft: the draft of that school year is replaced; a discussed or approved plan gets a new version."""
    if not runs_meetings(council, user_id):
        raise KeneshError(NOT_RUNNER)
    lines = check_lines(lines)
    year = rules.school_year_of(lines[0].day)
    plan = await latest_plan(session, council.id, year)
    if plan is not None and plan.state is PlanState.DRAFT:
        await plan_repo.drop_entries(session, plan.id)
        plan.updated_at, plan.meeting_id, plan.item_position = now, None, None
    else:
        plan = Plan(
            council_id=council.id,
            school_year=year,
            version=plan.version + 1 if plan else 1,
            state=PlanState.DRAFT,
            created_by=user_id,
            created_at=now,
            updated_at=now,
        )
        session.add(plan)
        await session.flush()
    for position, line in enumerate(lines, 1):
        session.add(
            PlanEntry(plan_id=plan.id, position=position, day=line.day, topic=line.topic, responsible=line.responsible)
        )
    await session.commit()
    log.info("Council %s: plan %s (%s, version %s) saved as a draft", council.id, plan.id, year, plan.version)
    return plan


async def _managed_plan(session: AsyncSession, plan_id: int, user_id: int) -> tuple[Plan, Council]:
    plan = await plan_repo.get_plan(session, plan_id)
    council = await councils_repo.get_council(session, plan.council_id) if plan else None
    if plan is None or council is None:
        raise KeneshError(__("This plan no longer exists."))
    if not runs_meetings(council, user_id):
        raise KeneshError(NOT_RUNNER)
    return plan, council


async def agenda_choices(session: AsyncSession, plan_id: int, user_id: int) -> list:
    """The announced meetings the plan can be put on."""
    plan, council = await _managed_plan(session, plan_id, user_id)
    if plan.state is not PlanState.DRAFT:
        raise KeneshError(ALREADY_ADOPTED)
    meetings = list(await meetings_repo.council_meetings(session, council.id, (MeetingStatus.ANNOUNCED,)))
    if not meetings:
        raise KeneshError(__("No meeting is announced. Announce one with /agenda first."))
    return meetings


async def put_on_agenda(
    session: AsyncSession,
    *,
    plan_id: int,
    meeting_id: int,
    user_id: int,
    now: datetime,
    tz: ZoneInfo,
    default_locale: str,
) -> tuple[Plan, Meeting, int]:
    """The plan becomes the last item of an announced meeting; that item's vote adopts it. The agenda changes
    by the one notice rule (bot/ops/meetings.py `add_to_agenda`) and is announced again."""
    plan, council = await _managed_plan(session, plan_id, user_id)
    if plan.state is not PlanState.DRAFT:
        raise KeneshError(ALREADY_ADOPTED)
    # Pressed twice: the second press finds the plan already on this agenda and adds no second item.
    if not await change_if(
        session,
        Plan,
        plan.id,
        Plan.state == PlanState.DRAFT,
        or_(Plan.meeting_id.is_(None), Plan.meeting_id != meeting_id),
        meeting_id=meeting_id,
    ):
        raise KeneshError(__("The plan is already on this meeting's agenda."))
    view, position = await add_to_agenda(
        session,
        council=council,
        meeting_id=meeting_id,
        user_id=user_id,
        title=partial(ui_plan.plan_agenda_title, plan),
        now=now,
        tz=tz,
        default_locale=default_locale,
    )
    await reload(session, plan)
    plan.item_position, plan.updated_at = position, now
    await session.commit()
    log.info("Council %s: plan %s is item %s of meeting %s", council.id, plan.id, position, meeting_id)
    return plan, view.meeting, position


async def adopted_by_vote(session: AsyncSession, vote: Vote, now: datetime) -> Plan | None:
    """A vote on the plan's agenda item closed: adopted, the plan is discussed. Before the caller's commit."""
    if vote.item_position is None or vote.outcome is not Outcome.ADOPTED:
        return None
    plan = await plan_repo.draft_on_item(session, vote.meeting_id, vote.item_position)
    # Adopted once: a second vote on the item (or a close racing this one) finds the plan no longer a draft.
    if plan is None or not await change_if(
        session,
        Plan,
        plan.id,
        Plan.state == PlanState.DRAFT,
        state=PlanState.DISCUSSED,
        discussed_at=now,
        updated_at=now,
    ):
        return None
    await reload(session, plan)
    log.info("Plan %s adopted by vote %s", plan.id, vote.id)
    return plan


def parse_order(text: str, today: date) -> tuple[str, date]:
    """ "15 01.10.2026": the order's number, then its date (parse_day; without a year, the last such day)."""
    match = _ORDER.match(text or "")
    try:
        if not match:
            raise ValueError(text)
        return match.group(1), parse_day(match.group(2), today, past=True)
    except ValueError:
        raise KeneshError(__("Write the director's order like this: /plan order 15 01.10.2026")) from None


async def approve(
    session: AsyncSession, *, user_id: int, args: str, now: datetime, tz: ZoneInfo
) -> tuple[Council, Plan, Sequence[PlanEntry]]:
    """`/plan order <number> <DD.MM.YYYY>`: the director's order approves the discussed plan; posted to the group."""

    number, order_date = parse_order(args, now.astimezone(tz).date())
    council = await council_of_member(session, user_id)
    if not runs_meetings(council, user_id):
        raise KeneshError(NOT_RUNNER)
    plan = await current_plan_for(session, council, now.astimezone(tz).date())
    if plan is None:
        raise KeneshError(__("There is no plan yet. Send /plan to draw it up."))
    if plan.state is PlanState.APPROVED:
        raise KeneshError(__("This plan is already approved."))
    if plan.state is not PlanState.DISCUSSED:
        raise KeneshError(
            __("The plan is approved after the council adopts it: put it on a meeting's agenda with /plan first.")
        )
    plan.state, plan.order_number, plan.order_date = PlanState.APPROVED, number, order_date
    plan.approved_at = plan.updated_at = now
    entries = await entries_of(session, plan.id)
    notices.to_group(
        session,
        council,
        lambda: ui_plan.plan_text(council, plan, entries, tz, announce=True),
        kind=Kind.NOTICE,
        now=now,
        ref_id=plan.id,
    )
    enqueue(
        session,
        chat_id=council.chat_id,
        kind=Kind.NOTICE,
        now=now,
        council_id=council.id,
        ref_id=plan.id,
        document=await plan_document(session, council, plan, entries, council.group_language),
        filename=ui_plan.plan_filename(plan),
    )
    await session.commit()
    log.info("Council %s: plan %s approved by order %s", council.id, plan.id, number)
    return council, plan, entries


async def plan_document(
    session: AsyncSession, council: Council, plan: Plan, entries: Sequence[PlanEntry], language: GroupLanguage
) -> bytes:
    """The plan's .docx, with the names of the chair and the secretary under their signature lines."""

    async def name(user_id: int | None) -> str | None:
        member = await members_repo.member_of(session, council.id, user_id) if user_id else None
        return member.full_name if member else None

    return ui_plan.plan_docx(
        council,
        plan,
        entries,
        language,
        chair=await name(council.chair_id),
        secretary=await name(council.secretary_id),
    )


# --- what the plan says about dates ------------------------------------------------------------------------


async def _meeting_days(session: AsyncSession, council_id: int, tz: ZoneInfo) -> set[date]:
    meetings = await meetings_repo.council_meetings(session, council_id, HELD_OR_ANNOUNCED)
    return {m.starts_at.astimezone(tz).date() for m in meetings}


async def next_planned(session: AsyncSession, council: Council, today: date, tz: ZoneInfo) -> Planned | None:
    """The next planned meeting that can still be announced with a week's notice and is not announced yet."""
    plan = await current_plan_for(session, council, today)
    if plan is None:
        return None
    held = await _meeting_days(session, council.id, tz)
    for day, entries in by_day(await entries_of(session, plan.id)).items():
        if day >= rules.earliest_meeting_date(today) and day not in held:
            return Planned(day, entries)
    return None


async def planned_on(session: AsyncSession, council: Council, day: date, today: date) -> Planned | None:
    plan = await current_plan_for(session, council, today)
    if plan is None:
        return None
    entries = by_day(await entries_of(session, plan.id)).get(day)
    return Planned(day, entries) if entries else None


async def planned_by_council(
    session: AsyncSession, council_ids: Sequence[int], today: date
) -> dict[int, dict[date, list[PlanEntry]]]:
    """Each council's current plan (as `current_plan_for` chooses it), by day, in two queries for any number
    of councils: the daily trimester check names the planned meeting in its warnings to thousands of them."""
    if not council_ids:
        return {}
    year = rules.school_year_of(today)
    plans = await plan_repo.plans_of_councils(session, council_ids)
    chosen: dict[int, Plan] = {}
    for plan in plans:  # newest first per council: this year's newest wins, else the newest of any year
        current = chosen.get(plan.council_id)
        if current is None or (plan.school_year == year and current.school_year != year):
            chosen[plan.council_id] = plan
    if not chosen:
        return {}
    by_plan = {plan.id: plan.council_id for plan in chosen.values()}
    entries = await plan_repo.entries_of_plans(session, list(by_plan))
    grouped: dict[int, list[PlanEntry]] = {}
    for entry in entries:
        grouped.setdefault(by_plan[entry.plan_id], []).append(entry)
    return {council_id: by_day(items) for council_id, items in grouped.items()}


def planned_between(days: dict[date, list[PlanEntry]], start: date, end: date, today: date) -> Planned | None:
    """The first planned meeting between two dates, from today on (the trimester warnings name it)."""
    for day, entries in days.items():
        if start <= day <= end and day >= today:
            return Planned(day, entries)
    return None


def reminder_key(council_id: int, day: date) -> str:
    return f"plan:{council_id}:{day.isoformat()}"


async def remind_planned(
    session: AsyncSession, council: Council, *, now: datetime, tz: ZoneInfo, default_locale: str
) -> list[Planned]:
    """The daily job: 3 days before the last day to announce a planned meeting that is not announced, the
    chair is reminded privately; once (a bot that was down catches up until that last day). No commit."""

    today = now.astimezone(tz).date()
    plan = await current_plan_for(session, council, today)
    if plan is None:
        return []
    held = await _meeting_days(session, council.id, tz)
    reminded = []
    for day, entries in by_day(await entries_of(session, plan.id)).items():
        planned = Planned(day, entries)
        first = planned.last_announce_day - timedelta(days=REMIND_DAYS_BEFORE)
        if not first <= today <= planned.last_announce_day or day in held:
            continue
        key = reminder_key(council.id, day)
        if await jobs_repo.job_run(session, key) is not None:
            continue
        jobs_repo.add_job_run(session, key, today)
        await notices.to_person(
            session,
            council.chair_id,
            partial(ui_plan.plan_reminder, planned, today),
            kind=Kind.REMINDER,
            now=now,
            default_locale=default_locale,
            council_id=council.id,
        )
        reminded.append(planned)
        log.info("Council %s: the chair is reminded of the planned meeting on %s", council.id, day)
    return reminded
