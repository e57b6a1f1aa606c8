"""The year in figures for the teaching staff (cl. 7.6) and the year's records (cl. 7.5).

One YearReport is built from the database (each meeting's figures from its protocol's own data, so the
report cannot disagree with the protocols); the message, the .xlsx and the chart are all drawn from it.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.ext.asyncio import AsyncSession

from bot import meeting_day, plan, rules
from bot.access import council_for_runner
from bot.errors import KeneshError
from bot.meetings import council_for_chair
from db.models import Council, FollowUpState, MaterialState, MeetingStatus, Outcome
from db.repo import decisions as decisions_repo
from db.repo import materials as materials_repo
from db.repo import meeting_day as day_repo
from db.repo import meetings as meetings_repo
from db.repo import members as members_repo

log = logging.getLogger(__name__)

_YEAR = re.compile(r"^\s*(\d{4})\s*[-/–]\s*(\d{4})\s*$")


def parse_school_year(text: str | None, today: date) -> int:
    """ "2026-2027" (or nothing: the current school year) into the year it began in."""
    if not (text or "").strip():
        return rules.school_year_of(today)
    match = _YEAR.match(text)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise KeneshError(__("Write the school year like this: /report 2026-2027"))
    return int(match.group(1))


@dataclass(frozen=True)
class MeetingRow:
    number: int
    day: date
    trimester: str
    present: int
    members: int
    quorum: bool
    items: int


@dataclass(frozen=True)
class DecisionRow:
    protocol: int
    text: str
    outcome: Outcome
    responsible: str | None
    due: date | None
    state: str  # "open", "done", "overdue" or "" (not followed up)


@dataclass(frozen=True)
class MemberRow:
    name: str
    role: str
    attended: int
    held: int

    @property
    def percent(self) -> int:
        return round(100 * self.attended / self.held) if self.held else 0


@dataclass(frozen=True)
class MaterialRow:
    title: str
    author: str
    kind: str
    state: str


@dataclass
class YearReport:
    council: Council
    school_year: int
    meetings: list[MeetingRow] = field(default_factory=list)
    decisions: list[DecisionRow] = field(default_factory=list)
    members: list[MemberRow] = field(default_factory=list)
    materials: list[MaterialRow] = field(default_factory=list)
    trimesters: list[str] = field(default_factory=list)  # labels, in order
    planned: dict[str, int] = field(default_factory=dict)  # planned meetings per trimester label
    held: dict[str, int] = field(default_factory=dict)

    @property
    def attendance_percent(self) -> int:
        seats = sum(m.members for m in self.meetings)
        return round(100 * sum(m.present for m in self.meetings) / seats) if seats else 0

    def outcomes(self, outcome: Outcome) -> int:
        return sum(1 for d in self.decisions if d.outcome is outcome)

    def followed(self, state: str) -> int:
        return sum(1 for d in self.decisions if d.state == state)


def _year_bounds(year: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(date(year, 9, 1), time(), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(date(year + 1, 9, 1), time(), tzinfo=tz).astimezone(UTC)
    return start, end


def _trimesters(year: int, spec: str | None) -> list[rules.Trimester]:
    found: list[rules.Trimester] = []
    for start_text, _end in rules.parse_calendar(spec):
        month, day = (int(x) for x in start_text.split("-"))
        start = date(year if month >= 9 else year + 1, month, min(day, 28))
        trimester = rules.trimester_of(start, spec)
        if trimester is not None and trimester not in found:
            found.append(trimester)
    return sorted(found, key=lambda t: t.start)


async def build(session: AsyncSession, council: Council, school_year: int, today: date, tz: ZoneInfo) -> YearReport:
    """Labels are in the current locale (the reader's)."""
    from bot.ui.labels import kind_label, role_label
    from bot.ui.year import trimester_label

    report = YearReport(council, school_year)
    for trimester in _trimesters(school_year, council.trimesters):
        label = trimester_label(trimester.start, council.trimesters)
        report.trimesters.append(label)
        report.planned[label] = report.held[label] = 0
    closed = [
        m
        for m in await meetings_repo.council_meetings(session, council.id, (MeetingStatus.CLOSED,))
        if m.school_year == school_year and m.protocol_number
    ]
    closed.sort(key=lambda m: m.protocol_number)
    present_by_member: dict[int, int] = {}
    follow_ups = {f.vote_id: f for f in await decisions_repo.follow_ups_of(session, council.id)}
    for meeting in closed:
        data = await meeting_day.protocol_data(session, meeting.id)  # the protocol's own figures
        day = meeting.starts_at.astimezone(tz).date()
        label = trimester_label(day, council.trimesters)
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
            follow_up = follow_ups.get(vote.id)
            responsible, due, state = None, None, ""
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
            report.decisions.append(
                DecisionRow(data.number, vote.decision, vote.outcome or Outcome.NO_QUORUM, responsible, due, state)
            )
    held = len(closed)
    for member in await members_repo.approved_members(session, council.id):
        if member.role.votes:
            report.members.append(
                MemberRow(member.full_name, role_label(member.role), present_by_member.get(member.id, 0), held)
            )
    start, end = _year_bounds(school_year, tz)
    for material, author in await materials_repo.submitted_between(session, council.id, start, end):
        report.materials.append(
            MaterialRow(material.title, author, kind_label(material.kind), material_state_label(material.state))
        )
    year_plan = await plan.approved_plan(session, council.id, school_year) or await plan.latest_plan(
        session, council.id, school_year
    )
    if year_plan is not None:
        for day in plan.by_day(await plan.entries_of(session, year_plan.id)):
            label = trimester_label(day, council.trimesters)
            if label not in report.trimesters:
                report.trimesters.append(label)
                report.held.setdefault(label, 0)
            report.planned[label] = report.planned.get(label, 0) + 1
    return report


# --- what is sent: the message, the .xlsx, the chart, the archive ------------------------------------------


def report_text(report: YearReport) -> str:
    from bot.ui.render import esc
    from bot.ui.year import school_year_text

    lines = [
        _("<b>The methodical council «{title}» in the {year} school year</b>").format(
            title=esc(report.council.title), year=school_year_text(report.school_year)
        ),
        _("Meetings held: {held}; planned: {planned}.").format(
            held=len(report.meetings), planned=sum(report.planned.values())
        ),
    ]
    for label in report.trimesters:
        lines.append(
            _("{trimester}: held {held}, planned {planned}").format(
                trimester=esc(label), held=report.held.get(label, 0), planned=report.planned.get(label, 0)
            )
        )
    lines.append(_("Average attendance: {percent}%").format(percent=report.attendance_percent))
    for row in report.meetings:
        lines.append(
            _("Protocol No. {number} ({date}): present {present} of {total}").format(
                number=row.number, date=f"{row.day:%d.%m.%Y}", present=row.present, total=row.members
            )
        )
    lines += [
        _(
            "Decisions put to the vote: {total}; adopted {adopted}, not adopted {not_adopted}, no quorum {no_quorum}."
        ).format(
            total=len(report.decisions),
            adopted=report.outcomes(Outcome.ADOPTED),
            not_adopted=report.outcomes(Outcome.NOT_ADOPTED),
            no_quorum=report.outcomes(Outcome.NO_QUORUM),
        ),
        _("Decisions followed up: done {done}, open {open}, overdue {overdue}.").format(
            done=report.followed("done"), open=report.followed("open"), overdue=report.followed("overdue")
        ),
        _("Methodical materials submitted: {total}.").format(total=len(report.materials)),
    ]
    return "\n".join(lines)


def material_state_label(state: MaterialState) -> str:
    return {
        MaterialState.SUBMITTED: _("submitted"),
        MaterialState.ON_AGENDA: _("on a meeting's agenda"),
        MaterialState.APPROVED: _("approved for the bank"),
        MaterialState.RETURNED: _("returned for revision"),
        MaterialState.REJECTED: _("rejected by the council"),
    }[state]


def _state_label(state: str) -> str:
    return {"done": _("done"), "open": _("open"), "overdue": _("overdue"), "": "—"}[state]


def report_xlsx(report: YearReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from bot.ui.labels import outcome_label

    book = Workbook()
    sheets = [
        (
            _("meetings"),
            [
                _("Protocol"),
                _("Date"),
                _("Trimester"),
                _("Members present"),
                _("Members of the council"),
                _("Quorum"),
                _("Items on the agenda"),
            ],
            [
                [
                    m.number,
                    m.day.strftime("%d.%m.%Y"),
                    m.trimester,
                    m.present,
                    m.members,
                    _("yes") if m.quorum else _("no"),
                    m.items,
                ]
                for m in report.meetings
            ],
        ),
        (
            _("decisions"),
            [_("Protocol"), _("Decision"), _("Outcome"), _("Responsible"), _("Due date"), _("State")],
            [
                [
                    d.protocol,
                    d.text,
                    outcome_label(d.outcome),
                    d.responsible or "",
                    d.due.strftime("%d.%m.%Y") if d.due else "",
                    _state_label(d.state),
                ]
                for d in report.decisions
            ],
        ),
        (
            _("members"),
            [_("Name"), _("Role"), _("Meetings attended"), _("Meetings held"), _("Percent")],
            [[m.name, m.role, m.attended, m.held, m.percent] for m in report.members],
        ),
        (
            _("materials"),
            [_("Title"), _("Author"), _("Kind"), _("State")],
            [[m.title, m.author, m.kind, m.state] for m in report.materials],
        ),
    ]
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for column, width in zip("ABCDEFG", (12, 40, 18, 22, 14, 14, 10), strict=False):
            sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def report_chart(report: YearReport) -> bytes:
    """Meetings held per trimester against the plan, and attendance per meeting. matplotlib is imported here
    only: it costs tens of megabytes, and an idle bot should not carry them."""
    import matplotlib

    matplotlib.use("Agg")  # no screen
    from matplotlib.figure import Figure  # not pyplot: a Figure on its own is freed when done with

    figure = Figure(figsize=(10, 4.5), dpi=100)
    left, right = figure.subplots(1, 2)
    labels = report.trimesters or ["—"]
    positions = range(len(labels))
    planned = [report.planned.get(label, 0) for label in labels]
    held = [report.held.get(label, 0) for label in labels]
    left.bar([p - 0.2 for p in positions], planned, width=0.4, label=_("planned"), color="#b0c4de")
    left.bar([p + 0.2 for p in positions], held, width=0.4, label=_("held"), color="#2e5e8e")
    left.set_xticks(list(positions), [label.split(" (")[0] for label in labels])
    left.set_title(_("Meetings per trimester"))
    left.yaxis.get_major_locator().set_params(integer=True)
    left.legend()
    numbers = [str(m.number) for m in report.meetings]
    right.bar(numbers, [m.present for m in report.meetings], color="#2e5e8e", label=_("present"))
    right.plot(numbers, [m.members for m in report.meetings], color="#c0392b", marker="o", label=_("members"))
    right.set_title(_("Attendance per meeting (protocol No.)"))
    right.yaxis.get_major_locator().set_params(integer=True)
    right.legend()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def filename(report: YearReport, extension: str) -> str:
    return f"report_{report.school_year}-{report.school_year + 1}.{extension}"


async def report_for(session: AsyncSession, *, user_id: int, args: str | None, now: datetime, tz: ZoneInfo):  # noqa: ANN201
    """/report: the chair or the secretary."""
    council = await council_for_runner(session, user_id)
    today = now.astimezone(tz).date()
    return await build(session, council, parse_school_year(args, today), today, tz)


async def export_for(
    session: AsyncSession, *, user_id: int, args: str | None, now: datetime, tz: ZoneInfo
) -> tuple[YearReport, bytes]:
    """/export (the chair): one .zip of the year's protocols (.docx), the approved plan and the report."""
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
                plan.plan_filename(approved), plan.plan_docx(council, approved, entries, council.group_language)
            )
        archive.writestr(filename(report, "xlsx"), report_xlsx(report))
    log.info("Council %s: export of %s", council.id, report.school_year)
    return report, buffer.getvalue()
