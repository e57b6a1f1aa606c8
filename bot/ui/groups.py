"""/groups: the school's methodical associations and creative groups (cl. 3.1, 4.2), their heads and themes put
to the council, their members and their reports' ratings by year; the agenda items made for them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import rules
from bot.domain import GroupsOverview, GroupView, RollLine
from bot.i18n import fmt_date, fmt_datetime, fmt_long_date
from bot.i18n import gettext as _
from bot.ui.callbacks import GroupAction, GroupAgendaCb, GroupCb, GroupPickCb
from bot.ui.labels import group_kind_label, group_title, rating_label, school_year_text
from bot.ui.meetings import meeting_choices
from bot.ui.render import esc
from db.models import GroupKind, Meeting, Member, TeacherGroup

MARKS = {GroupKind.ASSOCIATION: "📘", GroupKind.CREATIVE: "💡"}

# --- the list ------------------------------------------------------------------------------------------------


def _line(view: GroupView, tz: ZoneInfo) -> str:
    group = view.group
    parts = [f"<b>{esc(group.name)}</b>"]
    if group.area:
        parts.append(esc(group.area))
    if group.ends_on:
        parts.append(_("until {date}").format(date=fmt_date(group.ends_on)))
    head = view.head.full_name if view.head else None
    parts.append(_("head: {name}").format(name=esc(head)) if head else _("no head approved yet"))
    parts.append(_("theme: «{theme}»").format(theme=esc(view.theme)) if view.theme else _("no theme approved yet"))
    return "; ".join(parts)


def overview_text(overview: GroupsOverview, tz: ZoneInfo) -> str:
    lines = [
        _("<b>Methodical associations and creative groups</b>"),
        _("School year {year}").format(year=school_year_text(overview.school_year)),
    ]
    for kind, heading in (
        (GroupKind.ASSOCIATION, _("<b>Methodical associations</b>")),
        (GroupKind.CREATIVE, _("<b>Creative groups</b>")),
    ):
        views = [v for v in overview.groups if v.group.kind is kind]
        lines += ["", heading]
        lines += [f"{i}. {_line(v, tz)}" for i, v in enumerate(views, 1)] or [_("None yet.")]
    lines += ["", _("A head and a theme count once the council approves them by a vote on an agenda item.")]
    if overview.can_manage:
        lines.append(_("Press a name to open its page."))
    return "\n".join(lines)


def overview_keyboard(overview: GroupsOverview) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for view in overview.groups:
        builder.button(
            text=f"{MARKS[view.group.kind]} {view.group.name}"[:60],
            callback_data=GroupCb(action=GroupAction.OPEN, group_id=view.group.id),
        )
    if overview.can_manage:
        builder.button(
            text=_("➕ New methodical association"), callback_data=GroupCb(action=GroupAction.NEW_ASSOCIATION)
        )
        builder.button(text=_("➕ New creative group"), callback_data=GroupCb(action=GroupAction.NEW_CREATIVE))
        if overview.archived:
            builder.button(
                text=_("🗄 Archived: {count}").format(count=len(overview.archived)),
                callback_data=GroupCb(action=GroupAction.ARCHIVED),
            )
    builder.adjust(1)
    return builder.as_markup()


def archived_text(archived: Sequence[TeacherGroup]) -> str:
    if not archived:
        return _("Nothing is archived.")
    return (
        _("<b>Archived associations and groups</b>")
        + "\n"
        + "\n".join(f"{MARKS[g.kind]} {esc(g.name)}" for g in archived)
    )


def archived_keyboard(archived: Sequence[TeacherGroup]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for group in archived:
        builder.button(
            text=f"{MARKS[group.kind]} {group.name}"[:60],
            callback_data=GroupCb(action=GroupAction.OPEN, group_id=group.id),
        )
    builder.button(text=_("« Back to the list"), callback_data=GroupCb(action=GroupAction.LIST))
    builder.adjust(1)
    return builder.as_markup()


# --- a group's page -------------------------------------------------------------------------------------------


def _title(group: TeacherGroup) -> str:
    """Its kind and name, as a sentence or a line begins with it: «Творческая группа «…»»."""
    title = group_title(group.kind, group.name)
    return title[:1].upper() + title[1:]


def page_text(view: GroupView, school_year: int, tz: ZoneInfo) -> str:
    group = view.group
    kind = group_kind_label(group.kind)
    lines = [f"{MARKS[group.kind]} <b>{esc(_title(group))}</b>", kind[:1].upper() + kind[1:]]
    if group.area:
        lines.append(_("Subject area: {area}").format(area=esc(group.area)))
    if group.ends_on:
        lines.append(_("A temporary group, until {date}").format(date=fmt_date(group.ends_on)))
    lines.append("")
    lines.append(
        _("Head: {name}").format(name=esc(view.head.full_name))
        if view.head
        else _("Head: not approved by the council yet")
    )
    if view.head_proposed:
        waiting = _("Candidate for head: {name}, waiting for the council's vote").format(
            name=esc(view.head_proposed.full_name)
        )
        if view.head_on_agenda:
            waiting += " " + _("(on the agenda of the meeting on {when})").format(
                when=fmt_datetime(view.head_on_agenda, tz)
            )
        lines.append(waiting)
    year = school_year_text(school_year)
    lines.append(
        _("Theme of {year}: «{theme}»").format(year=year, theme=esc(view.theme))
        if view.theme
        else _("Theme of {year}: not approved by the council yet").format(year=year)
    )
    if view.theme_proposed:
        waiting = _("Proposed theme: «{theme}», waiting for the council's vote").format(theme=esc(view.theme_proposed))
        if view.theme_on_agenda:
            waiting += " " + _("(on the agenda of the meeting on {when})").format(
                when=fmt_datetime(view.theme_on_agenda, tz)
            )
        lines.append(waiting)
    names = ", ".join(esc(m.full_name) for m in view.members) or "—"
    lines.append(_("Members ({count}): {names}").format(count=len(view.members), names=names))
    rated = [r for r in view.ratings if r.rating in rules.RATED]
    if rated:
        lines += ["", _("<b>Ratings of its reports</b>")]
        for line in rated:
            where = _("protocol No. {number}").format(number=line.protocol) if line.protocol else "—"
            lines.append(f"{school_year_text(line.school_year)}: {rating_label(line.rating)} ({where})")
    if group.archived_at:
        lines += ["", _("🗄 Archived.")]
    return "\n".join(lines)


def page_keyboard(view: GroupView, can_manage: bool) -> InlineKeyboardMarkup:
    group = view.group

    def button(text: str, action: GroupAction) -> None:
        builder.button(text=text, callback_data=GroupCb(action=action, group_id=group.id))

    def agenda(text: str, what: str) -> None:
        builder.button(text=text, callback_data=GroupAgendaCb(group_id=group.id, what=what))

    builder = InlineKeyboardBuilder()
    if can_manage and group.archived_at is None:
        button(_("👤 Candidate for head"), GroupAction.HEAD)
        button(_("📝 Theme of this year"), GroupAction.THEME)
        button(_("👥 Members"), GroupAction.MEMBERS)
        if view.head_proposed and not view.head_on_agenda:
            agenda(_("🗓 Head's approval onto an agenda"), "head")
        if view.theme_proposed and not view.theme_on_agenda:
            agenda(_("🗓 Theme's approval onto an agenda"), "theme")
        if view.head:
            agenda(_("🗓 Its report onto an agenda"), "report")
        button(_("✏️ Name"), GroupAction.EDIT_NAME)
        if group.kind is GroupKind.ASSOCIATION:
            button(_("✏️ Subject area"), GroupAction.EDIT_AREA)
        else:
            button(_("✏️ End date"), GroupAction.EDIT_END)
        button(_("🗄 Archive"), GroupAction.ARCHIVE)
    elif can_manage:
        button(_("♻️ Restore"), GroupAction.RESTORE)
    button(_("« Back to the list"), GroupAction.LIST)
    builder.adjust(1)
    return builder.as_markup()


def ended_and_archived(group: TeacherGroup) -> str:
    """To the chair, from the daily check: a temporary group's end date has passed."""
    return _(
        "💡 The creative group «{name}» ended on {date}, so it is now in the archive, its history kept. "
        "If it goes on, restore it and set its new end date."
    ).format(name=esc(group.name), date=fmt_long_date(group.ends_on) if group.ends_on else "")


def ended_keyboard(group_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("♻️ Restore"), callback_data=GroupCb(action=GroupAction.RESTORE, group_id=group_id))
    builder.button(text=_("Open its page"), callback_data=GroupCb(action=GroupAction.OPEN, group_id=group_id))
    builder.adjust(2)
    return builder.as_markup()


def back_keyboard(group_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("« Back"), callback_data=GroupCb(action=GroupAction.OPEN, group_id=group_id))
    return builder.as_markup()


def head_keyboard(group_id: int, people: Sequence[Member]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for member in people[:90]:  # Telegram takes at most 100 buttons
        builder.button(text=member.full_name[:60], callback_data=GroupPickCb(group_id=group_id, member_id=member.id))
    builder.button(text=_("« Back"), callback_data=GroupCb(action=GroupAction.OPEN, group_id=group_id))
    builder.adjust(1)
    return builder.as_markup()


def choose_head(group: TeacherGroup) -> str:
    return _(
        "{group}: who is to be its head? Choose an approved member; the council then approves the head by a vote."
    ).format(group=esc(_title(group)))


def head_proposed(group: TeacherGroup, name: str) -> str:
    return _(
        "{group}: {name} is the candidate for head. Put the approval onto a meeting's agenda from the page: "
        "the head counts once the council adopts it."
    ).format(name=esc(name), group=esc(_title(group)))


def members_text(group: TeacherGroup) -> str:
    if group.kind is GroupKind.CREATIVE:
        return _(
            "{group}, its members. Press a name to put them in or out. A member may be in creative groups as "
            "well as in their association."
        ).format(group=esc(_title(group)))
    return _(
        "{group}, its members. Press a name to put them in or out. A member belongs to one association: "
        "putting them here takes them out of another."
    ).format(group=esc(_title(group)))


def members_keyboard(group_id: int, roll: Sequence[RollLine]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for line in roll[:90]:
        if line.inside:
            label = f"✅ {line.member.full_name}"
        elif line.elsewhere:
            label = f"▫️ {line.member.full_name} · {line.elsewhere}"
        else:
            label = f"▫️ {line.member.full_name}"
        builder.button(
            text=label[:60], callback_data=GroupPickCb(group_id=group_id, member_id=line.member.id, toggle=True)
        )
    builder.button(text=_("« Back"), callback_data=GroupCb(action=GroupAction.OPEN, group_id=group_id))
    builder.adjust(1)
    return builder.as_markup()


def member_toggled(kind: GroupKind, joined: bool) -> str:
    if kind is GroupKind.CREATIVE:
        return _("In the group") if joined else _("Out of the group")
    return _("In the association") if joined else _("Out of the association")


def agenda_pick_keyboard(group_id: int, what: str, meetings: Sequence[Meeting], tz: ZoneInfo) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for meeting_id, label in meeting_choices(meetings, tz):
        builder.button(
            text=label[:60], callback_data=GroupAgendaCb(group_id=group_id, what=what, meeting_id=meeting_id)
        )
    builder.button(text=_("« Back"), callback_data=GroupCb(action=GroupAction.OPEN, group_id=group_id))
    builder.adjust(1)
    return builder.as_markup()


def put_on_agenda(group: TeacherGroup, what: str, meeting: Meeting, position: int, tz: ZoneInfo) -> str:
    done = {
        "head": _("The head's approval is item {number} of the meeting on {when}; the vote on it approves the head."),
        "theme": _(
            "The theme's approval is item {number} of the meeting on {when}; the vote on it approves the theme."
        ),
        "report": _(
            "The report is item {number} of the meeting on {when}; the head is told. "
            "After it, rate it with /rate {number}."
        ),
    }[what]
    return f"{esc(_title(group))}\n" + done.format(number=position, when=fmt_datetime(meeting.starts_at, tz))


# --- agenda items, stored in the language of who made them ---------------------------------------------------


def head_item_title(group: TeacherGroup, name: str) -> str:
    if group.kind is GroupKind.ASSOCIATION:
        text = _("On approving the head of the methodical association «{group}»: {name}")
    else:
        text = _("On approving the head of the creative group «{group}»: {name}")
    return text.format(group=group.name, name=name)


def theme_item_title(group: TeacherGroup, theme: str, school_year: int) -> str:
    if group.kind is GroupKind.ASSOCIATION:
        text = _("On approving the theme of the methodical association «{group}» for the {year} school year: «{theme}»")
    else:
        text = _("On approving the theme of the creative group «{group}» for the {year} school year: «{theme}»")
    return text.format(group=group.name, year=school_year_text(school_year), theme=theme)


def report_item_title(group: TeacherGroup) -> str:
    if group.kind is GroupKind.ASSOCIATION:
        return _("Report of the methodical association «{group}»").format(group=group.name)
    return _("Report of the creative group «{group}»").format(group=group.name)


# --- notices -------------------------------------------------------------------------------------------------


def asked_to_report(group: TeacherGroup, meeting: Meeting, position: int, tz: ZoneInfo) -> str:
    """To the head: their association's or group's report is on an agenda."""
    return _(
        "<b>Your report</b> ({group}) is item {number} of the agenda of the methodical council's meeting on "
        "{when}. After the report the council rates its work."
    ).format(group=esc(_title(group)), when=fmt_datetime(meeting.starts_at, tz), number=position)


def head_approved(group: TeacherGroup) -> str:
    return _("The methodical council approved you as the head: {group}.").format(group=esc(_title(group)))


# --- adding and changing (the chair's dialog) ----------------------------------------------------------------


def ask_name(kind: GroupKind) -> str:
    if kind is GroupKind.ASSOCIATION:
        return _("The name of the new methodical association, for example: Табигый илимдер. /cancel to stop.")
    return _("The name of the new creative group, for example: Функционалдык сабаттуулук. /cancel to stop.")


def ask_area() -> str:
    return _("Its subject area, for example: математика, физика, информатика.")


def ask_creative_theme() -> str:
    return _("The group's theme for this school year (the council approves it by a vote):")


def ask_end() -> str:
    return _("Is it temporary? Send its end date (for example 31.05.2027), or press the button.")


def no_end_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Not temporary"), callback_data=GroupCb(action=GroupAction.NO_END))
    return builder.as_markup()


def preview(kind: GroupKind, name: str, area: str | None, theme: str | None, ends_on: date | None) -> str:
    title = group_title(kind, name)
    lines = [_("<b>Preview.</b> Save this?"), "", f"{MARKS[kind]} <b>{esc(title[:1].upper() + title[1:])}</b>"]
    if area:
        lines.append(_("Subject area: {area}").format(area=esc(area)))
    if theme:
        lines.append(_("Proposed theme: «{theme}», waiting for the council's vote").format(theme=esc(theme)))
    if ends_on:
        lines.append(_("A temporary group, until {date}").format(date=fmt_long_date(ends_on)))
    return "\n".join(lines)


def preview_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Save"), callback_data=GroupCb(action=GroupAction.SAVE))
    builder.button(text=_("Cancel"), callback_data=GroupCb(action=GroupAction.DISCARD))
    builder.adjust(2)
    return builder.as_markup()


def discarded() -> str:
    return _("Not saved. Send /groups to see the list.")


def ask_edit(field: str) -> str:
    return {
        "name": _("Send the new name. /cancel to keep it."),
        "area": _("Send the subject area, or - to clear it. /cancel to keep it."),
        "ends_on": _("Send the end date (for example 31.05.2027), or - if it is not temporary. /cancel to keep it."),
    }[field]


def ask_theme(group: TeacherGroup, school_year: int) -> str:
    return _(
        "{group}: the theme for the {year} school year, in one message. The council approves it by a vote. "
        "/cancel to stop."
    ).format(group=esc(_title(group)), year=school_year_text(school_year))


def theme_proposed(group: TeacherGroup) -> str:
    return _("{group}: the theme is proposed. Put its approval onto a meeting's agenda from the page.").format(
        group=esc(_title(group))
    )


def archived_done(group: TeacherGroup, restored: bool) -> str:
    if restored:
        return _("{group} is back on the list.").format(group=esc(_title(group)))
    return _("{group} is archived: off the list, its history kept.").format(group=esc(_title(group)))
