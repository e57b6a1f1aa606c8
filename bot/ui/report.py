"""The year in figures for the teaching staff (cl. 7.6) and the year's records (cl. 7.5): /report's message,
.xlsx and chart, and /export's file name and caption. Pure: a YearReport in, text and file bytes out, in the
current locale (the reader's)."""

from __future__ import annotations

import io
from datetime import date
from functools import partial

from bot.domain import YearReport
from bot.i18n import current_locale, fmt_date, fmt_long_date, in_locale
from bot.i18n import gettext as _
from bot.ui.documents import Sheet, workbook
from bot.ui.labels import (
    group_title,
    kind_label,
    material_state_label,
    outcome_label,
    rating_label,
    role_label,
    school_year_text,
)
from bot.ui.render import council_name, esc
from db.models import Outcome


def draft_plan_note() -> str:
    return _("The planned meetings are those of the draft annual plan: the council has not adopted it yet.")


def report_text(report: YearReport) -> str:
    lines = [
        _("<b>The methodical council «{title}» in the {year} school year</b>").format(
            title=esc(council_name(report.council.title)), year=school_year_text(report.school_year)
        ),
        _("Meetings held: {held}; planned: {planned}.").format(
            held=len(report.meetings), planned=sum(report.planned.values())
        ),
    ]
    if report.plan_is_draft:
        lines.append(draft_plan_note())
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


def _state_label(state: str) -> str:
    return {"done": _("done"), "open": _("open"), "overdue": _("overdue"), "": "—"}[state]


def report_xlsx(report: YearReport) -> bytes:
    """The year's figures, a sheet each for meetings, decisions, members and materials, in the reader's
    language; what people wrote (decisions, names, titles) goes in as text (bot/ui/documents.py)."""
    sheets = [
        Sheet(
            _("Meetings"),
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
                    m.day,
                    m.trimester,
                    m.present,
                    m.members,
                    _("quorum: yes") if m.quorum else _("quorum: no"),
                    m.items,
                ]
                for m in report.meetings
            ],
        ),
        Sheet(
            _("Decisions"),
            [_("Protocol"), _("Decision"), _("Outcome"), _("Responsible"), _("Due date"), _("State")],
            [
                [d.protocol, d.text, outcome_label(d.outcome), d.responsible or "", d.due, _state_label(d.state)]
                for d in report.decisions
            ],
        ),
        Sheet(
            _("Members"),
            [_("Name"), _("Role"), _("Meetings attended"), _("Meetings held"), _("Attendance, %")],
            [[m.name, role_label(m.role), m.attended, m.held, m.percent] for m in report.members],
        ),
        Sheet(
            _("Materials"),
            [_("Title"), _("Author"), _("Kind"), _("State")],
            [[m.title, m.author, kind_label(m.kind), material_state_label(m.state)] for m in report.materials],
        ),
    ]
    return workbook(sheets, current_locale())


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
    right.plot(numbers, [m.members for m in report.meetings], color="#c0392b", marker="o", label=_("all members"))
    right.set_title(_("Attendance per meeting (protocol No.)"))
    right.yaxis.get_major_locator().set_params(integer=True)
    right.legend()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def report_filename(report: YearReport, extension: str) -> str:
    return f"report_{school_year_text(report.school_year)}.{extension}"


# --- cl. 7.6: the annual report to the teaching staff (.docx) -----------------------------------------------


def _annual_lines(report: YearReport, school: str, drafted_on: date) -> list[tuple[str, str]]:
    """The report as (style, text) lines, in the current locale: title, heading, text, sign."""
    year = school_year_text(report.school_year)
    council = report.council
    lines = [
        (
            "title",
            _("Report of the methodical council of {school} to the teaching staff for the {year} school year").format(
                school=school, year=year
            ),
        ),
        (
            "text",
            _("Regulation on the methodical council, cl. 7.6. Draft of {date}.").format(date=fmt_long_date(drafted_on)),
        ),
    ]
    if council.founding_protocol and council.founded_on:
        lines.append(
            (
                "text",
                _("Created by the decision of the pedagogical council, protocol No. {number} of {date}.").format(
                    number=council.founding_protocol, date=fmt_date(council.founded_on)
                ),
            )
        )
    planned = sum(report.planned.values())
    lines += [
        ("heading", _("1. Meetings")),
        ("text", _("Meetings planned: {planned}; held: {held}.").format(planned=planned, held=len(report.meetings))),
    ]
    if report.plan_is_draft:
        lines.append(("text", draft_plan_note()))
    for label in report.trimesters:
        lines.append(
            (
                "text",
                _("{trimester}: held {held}, planned {planned}").format(
                    trimester=label, held=report.held.get(label, 0), planned=report.planned.get(label, 0)
                ),
            )
        )
    adopted = report.outcomes(Outcome.ADOPTED)
    lines += [
        ("heading", _("2. Decisions")),
        (
            "text",
            _(
                "Decisions put to the vote: {total}; adopted: {adopted}; not adopted: {not_adopted}; "
                "no quorum: {no_quorum}."
            ).format(
                total=len(report.decisions),
                adopted=adopted,
                not_adopted=report.outcomes(Outcome.NOT_ADOPTED),
                no_quorum=report.outcomes(Outcome.NO_QUORUM),
            ),
        ),
        (
            "text",
            _(
                "Adopted decisions carried out: {done} (on time {on_time}); still open: {open}; overdue: {overdue}."
            ).format(
                done=report.followed("done"),
                on_time=report.done_on_time,
                open=report.followed("open"),
                overdue=report.followed("overdue"),
            ),
        ),
        ("heading", _("3. Methodical materials")),
        (
            "text",
            _(
                "Materials submitted: {total}; reviewed by experts: {reviewed}; added to the bank of pedagogical "
                "ideas: {bank}."
            ).format(total=len(report.materials), reviewed=report.materials_reviewed, bank=report.materials_in_bank),
        ),
        ("heading", _("4. Methodical associations and creative groups")),
    ]
    if not report.groups:
        lines.append(("text", _("None are kept in the bot.")))
    for row in report.groups:
        title = group_title(row.kind, row.name)
        parts = [title[:1].upper() + title[1:]]
        parts.append(_("head: {name}").format(name=row.head) if row.head else _("no head approved yet"))
        parts.append(_("theme: «{theme}»").format(theme=row.theme) if row.theme else _("no theme approved yet"))
        if row.ratings:
            rated = ", ".join(
                _("{rating} (protocol No. {number})").format(rating=rating_label(rating), number=number)
                for number, rating in row.ratings
            )
            parts.append(_("rating of its report: {ratings}").format(ratings=rated))
        else:
            parts.append(_("no report rated this year"))
        lines.append(("text", "; ".join(parts) + "."))
    lines += [
        ("heading", _("5. Attendance")),
        ("text", _("Average attendance: {percent}%").format(percent=report.attendance_percent)),
    ]
    for member in report.members:
        lines.append(
            (
                "text",
                _("{name}: {attended} of {held} meetings ({percent}%)").format(
                    name=member.name, attended=member.attended, held=member.held, percent=member.percent
                ),
            )
        )
    lines.append(("sign", _("Chair of the methodical council: ____________ {name}").format(name=report.chair or "")))
    return lines


def annual_docx(built: list[tuple[str, YearReport]], school: str, drafted_on: date) -> bytes:
    """The draft the chair edits and presents to the teaching staff: one report per language the group reads
    (built in that language), Kyrgyz first."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    for index, (locale, report) in enumerate(built):
        if index:
            document.add_page_break()
        for kind, text in in_locale(locale, partial(_annual_lines, report, school, drafted_on)):
            paragraph = document.add_paragraph()
            if kind == "title":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if kind == "sign":
                document.add_paragraph()
            run = paragraph.add_run(text)
            run.bold = kind in ("title", "heading")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def annual_filename(school_year: int) -> str:
    return f"report_7.6_{school_year_text(school_year)}.docx"


def draft_ready(school_year: int, day: date) -> str:
    """To the chair, with the .docx: two weeks before the last pedagogical council."""
    return _(
        "<b>The council's annual report</b> for the {year} school year (cl. 7.6), as a draft: the last "
        "pedagogical council is on {date}. Check it, add what the bot does not know, and present it to the "
        "teaching staff. /report {year} docx drafts it again."
    ).format(year=school_year_text(school_year), date=fmt_long_date(day))


def annual_caption(school_year: int) -> str:
    return _("The draft of the council's annual report for the {year} school year (cl. 7.6)").format(
        year=school_year_text(school_year)
    )


# --- /export ------------------------------------------------------------------------------------------------


def export_filename(school_year: int) -> str:
    return f"kenesh_{school_year_text(school_year)}.zip"


def export_caption(school_year: int) -> str:
    return _("The {year} school year: protocols, the approved plan and the report.").format(
        year=school_year_text(school_year)
    )


# --- the prompts and short answers a handler sends ----------------------------------------------------------


def chart_caption() -> str:
    """The caption under /report's chart."""
    return _("Meetings per trimester against the plan, and attendance per meeting")
