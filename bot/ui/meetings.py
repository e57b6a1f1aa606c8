"""Meetings before the day: the agenda and its preview, announcements, moves and cancellations, reminders, and
/meetings. Group posts are rendered per language through group_text by the caller (bot.ops.notices)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import rules
from bot.agenda import example_day
from bot.domain import ReviewLine
from bot.i18n import current_locale, fmt_datetime, fmt_long_date, group_text
from bot.i18n import gettext as _
from bot.ui.callbacks import AgendaAction, AgendaCb, MeetingAction, MeetingCb
from bot.ui.labels import verdict_label
from bot.ui.render import MESSAGE_LIMIT, esc, split_lines
from db.models import AgendaItem, Council, Meeting, MeetingStatus

# --- texts --------------------------------------------------------------------------------------------------


Reviews = Mapping[int, Sequence[ReviewLine]]  # item position -> the expert reviews given of its material
REVIEW_COMMENT_SHOWN = 200  # an agenda lists a review's gist; the chair's card and the protocol keep it whole


def item_title(item: AgendaItem) -> str:
    """An item in the reader's language when the bot composed it (the plan, a material, an association's head,
    theme or report); an item the chair typed, as typed."""
    return (item.titles or {}).get(current_locale()) or item.title


def items_text(items: Sequence[AgendaItem], reviews: Reviews | None = None) -> str:
    lines = []
    for item in items:
        reporter = f" — <i>{esc(item.reporter)}</i>" if item.reporter else ""
        lines.append(f"{item.position}. {esc(item_title(item))}{reporter}")
        lines.extend(review_lines((reviews or {}).get(item.position, ())))
    return "\n".join(lines)


def review_lines(reviews: Sequence[ReviewLine]) -> list[str]:
    """Under a material's item: each expert review given, the reviewer named only with their consent."""
    lines = []
    for line in reviews:
        if line.review.verdict is None:
            continue
        who = esc(line.public_name) if line.public_name else _("an expert")
        text = _("Expert review ({name}): {verdict}").format(name=who, verdict=verdict_label(line.review.verdict))
        comment = " ".join((line.review.comment or "").split())
        if len(comment) > REVIEW_COMMENT_SHOWN:
            comment = comment[: REVIEW_COMMENT_SHOWN - 1].rstrip() + "…"
        lines.append(f"    <i>{text}" + (f". {esc(comment)}" if comment else "") + "</i>")
    return lines


def weekday_datetime(moment: datetime, tz: ZoneInfo) -> str:
    """The date with its weekday, then the time, in the reader's language ("четверг, 10 декабря 2026 г., 15:00",
    "2026-ж., 10-декабрь, бейшемби, 15:00"): a teacher plans the week by the day's name."""
    from babel.dates import format_date, format_time  # loaded at the first date, as bot/i18n.py does

    local = moment.astimezone(tz)
    locale = current_locale()
    return f"{format_date(local, format='full', locale=locale)}, {format_time(local, 'HH:mm', locale=locale)}"


def when_text(meeting: Meeting, tz: ZoneInfo, *, line: bool = True) -> str:
    """A line of its own: "Четверг, 10 декабря 2026 г., 15:00, 12-кабинет" (a capital in Russian); inside a
    sentence (`line=False`, after "Новая дата:") the weekday keeps Babel's lower case."""
    return _when_place(meeting.starts_at, meeting.place, tz, line=line)


def _when_place(starts_at: datetime, place: str | None, tz: ZoneInfo, *, line: bool) -> str:
    when = weekday_datetime(starts_at, tz)
    if line:
        when = when[:1].upper() + when[1:]
    if place:
        return _("{when}, {place}").format(when=when, place=esc(place))
    return when


# Under the last part of a preview: the line Publish or Cancel adds to it.
STATUS_ROOM = 200


def _as_the_group_gets_it(
    council: Council, meeting: Meeting, items: Sequence[AgendaItem], tz: ZoneInfo, head: str | None
) -> list[str]:
    """The announcement in each language the group reads (as bot.ops.notices posts it), under `head`, cut into
    messages with room left in the last one for the status line."""
    announced = group_text(council.group_language, lambda: announcement(council, meeting, items, tz))
    return split_lines(f"{head}\n\n{announced}" if head else announced, MESSAGE_LIMIT - STATUS_ROOM)


def agenda_closed(meeting: Meeting, later: Meeting | None, now: datetime, tz: ZoneInfo) -> str:
    """Why this meeting's agenda can no longer change, and where the item could still go: a `later`
    announced meeting still a week away, or the next one to announce."""
    why = _(
        "The meeting on {when} is less than 7 full days away: its agenda can no longer change (regulation, cl. 7.5)."
    ).format(when=fmt_datetime(meeting.starts_at, tz))
    if later is not None:
        return (
            why
            + " "
            + _("It can still go on the agenda of the meeting on {when}.").format(
                when=fmt_datetime(later.starts_at, tz)
            )
        )
    return (
        why
        + " "
        + _("It can go on the agenda of the next meeting: announce one with /agenda for {date} or later.").format(
            date=fmt_long_date(rules.earliest_meeting_date(now.astimezone(tz).date()))
        )
    )


def agenda_preview(council: Council, meeting: Meeting, items: Sequence[AgendaItem], tz: ZoneInfo) -> list[str]:
    """What the group will get, exactly: both languages when it reads both. The keyboard goes under the last
    part."""
    return _as_the_group_gets_it(council, meeting, items, tz, _("<b>Preview.</b> This is what the group will see:"))


def announcement(
    council: Council, meeting: Meeting, items: Sequence[AgendaItem], tz: ZoneInfo, reviews: Reviews | None = None
) -> str:
    return "\n".join(
        [
            _("<b>Meeting of the methodical council</b>"),
            when_text(meeting, tz),
            "",
            _("<b>Agenda:</b>"),
            items_text(items, reviews),
        ]
    )


def published(council: Council, meeting: Meeting, items: Sequence[AgendaItem], tz: ZoneInfo) -> str:
    """The preview's last message once the chair pressed Publish."""
    last = _as_the_group_gets_it(council, meeting, items, tz, None)[-1]
    return last + "\n\n✅ " + _("Published in the group and sent to the members.")


def discarded(council: Council, meeting: Meeting, items: Sequence[AgendaItem], tz: ZoneInfo) -> str:
    """The preview's last message once the chair pressed Cancel."""
    last = _as_the_group_gets_it(council, meeting, items, tz, None)[-1]
    return last + "\n\n❌ " + _("Not published. Send /agenda to write it again.")


def agenda_changed(
    council: Council, meeting: Meeting, items: Sequence[AgendaItem], tz: ZoneInfo, reviews: Reviews | None = None
) -> str:
    return "\n".join([_("<b>The agenda is changed.</b>"), announcement(council, meeting, items, tz, reviews)])


def rescheduled(
    meeting: Meeting,
    before: datetime,
    before_place: str | None,
    items: Sequence[AgendaItem],
    tz: ZoneInfo,
    reviews: Reviews | None = None,
) -> str:
    """Which meeting moved (its old date and time, and its old place when that changed too) and where to."""
    old_place = before_place if before_place != meeting.place else None
    return "\n".join(
        [
            _("<b>The meeting of the methodical council is moved.</b>"),
            _("Old date: {when}").format(when=_when_place(before, old_place, tz, line=False)),
            _("New date: {when}").format(when=when_text(meeting, tz, line=False)),
            "",
            _("<b>Agenda:</b>"),
            items_text(items, reviews),
        ]
    )


def cancelled(meeting: Meeting, tz: ZoneInfo) -> str:
    return _("<b>The meeting of the methodical council on {when} is cancelled.</b>").format(
        when=fmt_datetime(meeting.starts_at, tz)
    )


def slot_taken(other: Meeting, tz: ZoneInfo) -> str:
    """Why a time is refused: the council's meeting already set near it (rules.meetings_clash)."""
    hours = int(rules.MEETING_SPAN.total_seconds() // 3600)
    return _(
        "The council already meets at about this time ({when}). "
        "Its meetings start at least {hours} hour apart: choose another time.",
        "The council already meets at about this time ({when}). "
        "Its meetings start at least {hours} hours apart: choose another time.",
        hours,
    ).format(when=when_text(other, tz, line=False), hours=hours)


def reminder(
    meeting: Meeting, items: Sequence[AgendaItem], tz: ZoneInfo, now: datetime, reviews: Reviews | None = None
) -> str:
    """Worded by the time actually left, so a reminder sent late (after a restart) still says the truth:
    "in an hour" only when about an hour is left, else the minutes ("in 5 minutes")."""
    days = (meeting.starts_at.astimezone(tz).date() - now.astimezone(tz).date()).days
    left = meeting.starts_at - now
    minutes = max(1, round(left.total_seconds() / 60))
    if days > 1:
        head = _("<b>Reminder:</b> the methodical council meets soon.")
    elif days == 1:
        head = _("<b>Reminder:</b> the methodical council meets tomorrow.")
    elif left > timedelta(hours=1, minutes=30):
        head = _("<b>Reminder:</b> the methodical council meets today.")
    elif 55 <= minutes <= 65:
        head = _("<b>Reminder:</b> the methodical council meets in an hour.")
    else:
        head = _(
            "<b>Reminder:</b> the methodical council meets in {count} minute.",
            "<b>Reminder:</b> the methodical council meets in {count} minutes.",
            minutes,
        ).format(count=minutes)
    return "\n".join([head, when_text(meeting, tz), "", _("<b>Agenda:</b>"), items_text(items, reviews)])


def undelivered(kind: str, meeting: Meeting, names: Sequence[str], tz: ZoneInfo) -> str:
    """To the chair: a post about a meeting (`kind`, the outbox's: "announcement", "reminder", ...) could not
    reach these members, and what to ask of them (Telegram lets a bot write only to those who started it)."""
    if kind == "announcement":
        what = _("The announcement of the meeting")
    elif kind == "reminder":
        what = _("The reminder of the meeting")
    else:
        what = _("The notice of the meeting")
    if len(names) == 1:  # one person, said of one (not by plural forms: a plural's first form also counts 21)
        text = _(
            "{what} ({when}) did not reach: {names}. This member blocked the bot or never started it, so "
            "Telegram does not let me write to them. Ask them to open the bot and press Start."
        )
    else:
        text = _(
            "{what} ({when}) did not reach: {names}. They blocked the bot or never started it, so Telegram does "
            "not let me write to them. Ask them to open the bot and press Start."
        )
    return "⚠️ " + text.format(what=what, when=fmt_datetime(meeting.starts_at, tz), names=esc(", ".join(names)))


def ask_items() -> str:
    """The agenda wizard's second question."""
    return _(
        "Now the agenda: send the items in one message, each on its own line. A reporter follows a long dash "
        "“ — ” or “ -- ”, for example:\n1. Мектептин методикалык темасы — Осмонова Г."
    )


def no_meetings(can_manage: bool) -> str:
    return _("No meetings yet.") + (" " + _("Send /agenda to announce one.") if can_manage else "")


def protocol_label(meeting: Meeting, tz: ZoneInfo) -> str:
    """A past meeting by its protocol: in /meetings, and on the buttons of /protocols."""
    return _("Protocol No. {number} — {when}").format(
        number=meeting.protocol_number, when=fmt_datetime(meeting.starts_at, tz)
    )


def past_meetings(past: Sequence[Meeting], tz: ZoneInfo) -> str:
    lines = [_("<b>Past meetings</b>")]
    lines += [protocol_label(meeting, tz) for meeting in past[:20]]
    lines.append(_("Send /protocols to get a protocol again."))
    return "\n".join(lines)


def meeting_choices(meetings: Sequence[Meeting], tz: ZoneInfo) -> list[tuple[int, str]]:
    """Announced meetings as buttons to choose from (an agenda to put a material or the plan on)."""
    return [(m.id, fmt_datetime(m.starts_at, tz)) for m in meetings]


# --- keyboards ----------------------------------------------------------------------------------------------


def agenda_keyboard(meeting_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Publish"), callback_data=AgendaCb(action=AgendaAction.PUBLISH, meeting_id=meeting_id))
    builder.button(text=_("Cancel"), callback_data=AgendaCb(action=AgendaAction.DISCARD, meeting_id=meeting_id))
    builder.adjust(2)
    return builder.as_markup()


def meeting_controls(meeting_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    # TRANSLATORS: a button under an announced meeting: move it to another date and time.
    builder.button(text=_("Move"), callback_data=MeetingCb(action=MeetingAction.RESCHEDULE, meeting_id=meeting_id))
    builder.button(
        text=_("Cancel the meeting"), callback_data=MeetingCb(action=MeetingAction.CANCEL, meeting_id=meeting_id)
    )
    builder.adjust(2)
    return builder.as_markup()


def upcoming_controls(meeting: Meeting, *, can_manage: bool) -> InlineKeyboardMarkup | None:
    """Move and cancel under an announced meeting in /meetings, for the chair and the secretary."""
    return meeting_controls(meeting.id) if can_manage and meeting.status is MeetingStatus.ANNOUNCED else None


def cancel_meeting_confirm(meeting_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Yes, cancel it"), callback_data=MeetingCb(action=MeetingAction.CANCEL_CONFIRM, meeting_id=meeting_id)
    )
    builder.button(text=_("No, keep it"), callback_data=MeetingCb(action=MeetingAction.KEEP, meeting_id=meeting_id))
    builder.adjust(2)
    return builder.as_markup()


# --- the prompts and short answers a handler sends ----------------------------------------------------------


def ask_agenda_meeting() -> str:
    """Putting a material or the plan on an agenda: which meeting."""
    return _("On which meeting's agenda?")


def ask_when(today: date) -> str:
    """The first step of /agenda in private."""
    return _(
        "When and where is the meeting? Send the date, time and place in one line, "
        "for example:\n{date} 15:00 Кабинет 12\n/cancel to stop."
    ).format(date=example_day(today))


def published_toast() -> str:
    return _("Published")


def ask_new_date(today: date) -> str:
    return _(
        "Send the new date and time (and place, if it changes), for example:\n"
        "{date} 15:00 Кабинет 12\nThe 7-day rule applies again. /cancel to keep the date."
    ).format(date=example_day(today))


def moved() -> str:
    return _("Moved. The group and the members are told.")


def preview_sent_privately() -> str:
    return _("I sent you the preview privately.")


def open_private_chat_first() -> str:
    return _("Open the private chat with me first, then send /agenda again.")


def agenda_in_private() -> str:
    return _("Send /agenda to me privately: I will ask for the date and the items step by step.")
