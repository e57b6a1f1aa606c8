"""The meeting day: attendance and the chair's roll call, votes and their tallies, /heard, /close, /protocols.

The attendance and vote messages live in the group and are edited on a timer (bot.runtime.live); they are rendered in
the group's language(s) and stay under Telegram's 4096 characters for any roster.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import rules
from bot.domain import Presence
from bot.i18n import current_locale, fmt_time, group_text
from bot.i18n import gettext as _
from bot.i18n import lazy_gettext as __
from bot.rules import Counts
from bot.ui.callbacks import (
    CloseVoteCb,
    ConfirmCloseVoteCb,
    OutsideAgendaCb,
    PresentCb,
    ProtocolCb,
    RollCallCb,
    RollPageCb,
    VoteCb,
    VoteTimerCb,
)
from bot.ui.labels import choice_label, labelled, outcome_label, rating_label
from bot.ui.meetings import protocol_label
from bot.ui.render import MESSAGE_LIMIT, esc, tg_len
from db.models import (
    DECISION_CHOICES,
    Choice,
    GroupLanguage,
    Meeting,
    Member,
    Outcome,
    Rating,
    RatingScale,
    Vote,
    VoteKind,
)

# Carried by a KeneshError, rendered in the reader's language when it is handled.
NOT_POSTED_OPEN = __("Telegram did not take the attendance message, so the meeting is not open yet. Send /open again.")
NOT_POSTED_VOTE = __("Telegram did not take the vote message, so there is no vote. Send the command again.")

ROLL_PAGE = 40  # names per page of the roll call; Telegram refuses very large keyboards
VOTE_TIMERS = (2, 5, 10)  # the chair's "close in N minutes" under a vote

# --- attendance ---------------------------------------------------------------------------------------------


def attendance(seats: Presence, protocol_number: int | None = None) -> str:
    """The attendance message: while the meeting is open, the live count and the call to press "Present";
    once it is closed (`protocol_number` given), that it is closed and the final count, so nobody reading
    the group later thinks it is still open."""
    if protocol_number is not None:
        lines = [
            _("<b>The meeting of the methodical council is closed.</b> Protocol No. {number}.").format(
                number=protocol_number
            ),
            _("Present: {present} of {total} members").format(present=seats.present, total=seats.members),
        ]
    else:
        lines = [
            _("<b>The meeting of the methodical council is open.</b> Members, press “Present”."),
            _("Present: {present} of {total} members · quorum needs {needed}").format(
                present=seats.present, total=seats.members, needed=seats.quorum_needed
            ),
        ]
    if seats.participants_present:
        lines.append(_("Participants without a vote: {count}").format(count=seats.participants_present))
    if seats.quorum:
        lines.append(_("Quorum: yes"))
    elif protocol_number is not None:
        # TRANSLATORS: on the attendance message of a closed meeting: there was no quorum.
        lines.append(_("Quorum: no"))
    else:
        lines.append(_("Quorum: not yet"))
    return "\n".join(lines)


def attendance_post(language: GroupLanguage, seats: Presence, protocol_number: int | None = None) -> str:
    """The attendance message in the group's language(s); `protocol_number` once the meeting is closed."""
    return group_text(language, lambda: attendance(seats, protocol_number))


def present_keyboard(meeting_id: int, language: GroupLanguage) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    # TRANSLATORS: a button under the attendance message: pressed, the member is marked present.
                    text=labelled(language, lambda: _("Present")),
                    callback_data=PresentCb(meeting_id=meeting_id).pack(),
                )
            ]
        ]
    )


def marked_present(marked: bool) -> str:
    return _("You are marked present.") if marked else _("You are already marked present.")


def roll_call_marked(now_present: bool) -> str:
    return _("Marked present") if now_present else _("Mark removed")


def roll_call_page_of(roll: list[tuple[Member, bool]], member_id: int) -> int:
    for index, (member, _present) in enumerate(roll):
        if member.id == member_id:
            return index // ROLL_PAGE
    return 0


def roll_call_keyboard(meeting_id: int, roll: list[tuple[Member, bool]], page: int = 0) -> InlineKeyboardMarkup:
    pages = max(1, -(-len(roll) // ROLL_PAGE))
    page = min(max(page, 0), pages - 1)
    builder = InlineKeyboardBuilder()
    for member, present in roll[page * ROLL_PAGE : (page + 1) * ROLL_PAGE]:
        builder.button(
            text=f"{'✅' if present else '▫️'} {member.full_name}"[:60],
            callback_data=RollCallCb(meeting_id=meeting_id, member_id=member.id),
        )
    builder.adjust(1)
    if pages > 1:
        builder.row(
            *(
                InlineKeyboardButton(text=label, callback_data=RollPageCb(meeting_id=meeting_id, page=target).pack())
                for label, target in (
                    ("◀", (page - 1) % pages),
                    (f"{page + 1}/{pages}", page),
                    ("▶", (page + 1) % pages),
                )
            )
        )
    return builder.as_markup()


# --- votes --------------------------------------------------------------------------------------------------


def counts_text(counts: Counts) -> str:
    return _("for {votes_for}, against {against}, abstained {abstain}").format(
        votes_for=counts.votes_for, against=counts.against, abstain=counts.abstain
    )


def vote_message(
    vote: Vote,
    counts: Counts,
    names: dict[Choice, list[str]],
    present_voters: int,
    name_limit: int | None = None,
    tz: ZoneInfo | None = None,
    titles: Mapping[str, str] | None = None,
) -> str:
    """A vote's group message. An open vote names voters by choice (at most `name_limit` each, then how many
    more); a secret ballot, while open, shows only how many have voted, never a count per choice, so a press
    seen in the room cannot be matched to a count that moved. An open vote on the chair's timer says when it
    closes (in the council's time zone `tz`), so every member sees it, not only the chair."""
    text = _vote_body(vote, counts, names, present_voters, name_limit, titles)
    if vote.is_open and vote.closes_at is not None and tz is not None:
        text += "\n" + vote_closes_at(vote.closes_at, tz)
    return text


def vote_closes_at(closes_at: datetime, tz: ZoneInfo) -> str:
    # TRANSLATORS: under an open vote the chair set to close by itself; {time} is like 15:02.
    return _("⏱ The vote closes by itself at {time}").format(time=fmt_time(closes_at, tz))


def _vote_body(
    vote: Vote,
    counts: Counts,
    names: dict[Choice, list[str]],
    present_voters: int,
    name_limit: int | None,
    titles: Mapping[str, str] | None = None,
) -> str:
    if vote.kind is VoteKind.RATING:
        return rating_message(vote, names, present_voters, name_limit, titles)
    title = _("<b>Secret ballot</b>") if vote.secret else _("<b>Vote</b>")
    number = (
        _(" on item {number}").format(number=vote.item_position) if vote.item_position else _(" outside the agenda")
    )
    lines = [f"{title}{number}", esc(vote.decision), ""]
    if vote.secret and vote.is_open:
        lines.append(voted_of_present(counts.cast, present_voters))
        return "\n".join(lines)
    if vote.outcome is Outcome.NOT_COUNTED:  # a secret ballot whose key was lost: no count to show
        lines.append(_("<b>Closed without a count.</b> {reason}").format(reason=_not_counted_reason()))
        return "\n".join(lines)
    values = {Choice.FOR: counts.votes_for, Choice.AGAINST: counts.against, Choice.ABSTAIN: counts.abstain}
    for choice in DECISION_CHOICES:
        voters = names.get(choice, []) if not vote.secret else []
        lines.append(_choice_line(choice, values[choice], voters, name_limit))
    if vote.outcome is None:  # open: the close freezes the totals and the outcome together
        lines.append(voted_of_present(counts.cast, present_voters))
    else:
        lines += [
            "",
            _("<b>Closed.</b> Present {present} of {total}; {counts}.").format(
                present=vote.present_total, total=vote.members_total, counts=counts_text(counts)
            ),
            _("<b>Result: {outcome}.</b>").format(outcome=outcome_label(vote.outcome)),
        ]
    return "\n".join(lines)


def voted_of_present(cast: int, present: int) -> str:
    """An open vote's progress: of the members present who may vote (those not marked present cannot)."""
    # TRANSLATORS: under an open vote: how many of the voting members present have voted ("Voted: 3 of 5 present").
    return _("Voted: {cast} of {present} present", "Voted: {cast} of {present} present", present).format(
        cast=cast, present=present
    )


def _choice_count(choice: Choice, count: int) -> str:
    """ "For: 3", "Against: 1", "Abstained: 2": the abstaining members' word agrees with their number."""
    if choice is Choice.ABSTAIN:
        # TRANSLATORS: a vote's line of those who abstained, with their number (Russian: Воздержался / Воздержались).
        return _("Abstained: {count}", "Abstained: {count}", count).format(count=count)
    return f"{choice_label(choice)}: {count}"


def _choice_line(choice: Choice, count: int, voters: list[str], name_limit: int | None) -> str:
    """One option of a vote: its count and, for an open vote, who chose it (at most `name_limit` names)."""
    line = _choice_count(choice, count)
    shown = voters if name_limit is None else voters[:name_limit]
    if shown:
        line += " — " + ", ".join(esc(n) for n in shown)
        if len(voters) > len(shown):
            line += _(" and {count} more").format(count=len(voters) - len(shown))
    return line


def rating_counts(names: dict[Choice, list[str]], scale: RatingScale | None) -> dict[Choice, int]:
    """A rating vote is open (never secret): its counts are the names of those who chose each option of its
    scale, from the highest."""
    return {choice: len(names.get(choice, [])) for choice in rules.rating_choices(scale)}


def rating_counts_text(counts: dict[Choice, int]) -> str:
    """ "high 5, satisfactory 3, unsatisfactory 1": each option of the scale, in its order, and its votes."""
    # The button's word in lower case: "Высокий" -> "высокий", "Канааттандырарлык эмес" -> "канааттандырарлык эмес".
    return ", ".join(f"{choice_label(choice).lower()} {votes}" for choice, votes in counts.items())


def rating_result(rating: Rating) -> str:
    return _("<b>Rating: {rating}.</b>").format(rating=rating_label(rating))


def rating_message(
    vote: Vote,
    names: dict[Choice, list[str]],
    present_voters: int,
    name_limit: int | None,
    titles: Mapping[str, str] | None = None,
) -> str:
    """A rating vote's group message (cl. 3.1, 5): the report's item (in the reader's language, `titles`, when
    the bot composed it), each option of the school's scale with who chose it, and once closed the rating
    cl. 7.7's quorum allows (the option with most votes, or a tie)."""
    counts = rating_counts(names, vote.rating_scale)
    lines = [
        _("<b>Rating of the report</b> on item {number}").format(number=vote.item_position),
        esc((titles or {}).get(current_locale()) or vote.decision),
        "",
    ]
    lines += [_choice_line(choice, votes, names.get(choice, []), name_limit) for choice, votes in counts.items()]
    cast = sum(counts.values())
    if vote.outcome is None:
        lines.append(voted_of_present(cast, present_voters))
        return "\n".join(lines)
    present, total = vote.present_total or 0, vote.members_total or 0
    rating = rules.rating_of(counts, present, total, vote.rating_scale)
    lines += [
        "",
        _("<b>Closed.</b> Present {present} of {total}; {counts}.").format(
            present=present, total=total, counts=rating_counts_text(counts)
        ),
        rating_result(rating),
    ]
    return "\n".join(lines)


def vote_post(
    language: GroupLanguage,
    vote: Vote,
    counts: Counts,
    names: dict[Choice, list[str]],
    present_voters: int,
    tz: ZoneInfo | None = None,
    titles: Mapping[str, str] | None = None,
) -> str:
    """The vote message in the group's language(s), under Telegram's 4096 characters for any roster: every
    name while they fit, then as many per choice as fit, then counts only."""
    full = group_text(language, lambda: vote_message(vote, counts, names, present_voters, None, tz, titles))
    if tg_len(full) <= MESSAGE_LIMIT:
        return full
    low, high = 0, max((len(v) for v in names.values()), default=0)
    while low < high:  # the largest number of names per choice that still fits
        middle = (low + high + 1) // 2
        text = group_text(language, partial(vote_message, vote, counts, names, present_voters, middle, tz, titles))
        low, high = (middle, high) if tg_len(text) <= MESSAGE_LIMIT else (low, middle - 1)
    return group_text(language, lambda: vote_message(vote, counts, names, present_voters, low, tz, titles))


def vote_keyboard(
    vote_id: int, language: GroupLanguage, kind: VoteKind = VoteKind.DECISION, scale: RatingScale | None = None
) -> InlineKeyboardMarkup:
    """Three choices: For, Against, Abstain in one row (a rating vote: the options of its scale, one per row,
    their words too long for one row in two languages); the chair's close control below."""
    choices = rules.vote_choices(kind, scale)
    buttons = [
        InlineKeyboardButton(
            text=labelled(language, partial(choice_label, choice)),
            callback_data=VoteCb(vote_id=vote_id, choice=choice).pack(),
        )
        for choice in choices
    ]
    rows = [[button] for button in buttons] if kind is VoteKind.RATING else [buttons]
    close = InlineKeyboardButton(
        # TRANSLATORS: a button under a vote: anyone sees it; only the chair's press closes the vote.
        text=labelled(language, lambda: _("Close the vote (chair)")),
        callback_data=CloseVoteCb(vote_id=vote_id).pack(),
    )
    return InlineKeyboardMarkup(inline_keyboard=[*rows, [close], vote_timer_row(vote_id, language)])


def _timer_label(minutes: int) -> str:
    # TRANSLATORS: a short button under a vote: the vote closes by itself in this many minutes.
    return _("⏱ {minutes} min").format(minutes=minutes)


def vote_timer_row(vote_id: int, language: GroupLanguage) -> list[InlineKeyboardButton]:
    """The chair's "close in N minutes" under a vote."""
    return [
        InlineKeyboardButton(
            text=labelled(language, partial(_timer_label, minutes)),
            callback_data=VoteTimerCb(vote_id=vote_id, minutes=minutes).pack(),
        )
        for minutes in VOTE_TIMERS
    ]


def ballot_saved(choice: Choice, changed: bool) -> str:
    """The answer to a vote button: what the presser's vote now is."""
    label = choice_label(choice)
    if changed:
        return _("Saved: {choice}").format(choice=label)
    return _("Your vote is already: {choice}").format(choice=label)


def vote_closed(outcome: Outcome) -> str:
    return _("The vote is closed: {outcome}").format(outcome=outcome_label(outcome))


def confirm_close_vote_keyboard(vote_id: int, language: GroupLanguage | None = None) -> InlineKeyboardMarkup:
    """The confirmation's button; in the group (`language`), labelled in the group's language(s)."""
    builder = InlineKeyboardBuilder()
    label = lambda: _("Close with no votes cast")  # noqa: E731
    builder.button(
        text=labelled(language, label) if language is not None else label(),
        callback_data=ConfirmCloseVoteCb(vote_id=vote_id),
    )
    return builder.as_markup()


def vote_timer_set(minutes: int) -> str:
    return _("The vote closes by itself in {minutes} min.").format(minutes=minutes)


def _not_counted_reason() -> str:
    return _(
        "The bot restarted while this secret ballot was open, and the key that sealed its ballots was lost with "
        "it: nobody's choice can be read, so nothing is counted."
    )


def _decision_line(vote: Vote) -> str:
    if vote.item_position:
        return _("Item {number}: {text}").format(number=vote.item_position, text=esc(vote.decision))
    return esc(vote.decision)


def secret_ballot_not_counted(vote: Vote) -> str:
    """To the group: a secret ballot closed without a count (its key was lost in a restart)."""
    return "\n".join(
        [
            _("<b>The secret ballot was not counted</b>"),
            _decision_line(vote),
            _not_counted_reason(),
            _("The chair will put the question to the vote again."),
        ]
    )


def secret_ballot_not_counted_to_chair(vote: Vote) -> str:
    """To the chair: the same, with the command that opens the vote again, to copy."""
    command = (
        f"/secretvote {vote.item_position} {vote.decision}" if vote.item_position else f"/secretvote {vote.decision}"
    )
    return "\n".join(
        [
            _("<b>The secret ballot was not counted</b>"),
            _decision_line(vote),
            _not_counted_reason(),
            _("To put it to the vote again, send this in the group (tap it to copy):"),
            f"<code>{esc(command)}</code>",
        ]
    )


def vote_closing_soon(vote: Vote) -> str:
    return _(
        "<b>The vote closes in a minute</b> and you have not voted yet: {text}\nVote with the buttons in the group."
    ).format(text=esc(vote.decision))


# --- /heard, /close, /protocols -----------------------------------------------------------------------------


def heard_recorded(position: int, name: str) -> str:
    return _("Recorded for the protocol: item {number}, heard: {name}").format(number=position, name=esc(name))


def for_chat(language: GroupLanguage | None, render: Callable[[], str]) -> str:
    """A reply where the command was sent: in the group, in the group's language(s) (`language`), as every
    group post is; in private (None), in the reader's."""
    return group_text(language, render) if language is not None else render()


def meeting_closed(meeting: Meeting) -> str:
    return _("The meeting is closed; protocol No. {number} is posted in the group.").format(
        number=meeting.protocol_number
    )


def protocols_keyboard(past: Sequence[Meeting], tz: ZoneInfo) -> InlineKeyboardMarkup:
    """/protocols: the latest 30 past meetings, one button each."""
    builder = InlineKeyboardBuilder()
    for meeting in past[:30]:
        builder.button(text=protocol_label(meeting, tz)[:60], callback_data=ProtocolCb(meeting_id=meeting.id))
    builder.adjust(1)
    return builder.as_markup()


# --- the prompts and short answers a handler sends ----------------------------------------------------------


def ask_roll_call() -> str:
    """To the chair privately, above the roll-call buttons."""
    return _("The meeting is open. Mark those present who have no phone with them:")


def which_protocol() -> str:
    return _("Which protocol should I send?")


def outside_agenda_question(decision: str) -> str:
    """`/vote` without an item number: the one who runs the meeting confirms the matter is outside the agenda."""
    return "\n".join(
        [
            _(
                "<b>This decision is not on the agenda.</b> The members were not told about it beforehand "
                "(regulation, cl. 7.5)."
            ),
            "",
            esc(decision),
            "",
            _(
                "To vote on an agenda item, send its number: /vote 1 Approve the plan. To decide this matter "
                "outside the agenda, confirm with the button; the protocol will say so."
            ),
        ]
    )


def outside_agenda_keyboard(meeting_id: int, token: str, language: GroupLanguage | None = None) -> InlineKeyboardMarkup:
    """The confirmation's button; in the group (`language`), labelled in the group's language(s)."""
    builder = InlineKeyboardBuilder()
    label = lambda: _("Vote outside the agenda")  # noqa: E731
    builder.button(
        text=labelled(language, label) if language is not None else label(),
        callback_data=OutsideAgendaCb(meeting_id=meeting_id, token=token),
    )
    return builder.as_markup()


def outside_agenda_confirmed(decision: str) -> str:
    return _("Put to the vote outside the agenda:") + "\n" + esc(decision)


def vote_posted() -> str:
    return _("The vote is posted in the group.")


def no_protocols() -> str:
    return _("There are no protocols yet.")


def not_a_member() -> str:
    return _("You are not a member of this council.")
