"""Decisions followed up (cl. 7.6): who answers for a decision and by when, their reminders and reports, and
/decisions. Pure: data in, text out, in the current locale."""

from __future__ import annotations

from datetime import date, datetime

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain import FollowView, Listing
from bot.i18n import fmt_long_date
from bot.i18n import gettext as _
from bot.ui.callbacks import FollowDoneCb, FollowUpCb
from bot.ui.render import esc, short_label, split_blocks
from db.models import Meeting, Member, Vote


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
    return follow_done_list_keyboard(
        [(v.follow_up.id, _("Mark done: {decision}").format(decision=v.vote.decision)) for v in listing.mine]
    )


def follow_done_list_keyboard(items: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """Each button says what it does, the decision cut at a word (a ✅ would read as done already)."""
    builder = InlineKeyboardBuilder()
    for follow_up_id, label in items:
        builder.button(text=short_label(label), callback_data=FollowDoneCb(follow_up_id=follow_up_id))
    builder.adjust(1)
    return builder.as_markup()


def skipped() -> str:
    """Nobody is made responsible for a decision."""
    return _("Skipped")


def ask_done_report() -> str:
    return _("Send a short report of what was done: a text or a file. /cancel to stop.")


def done_recorded() -> str:
    return _("Recorded as done; the chair is told. Thank you.")
