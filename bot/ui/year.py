"""The year's work: the annual plan (cl. 7.3) and /agenda from it, decisions followed up (cl. 7.6), /report and
/export. Pure: data in, text out, in the current locale (group posts go through group_text)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import rules
from bot.domain import FollowView, Listing, PlanLine, Planned, by_day
from bot.i18n import fmt_datetime, fmt_long_date, group_locales, in_locale
from bot.i18n import gettext as _
from bot.ui.callbacks import FollowDoneCb, FollowUpCb, PlanAction, PlanAgendaCb, PlanCb, PlanDayCb
from bot.ui.documents import Docx
from bot.ui.meetings import example_day, meeting_choices
from bot.ui.render import council_name, esc, split_blocks
from db.models import Council, GroupLanguage, Meeting, Member, Plan, PlanEntry, PlanState, Vote

ROMAN = ("I", "II", "III", "IV")


def school_year_text(year: int) -> str:
    return f"{year}-{year + 1}"


def trimester_label(day: date, spec: str | None) -> str:
    """ "Trimester II (01.12–28.02)" for the trimester of a day, or "Outside the trimesters"."""
    trimester = rules.trimester_of(day, spec)
    if trimester is None:
        return _("Outside the trimesters")
    pairs = rules.parse_calendar(spec)
    start = f"{trimester.start:%m-%d}"
    number = next((i for i, (s, _end) in enumerate(pairs) if s == start), 0)
    span = f"{trimester.start:%d.%m}–{trimester.end:%d.%m}"
    return _("Trimester {number} ({span})").format(number=ROMAN[number % len(ROMAN)], span=span)


def order_text(plan: Plan) -> str:
    """The director's order that approved the plan, under "APPROVED" in the corner of its .docx."""
    return _("Order No. {number} of {date}").format(
        number=plan.order_number or "", date=plan.order_date.strftime("%d.%m.%Y") if plan.order_date else ""
    )


def plan_state_text(plan: Plan) -> str:
    """Plain text: plan_text escapes it for a message, the .docx takes it as it is."""
    if plan.state is PlanState.APPROVED:
        return _("approved by the director's order No. {number} of {date}").format(
            number=plan.order_number or "", date=plan.order_date.strftime("%d.%m.%Y") if plan.order_date else ""
        )
    if plan.state is PlanState.DISCUSSED:
        return _("adopted by the council; waiting for the director's order")
    return _("draft")


def plan_heading(council: Council, plan: Plan) -> list[str]:
    return [
        _("The annual plan (cyclogram) of the methodical council «{title}» for the {year} school year").format(
            title=council_name(council.title), year=school_year_text(plan.school_year)
        ),
        # "Редакция" in both languages (glossary): a document has editions, not versions.
        _("Edition {version}. Status: {state}").format(version=plan.version, state=plan_state_text(plan)),
    ]


def entry_line(entry: PlanEntry | PlanLine) -> str:
    who = f" — <i>{esc(entry.responsible)}</i>" if entry.responsible else ""
    return f"• {esc(entry.topic)}{who}"


def plan_blocks(
    council: Council, plan: Plan | None, entries: Sequence[PlanEntry | PlanLine], *, title: str
) -> list[str]:
    """The plan grouped by trimester, then by date (entries may be PlanEntry rows or PlanLine values)."""
    blocks = [title]
    trimester = None
    for entry in sorted(entries, key=lambda e: e.day):
        label = trimester_label(entry.day, council.trimesters)
        if label != trimester:
            blocks += ["", f"<b>{esc(label)}</b>"]
            trimester, day = label, None
        if entry.day != day:
            blocks.append(f"<b>{entry.day:%d.%m.%Y}</b>")
            day = entry.day
        blocks.append(entry_line(entry))
    return blocks


def plan_text(
    council: Council, plan: Plan, entries: Sequence[PlanEntry], tz: ZoneInfo, *, announce: bool = False
) -> str:
    head, state = plan_heading(council, plan)
    title = f"<b>{esc(head)}</b>\n{esc(state)}"
    if announce:
        title = _("<b>The annual plan is approved.</b>") + "\n" + title
    return "\n".join(plan_blocks(council, plan, entries, title=title))


def plan_messages(council: Council, plan: Plan, entries: Sequence[PlanEntry], tz: ZoneInfo) -> list[str]:
    return split_blocks(plan_text(council, plan, entries, tz).split("\n"))


def plan_preview(council: Council, lines: Sequence[PlanLine]) -> list[str]:
    title = _("<b>Preview of the annual plan.</b> Save it as a draft?")
    return split_blocks(plan_blocks(council, None, lines, title=title))


def plan_agenda_title(plan: Plan) -> str:
    """The agenda item the plan becomes when it is put on a meeting's agenda (stored as the item's title)."""
    return _(
        "The annual plan (cyclogram) of the methodical council for the {year} school year, edition {version}"
    ).format(year=school_year_text(plan.school_year), version=plan.version)


def plan_filename(plan: Plan) -> str:
    return f"plan_{school_year_text(plan.school_year)}_v{plan.version}.docx"


def plan_docx(
    council: Council,
    plan: Plan,
    entries: Sequence[PlanEntry],
    language: GroupLanguage,
    *,
    chair: str | None = None,
    secretary: str | None = None,
    school: str | None = None,
) -> bytes:
    """The plan to approve and sign (cl. 7.3), one per language, Kyrgyz first, laid out as the school's records
    are (bot/ui/documents.py): the director's approval in the corner, the school's name and the council's,
    a table of date, topics and responsible, the signature lines of the chair and the secretary."""
    document = Docx()
    days = by_day(entries)
    for index, locale in enumerate(group_locales(language)):
        if index:
            document.page_break()

        def render() -> tuple[list[str], list[str], list[str], list[str]]:
            approval = [_("APPROVED"), _("Director of the school ____________")]
            if plan.state is PlanState.APPROVED:
                approval.append(order_text(plan))
            columns = [_("Date"), _("Topics"), _("Responsible")]
            signs = [
                _("Chair: ____________ {name}").format(name=chair or ""),
                _("Secretary: ____________ {name}").format(name=secretary or ""),
            ]
            return approval, plan_heading(council, plan), columns, signs

        approval, heading, columns, signs = in_locale(locale, render)
        for line in approval:
            document.paragraph(line, bold=line == approval[0], align="right")
        document.paragraph()
        if school and school != council.title:
            document.paragraph(school, bold=True, align="center")
        document.paragraph(heading[0], bold=True, align="center")
        document.paragraph(heading[1], align="center")
        document.paragraph()
        rows = [
            [
                f"{day:%d.%m.%Y}",
                "\n".join(f"{i}. {e.topic}" for i, e in enumerate(day_entries, 1)),
                "\n".join(e.responsible or "—" for e in day_entries),
            ]
            for day, day_entries in days.items()
        ]
        document.table(columns, rows, widths_mm=(28, 97, 45))
        for line in signs:
            document.paragraph(line, space_before=18)
    return document.bytes()


def topics_text(entries: Sequence[PlanEntry]) -> str:
    return "\n".join(entry_line(e) for e in entries)


def plan_reminder(planned: Planned, today: date) -> str:
    return "\n".join(
        [
            _(
                "<b>Reminder:</b> by the annual plan the methodical council meets on {date}. The last day to "
                "announce it with 7 days' notice is {last}."
            ).format(date=fmt_long_date(planned.day), last=fmt_long_date(planned.last_announce_day)),
            topics_text(planned.entries),
            _("Announce it with /agenda: I will offer the planned date and topics."),
        ]
    )


def plan_offer(planned: Planned) -> str:
    return "\n".join(
        [
            _("By the annual plan, the next meeting is on {date}:").format(date=fmt_long_date(planned.day)),
            topics_text(planned.entries),
        ]
    )


def plan_offer_button(planned: Planned) -> str:
    return _("Take from the plan: {date}").format(date=f"{planned.day:%d.%m.%Y}")


def planned_in_warning(planned: Planned) -> str:
    return _("By the annual plan, a meeting is planned for {date}: {topics}.").format(
        date=fmt_long_date(planned.day), topics="; ".join(esc(e.topic) for e in planned.entries)
    )


def trimester_warning(trimester: rules.Trimester, stage: int, today: date) -> str:
    """The watchdog's warning (cl. 7.4) to the group and the chair: no meeting yet this trimester."""
    last, end = fmt_long_date(trimester.last_announce_day), fmt_long_date(trimester.end)
    if stage >= rules.TOO_LATE or today > trimester.last_announce_day:
        return _(
            "<b>Warning (regulation, cl. 7.4).</b> The council has held no meeting this trimester, and the last "
            "day to announce one with 7 days' notice ({last}) has passed: a meeting before the trimester ends "
            "on {end} can no longer have a week's notice."
        ).format(last=last, end=end)
    left = (trimester.last_announce_day - today).days
    if left == 0:
        return _(
            "<b>Warning (regulation, cl. 7.4).</b> No meeting of the council is announced this trimester. "
            "Today, {last}, is the last day to announce one with 7 days' notice; the trimester ends on {end}. "
            "The chair announces a meeting with /agenda."
        ).format(last=last, end=end)
    return _(
        "<b>Warning (regulation, cl. 7.4).</b> No meeting of the council is announced this trimester, which "
        "ends on {end}. The last day to announce one with 7 days' notice is {last} ({days} left). "
        "The chair announces a meeting with /agenda."
    ).format(last=last, end=end, days=_("{count} day", "{count} days", left).format(count=left))


def warning_naming_plan(warning: str, planned: Planned | None) -> str:
    """A trimester warning (as trimester_warning rendered it) with the meeting the annual plan has in that
    trimester named under it (cl. 7.3)."""
    return warning + ("\n" + planned_in_warning(planned) if planned else "")


# --- decisions followed up (cl. 7.6) -----------------------------------------------------------------------


def follow_up_question(vote: Vote) -> str:
    return "\n".join(
        [
            _("<b>Decision adopted:</b> {text}").format(text=esc(vote.decision)),
            _(
                "Who is responsible for carrying it out (regulation, cl. 7.6)? Choose one of those present; "
                "then I will ask for the due date."
            ),
        ]
    )


def source_text(meeting: Meeting) -> str:
    return meeting_source(meeting.protocol_number, meeting.starts_at)


def meeting_source(protocol_number: int | None, starts_at: datetime) -> str:
    """Where a decision comes from: its meeting's protocol, or the meeting's date before the protocol."""
    if protocol_number:
        return _("protocol No. {number}").format(number=protocol_number)
    return _("the meeting of {date}").format(date=f"{starts_at:%d.%m.%Y}")


def follow_up_assigned(vote: Vote, meeting: Meeting, due: date) -> str:
    return "\n".join(
        [
            _("<b>You are responsible for carrying out a decision of the methodical council</b> ({source}):").format(
                source=source_text(meeting)
            ),
            esc(vote.decision),
            _("Due date: {date}.").format(date=fmt_long_date(due)),
            _("When it is done, press the button and send a short report (a text or a file)."),
        ]
    )


def follow_up_reminder(view: FollowView, today: date) -> str:
    due = view.follow_up.due_on
    head = (
        _("<b>Reminder:</b> today is the due date of a decision you are responsible for.")
        if today == due
        else _("<b>Reminder:</b> the due date of a decision you are responsible for has passed.")
        if today > due
        else _("<b>Reminder:</b> the due date of a decision you are responsible for is {date}.").format(
            date=fmt_long_date(due)
        )
    )
    return "\n".join([head, esc(view.vote.decision), _("When it is done, press the button and send a short report.")])


def follow_up_done(view: FollowView, report: str | None, file_name: str | None) -> str:
    lines = [
        _("<b>Decision carried out</b> ({source}): {text}").format(
            source=source_text(view.meeting), text=esc(view.vote.decision)
        ),
        _("Responsible: {name}").format(name=esc(view.member.full_name)),
    ]
    if report:
        lines.append(_("Report: {text}").format(text=esc(report)))
    if file_name:
        lines.append(_("Report file: {name}").format(name=esc(file_name)))
    return "\n".join(lines)


def ask_due(vote: Vote, name: str) -> str:
    return _("Responsible for «{text}»: {name}. Send the due date (DD.MM.YYYY). /cancel to stop.").format(
        text=esc(vote.decision[:200]), name=esc(name)
    )


def follow_up_line(view: FollowView) -> str:
    follow_up = view.follow_up
    line = _("{source}: {text} — {name}, due {date}").format(
        source=source_text(view.meeting).capitalize(),
        text=esc(view.vote.decision),
        name=esc(view.member.full_name),
        date=f"{follow_up.due_on:%d.%m.%Y}",
    )
    if follow_up.done_at:
        line += " · " + _("done {date}").format(date=f"{follow_up.done_at:%d.%m.%Y}")
    return line


def decisions_messages(listing: Listing) -> list[str]:
    blocks = [_("<b>Decisions of the council followed up (regulation, cl. 7.6)</b>")]
    for title, views in (
        (_("<b>Overdue</b>"), listing.overdue),
        (_("<b>Open</b>"), listing.open),
        (_("<b>Done</b>"), listing.done),
    ):
        blocks += ["", title]
        blocks += [f"{i}. {follow_up_line(v)}" for i, v in enumerate(views, 1)] or ["—"]
    if listing.mine:
        blocks += ["", _("Yours to report: press a decision when it is done.")]
    return split_blocks(blocks)


def follow_up_skipped(question: str) -> str:
    """The chair's question about a responsible member, answered "nobody" (`question` is its HTML)."""
    return question + "\n\n" + _("Nobody is made responsible.")


def follow_up_saved(member: Member, due: date) -> str:
    return _("Saved: {name} is responsible until {date}, and is told so.").format(
        name=member.full_name, date=fmt_long_date(due)
    )


def follow_up_keyboard(vote_id: int, people: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """The chair gives an adopted decision a responsible member (one of those present), or skips."""
    builder = InlineKeyboardBuilder()
    for member_id, name in people:
        builder.button(text=name[:60], callback_data=FollowUpCb(vote_id=vote_id, member_id=member_id))
    builder.button(text=_("Skip: nobody responsible"), callback_data=FollowUpCb(vote_id=vote_id, member_id=0))
    builder.adjust(1)
    return builder.as_markup()


def follow_done_keyboard(follow_up_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Mark as done"), callback_data=FollowDoneCb(follow_up_id=follow_up_id))
    return builder.as_markup()


def decisions_keyboard(listing: Listing) -> InlineKeyboardMarkup | None:
    """Under /decisions: the viewer's own open decisions, to report one done."""
    if not listing.mine:
        return None
    return follow_done_list_keyboard([(v.follow_up.id, "✅ " + v.vote.decision) for v in listing.mine])


def follow_done_list_keyboard(items: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for follow_up_id, label in items:
        builder.button(text=label[:60], callback_data=FollowDoneCb(follow_up_id=follow_up_id))
    builder.adjust(1)
    return builder.as_markup()


# --- the annual plan: drawing it up, its controls, /agenda from it -----------------------------------------


def ask_plan(today: date) -> str:
    """The example dates are the earliest a planned meeting could still be announced for (example_day)."""
    return _(
        "Send the annual plan: one line per topic, the date first and the responsible after a dash, for example:\n"
        "{date} Мектептин методикалык темасы — Осмонова Г.\n"
        "{date} Окуу пландары — Токтосунова А.\n"
        "Or step by step: send only the date of a planned meeting ({date}). /cancel to stop."
    ).format(date=example_day(today))


def no_plan_yet_ask(today: date) -> str:
    """/plan for the chair or the secretary while there is no plan: the first step of drawing it up."""
    return _("The council has no annual plan yet.") + "\n\n" + ask_plan(today)


def ask_topics(day: date) -> str:
    return _("The topics of the meeting on {date}, each on its own line; the responsible after a dash.").format(
        date=day.strftime("%d.%m.%Y")
    )


def plan_approved(plan: Plan) -> str:
    return _("The plan is approved by the director's order No. {number}; it is posted in the group.").format(
        number=plan.order_number
    )


def plan_saved(plan: Plan) -> str:
    return _(
        "The plan for the {year} school year is saved as a draft, edition {version}. Put it on a meeting's "
        "agenda from /plan: "
        "the vote on that item adopts it; then record the director's order: /plan order 15 01.10.2026"
    ).format(year=school_year_text(plan.school_year), version=plan.version)


def plan_on_agenda(position: int, meeting: Meeting, tz: ZoneInfo) -> str:
    return _(
        "The plan is item {number} of the meeting on {when}. At the meeting put it to the vote with "
        "/vote {number} …; adopted, it waits for the director's order."
    ).format(number=position, when=fmt_datetime(meeting.starts_at, tz))


def ask_time_of_planned(day: date) -> str:
    return _("The time and place of the meeting on {date}, for example: 15:00 Кабинет 12").format(
        date=fmt_long_date(day)
    )


def plan_preview_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Save"), callback_data=PlanCb(action=PlanAction.SAVE))
    builder.button(text=_("Cancel"), callback_data=PlanCb(action=PlanAction.CANCEL))
    builder.adjust(2)
    return builder.as_markup()


def plan_step_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("That is all: show the preview"), callback_data=PlanCb(action=PlanAction.PREVIEW))
    return builder.as_markup()


def plan_keyboard(plan: Plan, *, can_manage: bool) -> InlineKeyboardMarkup:
    """Under /plan: the chair's and the secretary's controls, or the .docx for everyone else."""
    if can_manage:
        return plan_controls(plan.id, draft=plan.state is PlanState.DRAFT)
    return plan_docx_keyboard(plan.id)


def plan_controls(plan_id: int | None, *, draft: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Change the plan") if plan_id else _("Draw up the plan"), callback_data=PlanCb(action=PlanAction.ENTER)
    )
    if plan_id and draft:
        builder.button(
            text=_("Put on a meeting's agenda"), callback_data=PlanCb(action=PlanAction.AGENDA, plan_id=plan_id)
        )
    if plan_id:
        builder.button(text=_("The plan as .docx"), callback_data=PlanCb(action=PlanAction.DOCX, plan_id=plan_id))
    builder.adjust(1)
    return builder.as_markup()


def plan_docx_keyboard(plan_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("The plan as .docx"), callback_data=PlanCb(action=PlanAction.DOCX, plan_id=plan_id))
    return builder.as_markup()


def plan_agenda_keyboard(plan_id: int, meetings: Sequence[Meeting], tz: ZoneInfo) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for meeting_id, label in meeting_choices(meetings, tz):
        builder.button(text=label[:60], callback_data=PlanAgendaCb(plan_id=plan_id, meeting_id=meeting_id))
    builder.adjust(1)
    return builder.as_markup()


def plan_offer_keyboard(planned: Planned) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=plan_offer_button(planned)[:60], callback_data=PlanDayCb(day=f"{planned.day:%Y%m%d}"))
    return builder.as_markup()


# --- the prompts and short answers a handler sends ----------------------------------------------------------


def skipped() -> str:
    """Nobody is made responsible for a decision."""
    return _("Skipped")


def ask_done_report() -> str:
    return _("Send a short report of what was done: a text or a file. /cancel to stop.")


def done_recorded() -> str:
    return _("Recorded as done; the chair is told. Thank you.")


def plan_topics_added() -> str:
    return _("Added. Send the date of the next planned meeting, or press the button to see the preview.")


def plan_preview_stale() -> str:
    """A plan preview (or a planned day) that was saved, changed or dropped since."""
    return _("This preview is no longer current. Send /plan again.")


def plan_not_saved() -> str:
    return _("Not saved. Send /plan to write it again.")


def plan_lines_added() -> str:
    return _("Added. Send the next date or lines, or press the button to see the preview.")


def no_plan() -> str:
    """/plan from a member when the chair has drawn up none."""
    return _("The council has no annual plan yet.")
