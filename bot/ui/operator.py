"""What the operator (ADMIN_IDS) sees in the private chat: /councils, a council's card with its buttons, the
hand-over of the chair, /notify_chairs; and what a paused council's group and chair are told."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import rules
from bot.domain import CouncilCard, CouncilsPage, CouncilSummary, HeldWarning, NoticePreview, Resumed
from bot.i18n import fmt_date, fmt_datetime, fmt_long_date
from bot.i18n import gettext as _
from bot.i18n import lazy_gettext as __
from bot.ui.callbacks import CouncilsCb, NoticeAction, NoticeCb, OperatorAction, OperatorCb
from bot.ui.render import council_name, esc
from db.models import Council, Member

# What the group (and anyone acting for the council) is told while the operator has it paused.
PAUSED = __("The methodical council is paused by the bot's operator: nothing is done in it until it is resumed.")
# What the operator is told when a command or a button cannot be done (domain errors: nothing changed).
NO_SUCH_COUNCIL = __("There is no such council. Send /councils to see them as they are now.")
NO_SUCH_MEMBER = __("This member is no longer an approved member of the council. Open the council's card again.")
ALREADY_PAUSED = __("This council is paused already.")
NOT_PAUSED = __("This council is not paused.")
ALREADY_CHAIR = __("{name} is the chair already.")
CHAIR_IN_GROUP = __(
    "The chair is still in the council's group: only the chair can hand the chair over, from /members. "
    "When the chair has left the group, you can."
)
CHAIR_UNKNOWN = __("Telegram could not say whether the chair is still in the council's group. Try again later.")
COUNCIL_USAGE = __("Write the council's number after the command: /council 3 (/councils lists them).")
NOTICE_USAGE = __(
    "Write the message after the command, for example: /notify_chairs The bot will not answer on Sunday "
    "from 10:00 to 12:00."
)
NOTICE_TOO_LONG = __("The message is too long: at most {limit} characters.")
NOTICE_SENT_ALREADY = __("This message has been sent already.")
NOTICE_CANCELLED_ALREADY = __("This message was cancelled.")
NOTICE_LIMIT = 3500  # the operator's text, leaving room for the heading within Telegram's 4096
NAME_LIMIT = 60  # a school's or a chair's name in the list: ten councils stay well under 4096 characters
PICK_PAGE = 20  # members offered for the chair on one page of buttons


def council_paused() -> str:
    return str(PAUSED)


def _cut(text: str, limit: int = NAME_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def school_of(council: Council) -> str:
    """The school's name as /settings records it, by default the group's title."""
    return council.school_name or council.title


def _heading(council: Council) -> str:
    return _("<b>№{number} · «{title}»</b>").format(
        number=council.id, title=esc(_cut(council_name(school_of(council))))
    )


def _warning_line(summary: CouncilSummary) -> str | None:
    """cl. 7.4 as the operator reads it: the trimester with no meeting whose warnings have begun."""
    trimester, stage = summary.trimester, summary.warning_stage
    if trimester is None or stage is None:
        return None
    last = fmt_long_date(trimester.last_announce_day)
    if stage >= rules.TOO_LATE:
        return _("⚠️ No meeting this trimester, and the last day to announce one has passed ({last}).").format(last=last)
    return _("⚠️ No meeting announced this trimester; the last day to announce one — {last}").format(last=last)


def summary_text(summary: CouncilSummary, tz: ZoneInfo) -> str:
    """One council: school, chair, members, the last and the next meeting, the trimester warning, paused."""
    council = summary.council
    lines = [_heading(council)]
    if council.paused_at is not None:
        lines.append(_("⏸ Paused since {date}").format(date=fmt_datetime(council.paused_at, tz)))
    chair = esc(_cut(summary.chair_name)) if summary.chair_name else "—"
    members = _("{count} member", "{count} members", summary.members).format(count=summary.members)
    if summary.participants:
        members += ", " + _("{count} participant", "{count} participants", summary.participants).format(
            count=summary.participants
        )
    lines.append(_("Chair: {name}; {members}").format(name=chair, members=members))
    last = fmt_date(summary.last_meeting, tz) if summary.last_meeting else "—"
    following = fmt_datetime(summary.next_meeting, tz) if summary.next_meeting else "—"
    lines.append(_("Last meeting: {last}; next: {following}").format(last=last, following=following))
    if (warning := _warning_line(summary)) is not None:
        lines.append(warning)
    return "\n".join(lines)


def councils_text(page: CouncilsPage, tz: ZoneInfo) -> str:
    if not page.total:
        return _("There are no councils yet: a group administrator creates one with /setup in the group.")
    head = _("<b>The councils ({count})</b>").format(count=page.total)
    if page.pages > 1:
        head += "\n" + _("Page {page} of {pages}").format(page=page.number + 1, pages=page.pages)
    blocks = [head, *(summary_text(summary, tz) for summary in page.councils)]
    if page.councils:  # the example is a number from this page, one the operator sees
        number = page.councils[0].council.id
        blocks.append(
            _("A council's card, with its buttons: press its number, or send /council {number}.").format(number=number)
        )
    return "\n\n".join(blocks)  # names cut to NAME_LIMIT: PAGE councils stay well under 4096 characters


def councils_keyboard(page: CouncilsPage) -> InlineKeyboardMarkup | None:
    builder = InlineKeyboardBuilder()
    for summary in page.councils:
        builder.button(
            text=f"№{summary.council.id}",
            callback_data=OperatorCb(action=OperatorAction.CARD, council_id=summary.council.id),
        )
    sizes = [5] * ((len(page.councils) + 4) // 5)
    navigation = 0
    if page.number > 0:
        builder.button(text=_("‹ Back"), callback_data=CouncilsCb(page=page.number - 1))
        navigation += 1
    if page.number + 1 < page.pages:
        builder.button(text=_("Next ›"), callback_data=CouncilsCb(page=page.number + 1))
        navigation += 1
    if not sizes and not navigation:
        return None
    builder.adjust(*sizes, navigation or 1)
    return builder.as_markup()


def card_text(card: CouncilCard, tz: ZoneInfo) -> str:
    lines = [summary_text(card.summary, tz)]
    if card.held_posts and card.summary.council.paused:
        lines.append(
            _(
                "{count} post is held until the council is resumed.",
                "{count} posts are held until the council is resumed.",
                card.held_posts,
            ).format(count=card.held_posts)
        )
    if card.chair_left:
        lines.append(_("The chair has left the council's group: you can hand the chair over to a member."))
    elif card.chair_left is None:
        lines.append(_("Telegram could not say whether the chair is still in the council's group."))
    return "\n".join(lines)


def card_keyboard(card: CouncilCard) -> InlineKeyboardMarkup:
    council_id = card.summary.council.id
    builder = InlineKeyboardBuilder()
    if card.summary.council.paused:
        builder.button(
            text=_("▶️ Resume"), callback_data=OperatorCb(action=OperatorAction.RESUME, council_id=council_id)
        )
    else:
        builder.button(text=_("⏸ Pause"), callback_data=OperatorCb(action=OperatorAction.PAUSE, council_id=council_id))
    if card.chair_left:
        builder.button(
            text=_("Hand over the chair"), callback_data=OperatorCb(action=OperatorAction.CHAIR, council_id=council_id)
        )
    builder.button(text=_("« All councils"), callback_data=CouncilsCb(page=0))
    builder.adjust(1)
    return builder.as_markup()


def card_done(card: CouncilCard, tz: ZoneInfo, done: str) -> str:
    return f"{card_text(card, tz)}\n\n✅ {done}"


def pause_question(card: CouncilCard, tz: ZoneInfo) -> str:
    return "\n\n".join(
        [
            card_text(card, tz),
            _(
                "Pause this council? Its group will be told only that it is paused. Its posts, meeting reminders, "
                "vote timers and trimester warnings wait, and go when you resume it; what passes meanwhile is "
                "listed to the chair then."
            ),
        ]
    )


def _confirm_keyboard(yes: OperatorCb, yes_text: str, council_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=yes_text, callback_data=yes)
    builder.button(text=_("Cancel"), callback_data=OperatorCb(action=OperatorAction.CARD, council_id=council_id))
    builder.adjust(2)
    return builder.as_markup()


def pause_keyboard(council_id: int) -> InlineKeyboardMarkup:
    return _confirm_keyboard(
        OperatorCb(action=OperatorAction.PAUSE_CONFIRM, council_id=council_id), _("Yes, pause"), council_id
    )


def paused_done() -> str:
    return _("Paused")


def resumed_done() -> str:
    return _("Resumed")


def candidates_text(council: Council, members: Sequence[Member], page: int, pages: int) -> str:
    head = _heading(council)
    if not members:
        return "\n\n".join([head, _("The council has no approved member with a vote to hand the chair to.")])
    text = _("The chair has left the council's group. Hand the chair over to which member?")
    if pages > 1:
        text += "\n" + _("Page {page} of {pages}").format(page=page + 1, pages=pages)
    return f"{head}\n\n{text}"


def candidates_keyboard(council_id: int, members: Sequence[Member], page: int, pages: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for member in members:
        builder.button(
            text=_cut(member.full_name, 60),
            callback_data=OperatorCb(action=OperatorAction.CHAIR_PICK, council_id=council_id, member_id=member.id),
        )
    navigation = 0
    if page > 0:
        builder.button(
            text=_("‹ Back"),
            callback_data=OperatorCb(action=OperatorAction.CHAIR, council_id=council_id, page=page - 1),
        )
        navigation += 1
    if page + 1 < pages:
        builder.button(
            text=_("Next ›"),
            callback_data=OperatorCb(action=OperatorAction.CHAIR, council_id=council_id, page=page + 1),
        )
        navigation += 1
    builder.button(text=_("Cancel"), callback_data=OperatorCb(action=OperatorAction.CARD, council_id=council_id))
    builder.adjust(*([1] * len(members)), *([navigation] if navigation else []), 1)
    return builder.as_markup()


def hand_over_question(council: Council, member: Member) -> str:
    return "\n\n".join(
        [
            _heading(council),
            _(
                "Hand the chair over to {name}? The director's order appointing the new chair is then pending "
                "until the chair records it in /settings; the former chair stays a member with a vote."
            ).format(name=esc(member.full_name)),
        ]
    )


def hand_over_keyboard(council_id: int, member_id: int) -> InlineKeyboardMarkup:
    return _confirm_keyboard(
        OperatorCb(action=OperatorAction.CHAIR_CONFIRM, council_id=council_id, member_id=member_id),
        _("Yes, hand over"),
        council_id,
    )


def handed_over() -> str:
    return _("The chair is handed over")


# --- what the chair is told ---------------------------------------------------------------------------------


def to_chair_paused(council: Council) -> str:
    return _(
        "The bot's operator paused the methodical council «{title}». Until it is resumed, the bot posts nothing "
        "to the group, and meeting reminders, vote timers and trimester warnings wait."
    ).format(title=esc(council_name(council.title)))


def _held_warning_line(held: HeldWarning) -> str:
    trimester = held.trimester
    if held.stage >= rules.TOO_LATE:
        return _(
            "the trimester warning (regulation, cl. 7.4): no meeting in the trimester ending on {end}, and the "
            "last day to announce one ({last}) passed"
        ).format(end=fmt_long_date(trimester.end), last=fmt_long_date(trimester.last_announce_day))
    return _(
        "the trimester warning (regulation, cl. 7.4) due on {date}: no meeting was announced yet in the trimester "
        "ending on {end}, {days} before the last day to announce one"
    ).format(
        date=fmt_long_date(held.day),
        end=fmt_long_date(trimester.end),
        days=_("{count} day", "{count} days", (trimester.last_announce_day - held.day).days).format(
            count=(trimester.last_announce_day - held.day).days
        ),
    )


def to_chair_resumed(resumed: Resumed, tz: ZoneInfo) -> str:
    council = resumed.council
    lines = [
        _(
            "The bot's operator resumed the methodical council «{title}» (paused since {date}). What was "
            "waiting goes out now."
        ).format(title=esc(council_name(council.title)), date=fmt_datetime(resumed.paused_at, tz))
    ]
    passed = [
        _(
            "the meeting announced for {date} was to begin while the council was paused; its reminders did not "
            "go out. Move it or cancel it in /meetings"
        ).format(date=fmt_datetime(meeting.starts_at, tz))
        for meeting in resumed.meetings_missed
    ]
    passed += [_held_warning_line(held) for held in resumed.warnings_passed]
    if passed:
        lines.append(_("While it was paused, these passed and did not go out:"))
        lines += [f"• {line}." for line in passed]
    return "\n".join(lines)


# --- /notify_chairs -----------------------------------------------------------------------------------------


def notice_to_chair(text: str) -> str:
    """What each chair gets: the operator's words under a heading, in the chair's language."""
    return _("<b>A message from the bot's operator</b>") + "\n\n" + esc(text)


def notice_preview(preview: NoticePreview) -> str:
    head = _(
        "<b>Preview.</b> Once sent, {count} chair of a council that is not paused gets it, in their language:",
        "<b>Preview.</b> Once sent, {count} chairs of the councils that are not paused get it, each in their language:",
        preview.chairs,
    ).format(count=preview.chairs)
    return f"{head}\n\n{notice_to_chair(preview.text)}"


def notice_keyboard(notice_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Send"), callback_data=NoticeCb(action=NoticeAction.SEND, notice_id=notice_id))
    builder.button(text=_("Cancel"), callback_data=NoticeCb(action=NoticeAction.CANCEL, notice_id=notice_id))
    builder.adjust(2)
    return builder.as_markup()


def notice_sent(count: int) -> str:
    return _("Sent to {count} chair.", "Sent to {count} chairs.", count).format(count=count)


def notice_cancelled() -> str:
    return _("Cancelled: nothing was sent.")


def notice_sent_text(notice: NoticePreview) -> str:
    """The preview once sent: how many chairs it went to, then the message as they got it."""
    head = _("<b>✅ Sent to {count} chair:</b>", "<b>✅ Sent to {count} chairs:</b>", notice.chairs).format(
        count=notice.chairs
    )
    return f"{head}\n\n{notice_to_chair(notice.text)}"


def notice_cancelled_text(notice: NoticePreview) -> str:
    """The preview once cancelled: that nothing was sent, then the message as it would have gone."""
    return f"<b>❌ {notice_cancelled()}</b>\n\n{notice_to_chair(notice.text)}"
