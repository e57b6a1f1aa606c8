"""Meeting messages built from data in the current locale (group posts go through group_text). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot.i18n import fmt_datetime, group_text
from bot.rendering import MESSAGE_LIMIT, esc, tg_len
from bot.rules import Counts
from db.models import AgendaItem, Choice, Council, GroupLanguage, Meeting, Outcome, Vote

if TYPE_CHECKING:
    from bot.meetings import Presence


def outcome_text(outcome: Outcome) -> str:
    return {
        Outcome.ADOPTED: _("adopted"),
        Outcome.NOT_ADOPTED: _("not adopted"),
        Outcome.NO_QUORUM: _("no quorum: no valid decision"),
        Outcome.NO_VOTES: _("no votes cast"),
    }[outcome]


def counts_text(counts: Counts) -> str:
    return _("for {votes_for}, against {against}, abstained {abstain}").format(
        votes_for=counts.votes_for, against=counts.against, abstain=counts.abstain
    )


def items_text(items: Sequence[AgendaItem]) -> str:
    lines = []
    for item in items:
        reporter = f" — <i>{esc(item.reporter)}</i>" if item.reporter else ""
        lines.append(f"{item.position}. {esc(item.title)}{reporter}")
    return "\n".join(lines)


def when_text(meeting: Meeting, tz: ZoneInfo) -> str:
    when = fmt_datetime(meeting.starts_at, tz)
    if meeting.place:
        return _("{when}, {place}").format(when=when, place=esc(meeting.place))
    return when


def agenda_preview(council: Council, meeting: Meeting, items: Sequence[AgendaItem], tz: ZoneInfo) -> str:
    return "\n".join(
        [
            _("<b>Preview.</b> This is what the group will see:"),
            "",
            announcement(council, meeting, items, tz),
        ]
    )


def announcement(council: Council, meeting: Meeting, items: Sequence[AgendaItem], tz: ZoneInfo) -> str:
    return "\n".join(
        [
            _("<b>Meeting of the methodical council</b>"),
            when_text(meeting, tz),
            "",
            _("<b>Agenda:</b>"),
            items_text(items),
        ]
    )


def agenda_changed(council: Council, meeting: Meeting, items: Sequence[AgendaItem], tz: ZoneInfo) -> str:
    return "\n".join([_("<b>The agenda is changed.</b>"), announcement(council, meeting, items, tz)])


def rescheduled(meeting: Meeting, items: Sequence[AgendaItem], tz: ZoneInfo) -> str:
    return "\n".join(
        [
            _("<b>The meeting of the methodical council is moved.</b>"),
            _("New date: {when}").format(when=when_text(meeting, tz)),
            "",
            _("<b>Agenda:</b>"),
            items_text(items),
        ]
    )


def cancelled(meeting: Meeting, tz: ZoneInfo) -> str:
    return _("<b>The meeting of the methodical council on {when} is cancelled.</b>").format(
        when=fmt_datetime(meeting.starts_at, tz)
    )


def reminder(meeting: Meeting, items: Sequence[AgendaItem], tz: ZoneInfo, now: datetime) -> str:
    """Worded by the time actually left, so a reminder sent late still says the truth."""
    days = (meeting.starts_at.astimezone(tz).date() - now.astimezone(tz).date()).days
    if days > 1:
        head = _("<b>Reminder:</b> the methodical council meets soon.")
    elif days == 1:
        head = _("<b>Reminder:</b> the methodical council meets tomorrow.")
    elif meeting.starts_at - now > timedelta(hours=1, minutes=30):
        head = _("<b>Reminder:</b> the methodical council meets today.")
    else:
        head = _("<b>Reminder:</b> the methodical council meets in an hour.")
    return "\n".join([head, when_text(meeting, tz), "", _("<b>Agenda:</b>"), items_text(items)])


def attendance(seats: Presence) -> str:
    lines = [
        _("<b>The meeting of the methodical council is open.</b> Members, press “Present”."),
        _("Present: {present} of {total} members · quorum needs {needed}").format(
            present=seats.present, total=seats.members, needed=seats.quorum_needed
        ),
    ]
    if seats.participants_present:
        lines.append(_("Participants without a vote: {count}").format(count=seats.participants_present))
    lines.append(_("Quorum: yes") if seats.quorum else _("Quorum: not yet"))
    return "\n".join(lines)


def vote_message(
    vote: Vote, counts: Counts, names: dict[Choice, list[str]], seats_members: int, name_limit: int | None = None
) -> str:
    """A vote's group message. An open vote names voters by choice (at most `name_limit` each, then how many
    more); a secret ballot, while open, shows only how many have voted, never a count per choice, so a press
    seen in the room cannot be matched to a count that moved."""
    title = _("<b>Secret ballot</b>") if vote.secret else _("<b>Vote</b>")
    number = _(" on item {number}").format(number=vote.item_position) if vote.item_position else ""
    lines = [f"{title}{number}", esc(vote.decision), ""]
    if vote.secret and vote.is_open:
        lines.append(_("Voted: {cast} of {total} members").format(cast=counts.cast, total=seats_members))
        return "\n".join(lines)
    labels = {Choice.FOR: _("For"), Choice.AGAINST: _("Against"), Choice.ABSTAIN: _("Abstain")}
    values = {Choice.FOR: counts.votes_for, Choice.AGAINST: counts.against, Choice.ABSTAIN: counts.abstain}
    for choice in Choice:
        line = f"{labels[choice]}: {values[choice]}"
        voters = names.get(choice, []) if not vote.secret else []
        shown = voters if name_limit is None else voters[:name_limit]
        if shown:
            line += " — " + ", ".join(esc(n) for n in shown)
            if len(voters) > len(shown):
                line += _(" and {count} more").format(count=len(voters) - len(shown))
        lines.append(line)
    if vote.is_open:
        lines.append(_("Voted: {cast} of {total} members").format(cast=counts.cast, total=seats_members))
    else:
        lines += [
            "",
            _("<b>Closed.</b> Present {present} of {total}; {counts}.").format(
                present=vote.present_total, total=vote.members_total, counts=counts_text(counts)
            ),
            _("<b>Result: {outcome}.</b>").format(outcome=outcome_text(vote.outcome)),
        ]
    return "\n".join(lines)


def vote_post(
    language: GroupLanguage, vote: Vote, counts: Counts, names: dict[Choice, list[str]], seats_members: int
) -> str:
    """The vote message in the group's language(s), under Telegram's 4096 characters for any roster: every
    name while they fit, then as many per choice as fit, then counts only."""
    full = group_text(language, lambda: vote_message(vote, counts, names, seats_members))
    if tg_len(full) <= MESSAGE_LIMIT:
        return full
    low, high = 0, max((len(v) for v in names.values()), default=0)
    while low < high:  # the largest number of names per choice that still fits
        middle = (low + high + 1) // 2
        text = group_text(language, lambda m=middle: vote_message(vote, counts, names, seats_members, m))
        low, high = (middle, high) if tg_len(text) <= MESSAGE_LIMIT else (low, middle - 1)
    return group_text(language, lambda: vote_message(vote, counts, names, seats_members, low))


def choice_label(choice: Choice) -> str:
    return {Choice.FOR: _("For"), Choice.AGAINST: _("Against"), Choice.ABSTAIN: _("Abstain")}[choice]
