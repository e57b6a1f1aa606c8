"""The year in figures for the teaching staff (cl. 7.6) and the year's records (cl. 7.5).

One YearReport is built from the database (each meeting's figures from its protocol's own data, so the
report cannot disagree with the protocols); the message, the .xlsx and the chart are all drawn from it by
bot/ui/report.py.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import rules
from bot.domain import DecisionRow, MaterialRow, MeetingRow, MemberRow, YearReport
from bot.errors import KeneshError
from bot.i18n import I18n, group_locales
from bot.i18n import lazy_gettext as __
from bot.ops import groups, meeting_day, notices, plan
from bot.ops.access import council_for_chair, council_for_runner
from bot.ops.councils import school_name
from bot.ui import labels as ui_labels
from bot.ui import plan as ui_plan
from bot.ui import report as ui_report
from db.models import Council, FollowUpState, MeetingStatus, Outcome, PlanState, VoteKind
from db.repo import councils as councils_repo
from db.repo import decisions as decisions_repo
from db.repo import jobs as jobs_repo
from db.repo import materials as materials_repo
from db.repo import meeting_day as day_repo
from db.repo import meetings as meetings_repo
from db.repo import members as members_repo
from db.repo import reviews as reviews_repo
from db.repo.outbox import Kind, enqueue

log = logging.getLogger(__name__)

_YEAR = re.compile(r"^\s*(\d{4})\s*[-/–]\s*(\d{4})\s*$")


def parse_school_year(text: str | None, today: date) -> int:
    """ "2026-2027" (or nothing: the current school year) into the year it began in."""
    text = (text or "").strip()
    if not text:
        return rules.school_year_of(today)
    match = _YEAR.match(text)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise KeneshError(__("Write the school year like this: /report 2026-2027"))
    return int(match.group(1))


def _year_bounds(year: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(date(year, 9, 1), time(), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(date(year + 1, 9, 1), time(), tzinfo=tz).astimezone(UTC)
    return start, end


async def build(session: AsyncSession, council: Council, school_year: int, today: date, tz: ZoneInfo) -> YearReport:
    """Trimesters are named in the current locale (the reader's): the report groups by those names."""
    report = YearReport(council, school_year)
    for trimester in rules.trimesters_of_year(school_year, council.trimesters):
        label = ui_labels.trimester_label(trimester.start, council.trimesters)
        report.trimesters.append(label)
        report.planned[label] = report.held[label] = 0
    closed = [
        m
        for m in await meetings_repo.council_meetings(session, council.id, (MeetingStatus.CLOSED,))
        if m.school_year == school_year and m.protocol_number
    ]
    closed.sort(key=lambda m: m.protocol_number or 0)  # each has one (above)
    present_by_member: dict[int, int] = {}
    follow_ups = {f.vote_id: f for f in await decisions_repo.follow_ups_of(session, council.id)}
    for meeting in closed:
        data = await meeting_day.protocol_data(session, meeting.id)  # the protocol's own figures
        day = meeting.starts_at.astimezone(tz).date()
        label = ui_labels.trimester_label(day, council.trimesters)
        report.held[label] = report.held.get(label, 0) + 1
        if label not in report.trimesters:
            report.trimesters.append(label)
            report.planned.setdefault(label, 0)
        report.meetings.append(
            MeetingRow(data.number, day, label, len(data.present), data.members_total, data.quorum, len(data.items))
        )
        for member_id in await day_repo.present_member_ids(session, meeting.id):
            present_by_member[member_id] = present_by_member.get(member_id, 0) + 1
        for vote in await day_repo.meeting_votes(session, meeting.id):
            if vote.kind is VoteKind.RATING:  # a report's rating, not a decision: in report.groups
                continue
            follow_up = follow_ups.get(vote.id)
            responsible, due, state, on_time = None, None, "", False
            if follow_up is not None:
                member = await members_repo.get_member(session, follow_up.member_id)
                responsible, due = member.full_name if member else None, follow_up.due_on
                state = (
                    "done"
                    if follow_up.state is FollowUpState.DONE
                    else "overdue"
                    if follow_up.due_on < today
                    else "open"
                )
                done_at = follow_up.done_at
                on_time = done_at is not None and done_at.astimezone(tz).date() <= follow_up.due_on
            report.decisions.append(
                DecisionRow(
                    data.number, vote.decision, vote.outcome or Outcome.NO_QUORUM, responsible, due, state, on_time
                )
            )
    held = len(closed)
    for member in await members_repo.approved_members(session, council.id):
        if member.role.votes:
            report.members.append(MemberRow(member.full_name, member.role, present_by_member.get(member.id, 0), held))
    start, end = _year_bounds(school_year, tz)
    submitted = await materials_repo.submitted_between(session, council.id, start, end)
    reviewed = await reviews_repo.given_by_material(session, [material.id for material, _author in submitted])
    for material, author in submitted:
        report.materials.append(
            MaterialRow(material.title, author, material.kind, material.state, reviewed.get(material.id, 0))
        )
    report.groups = await groups.year_rows(session, council, school_year)
    chair = await members_repo.member_of(session, council.id, council.chair_id)
    report.chair = chair.full_name if chair else None
    year_plan = await plan.plan_that_counts(session, council.id, school_year)
    if year_plan is not None:
        report.plan_is_draft = year_plan.state is PlanState.DRAFT
        for day in plan.by_day(await plan.entries_of(session, year_plan.id)):
            label = ui_labels.trimester_label(day, council.trimesters)
            if label not in report.trimesters:
                report.trimesters.append(label)
                report.held.setdefault(label, 0)
            report.planned[label] = report.planned.get(label, 0) + 1
    return report


async def report_for(
    session: AsyncSession, *, user_id: int, args: str | None, now: datetime, tz: ZoneInfo
) -> YearReport:
    """/report: the chair or the secretary."""
    council = await council_for_runner(session, user_id)
    today = now.astimezone(tz).date()
    return await build(session, council, parse_school_year(args, today), today, tz)


# --- cl. 7.6: the council's annual report to the teaching staff, as a .docx draft ---------------------------

DRAFT_DAYS_BEFORE = 14  # before the school year's last pedagogical council


def wants_docx(args: str | None) -> tuple[str, bool]:
    """`/report 2026-2027 docx`: the year's words, and whether the 7.6 report's .docx draft is asked for."""
    words = (args or "").split()
    if words and words[-1].lower().lstrip(".") == "docx":
        return " ".join(words[:-1]), True
    return " ".join(words), False


async def annual_docx(session: AsyncSession, council: Council, school_year: int, today: date, tz: ZoneInfo) -> bytes:
    """The draft of the annual report in the group's language(s), each built in its own locale (the report's
    trimesters are keyed by their names)."""
    i18n = I18n.get_current(no_error=False)
    built = []
    for locale in group_locales(council.group_language):
        with i18n.use_locale(locale):
            built.append((locale, await build(session, council, school_year, today, tz)))
    return ui_report.annual_docx(built, school_name(council), today)


async def annual_docx_for(
    session: AsyncSession, *, user_id: int, args: str | None, now: datetime, tz: ZoneInfo
) -> tuple[int, bytes]:
    """`/report 2026-2027 docx`: the chair or the secretary, any time."""
    council = await council_for_runner(session, user_id)
    today = now.astimezone(tz).date()
    year = parse_school_year(wants_docx(args)[0], today)
    document = await annual_docx(session, council, year, today, tz)
    log.info("Council %s: annual report of %s drafted on demand", council.id, year)
    return year, document


def draft_key(council: Council, day: date) -> str:
    return f"report-draft:{council.id}:{day.isoformat()}"


async def draft_before_pedcouncil(session: AsyncSession, *, now: datetime, tz: ZoneInfo, default_locale: str) -> int:
    """The daily check: two weeks before the school year's last pedagogical council (a date in /settings), the
    chair gets the draft of the council's annual report (cl. 7.6), once; a bot that was down catches up until
    that day. No commit: the caller's."""
    today = now.astimezone(tz).date()
    sent = 0
    for council in await councils_repo.all_councils(session):
        day = council.last_pedcouncil_on
        if day is None or not day - timedelta(days=DRAFT_DAYS_BEFORE) <= today <= day:
            continue
        key = draft_key(council, day)
        if await jobs_repo.job_run(session, key) is not None:
            continue
        jobs_repo.add_job_run(session, key, today)
        year = rules.school_year_of(day)
        document = await annual_docx(session, council, year, today, tz)
        await notices.to_person(
            session,
            council.chair_id,
            partial(ui_report.draft_ready, year, day),
            kind=Kind.PERSONAL,
            now=now,
            default_locale=default_locale,
            council_id=council.id,
        )
        enqueue(
            session,
            chat_id=council.chair_id,
            kind=Kind.PERSONAL,
            now=now,
            council_id=council.id,
            document=document,
            filename=ui_report.annual_filename(year),
        )
        sent += 1
        log.info("Council %s: annual report of %s drafted for the chair", council.id, year)
    return sent


async def export_for(
    session: AsyncSession, *, user_id: int, args: str | None, now: datetime, tz: ZoneInfo
) -> tuple[YearReport, bytes]:
    """/export (the chair): one .zip of the year's protocols (.docx), the approved plan and the report
    (.xlsx and its chart, .png)."""
    council = await council_for_chair(session, user_id)
    today = now.astimezone(tz).date()
    report = await build(session, council, parse_school_year(args, today), today, tz)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for meeting in await meetings_repo.council_meetings(session, council.id, (MeetingStatus.CLOSED,)):
            if meeting.school_year != report.school_year or not meeting.protocol_number:
                continue
            issued = await day_repo.issued_protocol(session, meeting.id)
            if issued is not None:  # the .docx as it was issued at the close, byte for byte (cl. 7.5)
                archive.writestr(issued.filename, issued.document)
        approved = await plan.approved_plan(session, council.id, report.school_year)
        if approved is not None:
            entries = await plan.entries_of(session, approved.id)
            archive.writestr(
                ui_plan.plan_filename(approved),
                await plan.plan_document(session, council, approved, entries, council.group_language),
            )
        archive.writestr(ui_report.report_filename(report, "xlsx"), ui_report.report_xlsx(report))
        archive.writestr(ui_report.report_filename(report, "png"), ui_report.report_chart(report))
    log.info("Council %s: export of %s", council.id, report.school_year)
    return report, buffer.getvalue()
