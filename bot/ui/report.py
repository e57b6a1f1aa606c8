"""The year in figures for the teaching staff (cl. 7.6) and the year's records (cl. 7.5): /report's message,
.xlsx and chart, and /export's file name and caption. Pure: a YearReport in, text and file bytes out, in the
current locale (the reader's)."""

from __future__ import annotations

import io

from bot.domain import YearReport
from bot.i18n import current_locale
from bot.i18n import gettext as _
from bot.ui.documents import Sheet, workbook
from bot.ui.labels import kind_label, material_state_label, outcome_label, role_label
from bot.ui.render import council_name, esc
from bot.ui.year import school_year_text
from db.models import Outcome


def report_text(report: YearReport) -> str:
    lines = [
        _("<b>The methodical council «{title}» in the {year} school year</b>").format(
            title=esc(council_name(report.council.title)), year=school_year_text(report.school_year)
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
