"""The Mini App's pages (issue 22): HTML rendered on the server from the same catalogs as the chat, in the
reader's language, phone first (360 px), on Telegram's theme colours. Pure: plain values in, HTML out.

Each page is one fragment the page's script puts in place (bot/web/static/app.js): a header with the council,
the tabs, the page itself, and the language switch. Everything a person typed is escaped; texts the bot
already renders for Telegram (the protocol as issued, a trimester warning, a /log line) go through
`telegram_html`, which keeps only Telegram's own formatting tags. No inline script or style: the page's
Content-Security-Policy allows none, and the charts are SVG drawn here with classes the stylesheet colours.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from bot import rules
from bot.domain import (
    DayState,
    DecisionLine,
    DecisionsView,
    MaterialsView,
    MeetingDetail,
    MeetingsView,
    MembersView,
    PlannedDay,
    Reader,
    TrimesterView,
    VoteView,
    YearFigures,
    YearView,
)
from bot.i18n import LANGUAGE_NAMES, fmt_date, fmt_datetime, fmt_long_date, in_locale
from bot.i18n import gettext as _
from bot.ui import decisions as ui_decisions
from bot.ui import labels as ui_labels
from bot.ui import materials as ui_materials
from bot.ui import plan as ui_plan
from bot.ui import watchdog as ui_watchdog
from bot.ui.audit import audit_line
from bot.ui.labels import kind_label, material_state_label, outcome_label, rating_label, role_label
from bot.ui.meeting_day import counts_text, rating_counts_text
from bot.ui.meetings import item_title
from db.models import Council, Material, MaterialState, Meeting, MeetingStatus, Member, MemberStatus, Outcome, PlanEntry

PAGES = ("year", "meetings", "decisions", "materials", "members")


def h(value: object) -> str:
    """Escaped for HTML text and attribute values alike."""
    return html.escape(str(value), quote=True)


def el(tag: str, text: str, cls: str = "") -> str:
    """An element holding a text, escaped (gettext calls stay outside f-strings, where `make extract` finds them)."""
    attribute = f' class="{cls}"' if cls else ""
    return f"<{tag}{attribute}>{h(text)}</{tag}>"


# --- Telegram's HTML, shown in a page ---------------------------------------------------------------------

_KEPT = {
    "b": "b",
    "strong": "strong",
    "i": "i",
    "em": "em",
    "u": "u",
    "ins": "ins",
    "s": "s",
    "strike": "s",
    "del": "del",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "span",
    "span": "span",
}


class _TelegramHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kept = _KEPT.get(tag)
        if kept is not None:  # attributes never pass (a link's address included): text and emphasis only
            self.out.append(f"<{kept}>")
            self.open.append(kept)

    def handle_endtag(self, tag: str) -> None:
        kept = _KEPT.get(tag)
        if kept is not None and kept in self.open:
            while self.open:
                last = self.open.pop()
                self.out.append(f"</{last}>")
                if last == kept:
                    break

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))


def telegram_html(text: str) -> str:
    """A text the bot rendered for Telegram (its HTML subset), safe in a page: the emphasis tags kept, any other
    tag and every attribute dropped, the rest escaped, newlines kept (the page shows them as lines)."""
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    parser.out.extend(f"</{tag}>" for tag in reversed(parser.open))
    return "".join(parser.out)


# --- the page around each view ----------------------------------------------------------------------------


def _tab_label(page: str) -> str:
    return {
        "year": _("The year"),
        "meetings": _("Meetings"),
        "decisions": _("Decisions"),
        "materials": _("Materials"),
        "members": _("Members"),
    }[page]


def frame(reader: Reader, council: Council, page: str, body: str) -> str:
    """A page: the council's title, the tabs (this one current), the body, the language switch."""
    tabs = "".join(
        f'<button type="button" class="tab" data-page="{name}"'
        + (' aria-current="page"' if name == page else "")
        + f">{h(_tab_label(name))}</button>"
        for name in PAGES
    )
    languages = "".join(
        f'<button type="button" class="lang" data-lang="{locale}" lang="{locale}"'
        + (' aria-pressed="true"' if locale == reader.locale else ' aria-pressed="false"')
        + f">{h(name)}</button>"
        for locale, name in LANGUAGE_NAMES.items()
    )
    another = _("Another council")
    other = f'<button type="button" class="link" data-pick="1">{h(another)}</button>' if len(reader.places) > 1 else ""
    sections = _("Sections")
    return (
        f'<div class="view" data-council="{council.id}" data-lang="{h(reader.locale)}" data-view="{page}">'
        f'<header class="top"><h1>{h(council.title)}</h1></header>'
        f'<nav class="tabs" aria-label="{h(sections)}">{tabs}</nav>'
        f'<section class="body">{body}</section>'
        f'<footer class="foot"><div class="langs">{languages}</div>{other}</footer>'
        "</div>"
    )


def council_picker(reader: Reader) -> str:
    """A member of two councils picks the one to open."""
    choices = "".join(
        f'<li><button type="button" class="card choice" data-council-pick="{place.council.id}">'
        f"{h(place.council.title)}</button></li>"
        for place in reader.places
    )
    question = el("h2", _("You belong to several councils. Which one shall I open?"))
    return (
        f'<div class="view" data-lang="{h(reader.locale)}" data-view="pick">'
        f'<section class="body">{question}<ul class="plain">{choices}</ul></section></div>'
    )


def refusal(text: str, locale: str) -> str:
    """Why the page is not shown (in the reader's language): nothing of the council is in it."""
    return f'<div class="view refused" data-lang="{h(locale)}"><p class="alert">{h(text)}</p></div>'


def notice(text: str) -> str:
    """A short answer to a button (a file sent to the chat, or why not)."""
    return f'<p class="notice">{h(text)}</p>'


def file_sent() -> str:
    return _("Sent to your chat with the bot.")


def open_chat_first() -> str:
    return _("I cannot write to you yet: open the chat with the bot and send /start, then press this button again.")


@dataclass(frozen=True)
class _FileTexts:
    """A file button's two labels, translated once a page (the bank has a button for each material)."""

    download: str
    send: str

    @classmethod
    def now(cls) -> _FileTexts:
        return cls(_("Download {name} ({size} KB)"), _("Send {name} to my chat ({size} KB)"))


def _file_button(kind: str, object_id: int, name: str, size: int, texts: _FileTexts | None = None) -> str:
    """One button for a file: the Telegram client downloads it where it can; elsewhere the bot sends it to the
    reader's chat (the page's script shows the label that applies)."""
    texts = texts or _FileTexts.now()
    kb = max(1, size // 1024)
    download = el("span", texts.download.format(name=name, size=kb), "via-download")
    send = el("span", texts.send.format(name=name, size=kb), "via-chat")
    return f'<button type="button" class="file" data-file="{kind}" data-id="{object_id}">{download}{send}</button>'


def _badge(text: str, tone: str) -> str:
    return f'<span class="badge {tone}">{h(text)}</span>'


def _empty(text: str) -> str:
    return f'<p class="empty">{h(text)}</p>'


# --- the year ------------------------------------------------------------------------------------------------


def school_year_title(year: int) -> str:
    return _("The {year} school year").format(year=ui_labels.school_year_text(year))


def day_badge(planned: PlannedDay, tz: ZoneInfo) -> str:
    meeting = planned.meeting
    if planned.state is DayState.HELD and meeting is not None:
        return _badge(_("Held · protocol No. {number}").format(number=meeting.protocol_number), "ok")
    if planned.state is DayState.OPEN:
        return _badge(_("Going on now"), "ok")
    if planned.state is DayState.ANNOUNCED and meeting is not None:
        return _badge(_("Announced for {when}").format(when=fmt_datetime(meeting.starts_at, tz)), "info")
    if planned.state is DayState.DUE:
        return _badge(_("To be announced by {date}").format(date=fmt_long_date(planned.last_announce_day)), "due")
    return _badge(_("Missed: not announced with a week's notice"), "bad")


def meeting_badge(meeting: Meeting, tz: ZoneInfo) -> str:
    if meeting.status is MeetingStatus.CLOSED:
        return _badge(_("Held · protocol No. {number}").format(number=meeting.protocol_number), "ok")
    if meeting.status is MeetingStatus.OPEN:
        return _badge(_("Going on now"), "ok")
    return _badge(_("Announced"), "info")


def _topics(entries: Sequence[PlanEntry]) -> str:
    lines = []
    for entry in entries:
        who = f' <span class="muted">— {h(entry.responsible)}</span>' if entry.responsible else ""
        lines.append(f"<li>{h(entry.topic)}{who}</li>")
    return f'<ul class="topics">{"".join(lines)}</ul>'


def warning_sent(stage: int, sent_on: date) -> str:
    if stage >= rules.TOO_LATE:
        return _("Warning (regulation, cl. 7.4) of {date}: too late for a week's notice this trimester.").format(
            date=fmt_long_date(sent_on)
        )
    return _("Warning (regulation, cl. 7.4) of {date}: no meeting announced this trimester.").format(
        date=fmt_long_date(sent_on)
    )


def _trimester(view: TrimesterView, council: Council, today: date, tz: ZoneInfo) -> str:
    if view.trimester is None:
        title = _("Outside the trimesters")
    else:
        title = ui_labels.trimester_label(view.trimester.start, council.trimesters)
    counts = _("Planned {planned} · held {held}").format(planned=len(view.days), held=view.held)
    parts = [el("h3", title), el("p", counts, "muted")]
    if view.trimester is not None and view.stage is not None:
        standing = ui_watchdog.trimester_warning(view.trimester, view.stage, today)
        parts.append(f'<p class="alert">{telegram_html(standing)}</p>')
    days = [
        f'<li class="day {planned.state.value}"><div class="when">{h(fmt_long_date(planned.day))}</div>'
        f"{day_badge(planned, tz)}{_topics(planned.entries)}</li>"
        for planned in view.days
    ]
    off_plan = _badge(_("Not in the plan"), "muted")
    days += [
        f'<li class="day unplanned"><div class="when">{h(fmt_datetime(meeting.starts_at, tz))}</div>'
        f"{meeting_badge(meeting, tz)} {off_plan}</li>"
        for meeting in view.unplanned
    ]
    if days:
        parts.append(f'<ul class="days">{"".join(days)}</ul>')
    else:
        parts.append(_empty(_("Nothing planned or held in this trimester.")))
    parts += [f'<p class="warned">{h(warning_sent(w.stage, w.sent_on))}</p>' for w in view.warnings]
    return f'<article class="card trimester">{"".join(parts)}</article>'


def year_page(view: YearView, tz: ZoneInfo) -> str:
    parts = [f"<h2>{h(school_year_title(view.school_year))}</h2>"]
    if view.plan is None:
        parts.append(_empty(ui_plan.no_plan()))
    else:
        _head, state = ui_plan.plan_heading(view.council, view.plan)
        annual = _("The annual plan")
        parts.append(f'<p class="muted">{h(annual)}. {telegram_html(state)}</p>')
    parts += [_trimester(t, view.council, view.today, tz) for t in view.trimesters]
    return "".join(parts)


# --- meetings ------------------------------------------------------------------------------------------------


def _meeting_row(meeting: Meeting, items: int, tz: ZoneInfo) -> str:
    place = f'<div class="muted">{h(meeting.place)}</div>' if meeting.place else ""
    count = _("{count} item on the agenda", "{count} items on the agenda", items).format(count=items)
    return (
        f'<li><button type="button" class="card row" data-meeting="{meeting.id}">'
        f'<div class="when">{h(fmt_datetime(meeting.starts_at, tz))}</div>{meeting_badge(meeting, tz)}'
        f'{place}<div class="muted">{h(count)}</div></button></li>'
    )


def meetings_page(view: MeetingsView, tz: ZoneInfo) -> str:
    parts = [f"<h2>{h(school_year_title(view.school_year))}</h2>"]
    if not view.upcoming and not view.past:
        return "".join(parts) + _empty(_("No meetings this school year yet."))
    for title, meetings in ((_("Upcoming"), view.upcoming), (_("Held"), view.past)):
        if meetings:
            rows = "".join(_meeting_row(m, view.items.get(m.id, 0), tz) for m in meetings)
            parts.append(f'<h3>{h(title)}</h3><ul class="plain">{rows}</ul>')
    return "".join(parts)


def _agenda() -> str:
    return _("Agenda")


def _votes() -> str:
    return _("Votes")


def _as_issued() -> str:
    return _("The protocol as issued")


def _mine() -> str:
    return _("mine")


def _attendance_title() -> str:
    return _("Attendance by meeting")


def _decisions_title() -> str:
    return _("Decisions followed up")


def _names(names: Sequence[str]) -> str:
    return f'<ul class="names">{"".join(f"<li>{h(name)}</li>" for name in names)}</ul>' if names else ""


def _vote(view: VoteView, meeting: Meeting, tz: ZoneInfo) -> str:
    vote = view.vote
    head = f'<p class="decision">{h(vote.decision)}</p>'
    marks = []
    if vote.secret:
        marks.append(_badge(_("secret ballot"), "muted"))
    if vote.is_open:
        marks.append(_badge(_("Voting is open"), "info"))
    else:
        outcome = vote.outcome or Outcome.NO_VOTES
        tone = "ok" if outcome is Outcome.ADOPTED else "bad" if outcome is Outcome.NOT_ADOPTED else "muted"
        if view.rating is not None:  # a report rated on its vote's scale: the rating and its options' votes
            marks.append(_badge(rating_label(view.rating), "ok" if view.rating in rules.RATED else "muted"))
            marks.append(f'<span class="muted">{h(rating_counts_text(view.rating_counts))}</span>')
        else:
            marks.append(_badge(outcome_label(outcome), tone))
            marks.append(f'<span class="muted">{h(counts_text(view.counts))}</span>')
    lines = [head, f'<p class="marks">{" ".join(marks)}</p>']
    if view.responsible:
        lines.append(el("p", _("Responsible: {name}").format(name=view.responsible), "muted"))
    if view.due:
        state = _("carried out") if view.done else ""
        due = _("Due date: {date}.").format(date=fmt_long_date(view.due))
        lines.append(f'<p class="muted">{h(due)} {h(state)}</p>')
    return f'<li class="vote">{"".join(lines)}</li>'


def meeting_page(detail: MeetingDetail, tz: ZoneInfo) -> str:
    meeting = detail.meeting
    back = _("All meetings")
    parts = [
        f'<button type="button" class="link back" data-page="meetings">‹ {h(back)}</button>',
        el("h2", _("The meeting of {when}").format(when=fmt_datetime(meeting.starts_at, tz))),
        f"<p>{meeting_badge(meeting, tz)}</p>",
    ]
    if meeting.place:
        parts.append(el("p", _("Place: {place}").format(place=meeting.place), "muted"))
    items = "".join(
        f"<li>{h(item_title(item))}"
        + (f' <span class="muted">— {h(item.heard or item.reporter)}</span>' if item.heard or item.reporter else "")
        + "</li>"
        for item in detail.items
    )
    parts.append(f'<article class="card">{el("h3", _agenda())}<ol class="items">{items}</ol></article>')
    if meeting.status is MeetingStatus.ANNOUNCED:
        parts.append(_empty(_("Who attends and how the votes go shows here once the meeting opens.")))
        return "".join(parts)
    total = len(detail.present) + len(detail.absent)
    attendance = [
        el("h3", _("Attendance")),
        el("h4", _("Present: {present} of {total}").format(present=len(detail.present), total=total)),
        _names(detail.present),
        el("h4", _("Absent: {count}").format(count=len(detail.absent))),
        _names(detail.absent),
    ]
    if detail.participants:
        attendance += [el("h4", _("Present without a vote")), _names(detail.participants)]
    parts.append(f'<article class="card attendance">{"".join(attendance)}</article>')
    votes = "".join(_vote(v, meeting, tz) for v in detail.votes) or el("li", _("No votes were held."))
    parts.append(f'<article class="card">{el("h3", _votes())}<ul class="plain votes">{votes}</ul></article>')
    if meeting.status is MeetingStatus.CLOSED:
        protocol = "".join(f'<div class="part">{telegram_html(part)}</div>' for part in detail.protocol)
        button = _file_button("protocol", meeting.id, *detail.document) if detail.document else ""
        parts.append(
            f'<article class="card">{el("h3", _as_issued())}<div class="protocol">{protocol}</div>{button}</article>'
        )
    return "".join(parts)


# --- decisions ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _DecisionTexts:
    """The words every decision card repeats, translated once a page (a year has hundreds of cards)."""

    responsible: str
    due: str
    done: str
    report: str
    report_file: str
    mine: str

    @classmethod
    def now(cls) -> _DecisionTexts:
        return cls(
            _("Responsible: {name}"),
            _("Due date: {date}."),
            _("Carried out on {date}"),
            _("Report: {text}"),
            _("Report file: {name}"),
            _badge(_mine(), "info"),
        )


def _follow_up(line: DecisionLine, mine: bool, tz: ZoneInfo, texts: _DecisionTexts, source: str) -> str:
    responsible = texts.responsible.format(name=line.responsible)
    lines = [
        el("p", source, "muted"),
        el("p", line.decision, "decision"),
        f"<p>{h(responsible)}" + (f" {texts.mine}" if mine else "") + "</p>",
        el("p", texts.due.format(date=fmt_long_date(line.due_on)), "muted"),
    ]
    if line.done_at is not None:
        lines.append(el("p", texts.done.format(date=fmt_long_date(line.done_at.astimezone(tz).date())), "muted"))
    if line.report:
        lines.append(el("p", texts.report.format(text=line.report), "report"))
    if line.report_file_name:
        lines.append(el("p", texts.report_file.format(name=line.report_file_name), "report"))
    return f'<li class="card decision-card{" mine" if mine else ""}">{"".join(lines)}</li>'


def decisions_page(view: DecisionsView, user_id: int, tz: ZoneInfo) -> str:
    parts = [el("h2", _("Decisions followed up (regulation, cl. 7.6)"))]
    if not (view.overdue or view.open or view.done):
        return "".join(parts) + _empty(_("No decision has a responsible member yet."))
    texts = _DecisionTexts.now()
    sources: dict[int, str] = {}

    def source_of(line: DecisionLine) -> str:  # the same few dozen meetings, named once each
        if line.meeting_id not in sources:
            source = ui_decisions.meeting_source(line.protocol_number, line.meeting_starts_at)
            sources[line.meeting_id] = source.capitalize()
        return sources[line.meeting_id]

    only_mine = _("Only mine")
    parts.append(
        f'<label class="filter"><input type="checkbox" data-filter="mine"> {h(only_mine)}</label>'
        + el("p", _("None of these is yours."), "none-mine empty")
    )
    for title, group, tone in (
        (_("Overdue: {count}"), view.overdue, "bad"),
        (_("Open: {count}"), view.open, "info"),
        (_("Done: {count}"), view.done, "ok"),
    ):
        cards = "".join(_follow_up(v, v.responsible_user_id == user_id, tz, texts, source_of(v)) for v in group)
        count = view.done_total if group is view.done else len(group)
        more = _more_done(view.done_hidden) if group is view.done and view.done_hidden else ""
        parts.append(
            f'<section class="group {tone}"><h3>{h(title.format(count=count))}</h3>'
            f'<ul class="plain">{cards}</ul>{more}</section>'
        )
    return "".join(parts)


def _more_done(count: int) -> str:
    """The button that brings the done decisions not shown (the reader's own are all shown already)."""
    label = _("Show the other {count} done decision", "Show the other {count} done decisions", count)
    return _more_button(label.format(count=count))


def _more_button(label: str) -> str:
    """A long list's button for the rest of it: the page asks again for all of it (its second request)."""
    return f'<button type="button" class="more" data-more="all">{h(label)}</button>'


# --- materials ----------------------------------------------------------------------------------------------


def _material(material: Material, author: str, tz: ZoneInfo, texts: _FileTexts) -> str:
    about = " · ".join([kind_label(material.kind), material.subject, author, fmt_date(material.updated_at, tz)])
    description = f'<p class="muted">{h(material.description)}</p>' if material.description else ""
    return (
        f'<li class="card material"><p class="title">№{material.id} {h(material.title)}</p>'
        f'<p class="muted">{h(about)}</p>{description}'
        f"{_file_button('material', material.id, material.file_name, material.size, texts)}</li>"
    )


def _submission(material: Material, comment: str | None) -> str:
    tone = {
        MaterialState.APPROVED: "ok",
        MaterialState.RETURNED: "due",
        MaterialState.REJECTED: "bad",
    }.get(material.state, "info")
    version = _("version {number}").format(number=material.version)
    lines = [
        f'<p class="title">№{material.id} {h(material.title)}</p>',
        f'<p>{_badge(material_state_label(material.state), tone)} <span class="muted">{h(version)}</span></p>',
    ]
    if comment and material.state in (MaterialState.RETURNED, MaterialState.REJECTED):
        lines.append(el("p", _("Comment: {text}").format(text=comment), "report"))
    return f'<li class="card material">{"".join(lines)}</li>'


def materials_page(view: MaterialsView, tz: ZoneInfo) -> str:
    hint, label, find = _("Title, subject, author or kind"), _("Search the bank"), _("Find")
    search = (
        '<form class="search" role="search" data-search="1">'
        f'<input type="search" name="q" value="{h(view.words)}" maxlength="100" '
        f'placeholder="{h(hint)}" aria-label="{h(label)}">'
        f'<button type="submit">{h(find)}</button></form>'
    )
    parts = [el("h2", _("Bank of pedagogical ideas")), search]
    if view.words:
        found = _("Found for «{words}»: {count}").format(words=view.words, count=view.found)
        parts.append(f'<p class="muted">{h(found)}</p>')
    if view.bank:
        texts = _FileTexts.now()
        parts.append(f'<ul class="plain">{"".join(_material(m, author, tz, texts) for m, author in view.bank)}</ul>')
        if view.bank_hidden:
            more = _("Show the other {count} material", "Show the other {count} materials", view.bank_hidden)
            parts.append(_more_button(more.format(count=view.bank_hidden)))
    else:
        parts.append(f'<p class="empty">{telegram_html(ui_materials.bank_empty(view.words))}</p>')
    parts.append(el("h2", _("My submissions")))
    if view.mine:
        rows = "".join(_submission(m, view.comments.get(m.id)) for m in view.mine)
        parts.append(f'<ul class="plain">{rows}</ul>')
    else:
        parts.append(_empty(_("You have submitted no materials. Send a file to the bot to submit one.")))
    return "".join(parts)


# --- members, the year's figures, the log --------------------------------------------------------------------


def _member(member: Member, council: Council, tz: ZoneInfo) -> str:
    marks = [role_label(member.role)]
    if council.secretary_id == member.user_id and member.status is MemberStatus.APPROVED:
        marks.append(_("secretary"))
    if member.regulation_confirmed_at:
        marks.append(_("regulation read {date}").format(date=fmt_date(member.regulation_confirmed_at, tz)))
    else:
        marks.append(_("regulation not yet confirmed"))
    if member.order_number:
        marks.append(_("order No. {number}").format(number=member.order_number))
    name = f'<p class="name">{h(member.full_name)}</p>'
    return f'<li class="person">{name}<p class="muted">{h(" · ".join(marks))}</p></li>'


def members_page(view: MembersView, tz: ZoneInfo) -> str:
    roster = view.roster
    council = roster.council
    voting = [m for m in roster.approved if m.role.votes]
    participants = [m for m in roster.approved if not m.role.votes]
    count = len(voting)
    summary = (
        _("{count} member with a vote", "{count} members with a vote", count).format(count=count)
        + " · "
        + _("quorum: {needed} present").format(needed=rules.quorum_needed(count))
    )
    parts = [el("h2", _("Members")), el("p", summary, "muted")]
    for title, people in (
        (_("Members with a vote"), voting),
        (_("Participants without a vote"), participants),
        (_("Waiting for the chair's approval"), roster.pending),
    ):
        if people:
            rows = "".join(_member(m, council, tz) for m in people)
            parts.append(f'<article class="card"><h3>{h(title)}</h3><ul class="plain people">{rows}</ul></article>')
    if view.figures is not None:
        parts.append(figures_block(view.figures))
    if view.log is not None:
        lines = "".join(f"<li>{telegram_html(audit_line(line, tz))}</li>" for line in view.log)
        body = f'<ul class="plain log">{lines}</ul>' if lines else _empty(_("Nothing has been recorded yet."))
        title = _("The log: the latest {count} entries").format(count=len(view.log))
        parts.append(f'<article class="card"><h3>{h(title)}</h3>{body}</article>')
    return "".join(parts)


def figures_block(figures: YearFigures) -> str:
    title = _("The {year} school year in figures").format(year=ui_labels.school_year_text(figures.school_year))
    attendance = (
        attendance_chart(figures) if figures.attendance else _empty(_("No meeting has been held this school year yet."))
    )
    return (
        f'<article class="card figures">{el("h3", title)}'
        f"{el('h4', _attendance_title())}{attendance}"
        f"{el('h4', _decisions_title())}{decisions_chart(figures)}</article>"
    )


def _svg(width: int, height: int, label: str, body: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{h(label)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{h(label)}</title>{body}</svg>'
    )


def attendance_chart(figures: YearFigures) -> str:
    """Each meeting's members with a vote present, as a share of its roster, by protocol number; the dashed
    line is the quorum (2/3, cl. 7.7). A bar short of it is drawn in the warning colour. The drawing is 320
    units wide whatever the number of meetings (up to 40 in a year), and scales to the screen."""
    rows = figures.attendance
    width, left, right, top, plot_h, bottom = 320, 34, 6, 8, 110, 20
    slot = (width - left - right) / max(len(rows), 8)  # a few meetings still get slim bars
    gap = max(1.0, slot * 0.2)
    body = [
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}"/>',
        f'<text class="tick" x="{left - 4}" y="{top + 8}" text-anchor="end">100%</text>',
        f'<text class="tick" x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    label_every = max(1, len(rows) // 10)
    for index, row in enumerate(rows):
        share = row.present / row.members if row.members else 0
        bar_h = plot_h * share
        x = left + index * slot + gap / 2
        tone = "present" if row.quorum else "short"
        tip = _("Protocol No. {number} ({date}): present {present} of {total}").format(
            number=row.protocol, date=f"{row.day:%d.%m.%Y}", present=row.present, total=row.members
        )
        body.append(
            f'<rect class="seat" x="{x:.1f}" y="{top}" width="{slot - gap:.1f}" height="{plot_h}"/>'
            f'<rect class="{tone}" x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{slot - gap:.1f}" '
            f'height="{bar_h:.1f}"><title>{h(tip)}</title></rect>'
        )
        if index % label_every == 0:
            body.append(
                f'<text class="tick" x="{x + (slot - gap) / 2:.1f}" y="{top + plot_h + 14}" '
                f'text-anchor="middle">{row.protocol}</text>'
            )
    quorum_y = top + plot_h - plot_h * 2 / 3
    body.append(f'<line class="quorum" x1="{left}" y1="{quorum_y:.1f}" x2="{width - right}" y2="{quorum_y:.1f}"/>')
    label = _("Attendance by meeting: members with a vote present, by protocol number; the line is the quorum.")
    return _svg(width, top + plot_h + bottom, label, "".join(body)) + f'<p class="muted small">{h(label)}</p>'


def decisions_chart(figures: YearFigures) -> str:
    """How the decisions followed up stand: one bar cut in four, with its legend."""
    parts = [
        ("on-time", _("done on time: {count}"), figures.on_time),
        ("late", _("done late: {count}"), figures.late),
        ("open", _("open: {count}"), figures.open),
        ("overdue", _("overdue: {count}"), figures.overdue),
    ]
    total = sum(count for _tone, _label, count in parts)
    if not total:
        return _empty(_("No decision has a responsible member yet."))
    width, bar_h = 300, 24
    x = 0.0
    body = []
    for tone, label, count in parts:
        if count:
            w = width * count / total
            body.append(
                f'<rect class="{tone}" x="{x:.1f}" y="0" width="{w:.1f}" height="{bar_h}">'
                f"<title>{h(label.format(count=count))}</title></rect>"
            )
            x += w
    legend = "".join(
        f'<li><span class="key {tone}"></span>{h(label.format(count=count))}</li>' for tone, label, count in parts
    )
    title = _("Decisions followed up: done on time, done late, open, overdue.")
    return _svg(width, bar_h, title, "".join(body)) + f'<ul class="legend">{legend}</ul>'


# --- the page itself (no personal data: the same for everyone) -------------------------------------------------


def outside_telegram() -> str:
    return _("This page opens only from the bot in Telegram: its menu button, or /year in the chat with the bot.")


def offline() -> str:
    return _("The bot's server does not answer. Check the connection and try again.")


def retry() -> str:
    return _("Try again")


def shell(asset_version: str) -> str:
    """The page Telegram opens: its stylesheet and script, and the few words it may need before the server
    answers, in both languages (it does not know the reader's yet). The same for everyone: nothing personal."""
    texts = "".join(
        f' data-{name}-{locale}="{h(in_locale(locale, render))}"'
        for locale in LANGUAGE_NAMES
        for name, render in (("outside", outside_telegram), ("offline", offline), ("retry", retry))
    )
    return (
        "<!doctype html>\n"
        '<html lang="ky"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">'
        '<meta name="referrer" content="no-referrer">'
        "<title>Kenesh</title>"
        f'<link rel="icon" href="static/icon.svg?v={asset_version}" type="image/svg+xml">'
        f'<link rel="stylesheet" href="static/app.css?v={asset_version}">'
        f'<script src="static/app.js?v={asset_version}" defer></script>'
        f"</head><body{texts}>"
        '<main id="app" aria-live="polite"><div class="loading" aria-hidden="true"></div></main>'
        "</body></html>\n"
    )


# --- in the chat: /year and the menu button --------------------------------------------------------------------


def menu_button_text() -> str:
    return _("The year")


def year_text() -> str:
    return _("The council's year at a glance: the plan, meetings with their protocols, decisions, materials, members.")


def open_app_keyboard(url: str) -> InlineKeyboardMarkup:
    """In the private chat: the button that opens the Mini App (web_app buttons exist only there)."""
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=_("Open the council's year"), web_app=WebAppInfo(url=url))]]
    )


def year_in_group() -> str:
    return _("The council's year opens in the chat with the bot: press the button.")


def year_in_group_keyboard(bot_username: str) -> InlineKeyboardMarkup:
    """In a group: a link to the bot's private chat that starts with /year there."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=_("Open the bot"), url=f"https://t.me/{bot_username}?start={YEAR_START}")]
        ]
    )


YEAR_START = "year"  # the /start payload of the group's link


def year_without_app() -> str:
    """/year when the bot has no Mini App (MINIAPP_URL is not set): where the same things are in the chat."""
    return "\n".join(
        [
            _("<b>The council's year</b>"),
            _("/plan — the annual plan (cyclogram) of the council"),
            _("/meetings — meetings: upcoming and past"),
            _("/protocols — protocols of past meetings"),
            _("/decisions — decisions followed up: open, done, overdue"),
            _("/bank — the bank of pedagogical ideas; /bank words — search it"),
            _("/members — the council's members"),
        ]
    )
