"""Votes at a meeting: one inline-button vote per decision, counted by cl. 7.7 when closed.

A vote closes in one place, `close_once`, whichever path asks (the Close button, the timer, /close, the daily
check); a secret ballot's choices are sealed under a key of its own (bot/ballot_seal.py) until that close."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from bot import rules
from bot.ballot_seal import BrokenSeal
from bot.errors import KeneshError
from bot.i18n import lazy_gettext as __
from bot.ops import access, audit, effects, groups, notices
from bot.ops.decisions import vote_closed
from bot.ops.effects import BallotBox, VoteKeys
from bot.ops.meetings import meeting_view, open_meeting_of, presence
from bot.rules import Counts
from bot.ui import meeting_day as ui_meeting_day
from bot.ui import operator as ui_operator
from db.engine import checkpoint, engine_of
from db.models import Choice, Council, GroupLanguage, Meeting, Outcome, Vote, VoteKind
from db.repo import meeting_day as day_repo
from db.repo import meetings as meetings_repo
from db.repo import referenced, remove
from db.repo.outbox import Kind

log = logging.getLogger(__name__)

MAX_DECISION = 1000
_ITEM_NUMBER = re.compile(r"^(\d{1,2})[.)]?\s+(.+)$", re.S)
_ONLY_NUMBER = re.compile(r"^\d{1,2}[.)]?$")

VOTE_CLOSED = __("The vote is closed.")


def frozen_counts(vote: Vote) -> Counts:
    return Counts(vote.votes_for or 0, vote.votes_against or 0, vote.votes_abstain or 0)


async def live_counts(session: AsyncSession, vote: Vote) -> Counts:
    if not vote.is_open:
        return frozen_counts(vote)
    if vote.secret:  # how many have voted, from who voted: the choices are sealed, and shown by no one until the close
        return Counts(await day_repo.secret_voter_count(session, vote.id), 0, 0)
    counts = await day_repo.ballot_counts(session, vote.id)
    return Counts(counts.get(Choice.FOR, 0), counts.get(Choice.AGAINST, 0), counts.get(Choice.ABSTAIN, 0))


async def ballots_cast(session: AsyncSession, vote: Vote) -> int:
    """How many have voted, whatever the vote's options (a rating vote's are the school's scale)."""
    if not vote.is_open:
        return frozen_counts(vote).cast
    if vote.secret:  # who voted, not what: the choices stay sealed until the close
        return await day_repo.secret_voter_count(session, vote.id)
    return sum((await day_repo.ballot_counts(session, vote.id)).values())


@dataclass(frozen=True)
class NewVote:
    council: Council
    meeting: Meeting
    vote: Vote


class OutsideAgenda(KeneshError):
    """`/vote` without an item number: a matter the members were not told about (cl. 7.5); the one who runs
    the meeting confirms it is decided outside the agenda before the vote opens (the handler asks)."""

    def __init__(self, *, meeting_id: int, decision: str) -> None:
        super().__init__(__("This decision is not on the agenda. Write the item's number: /vote 1 Approve the plan"))
        self.meeting_id, self.decision = meeting_id, decision


async def start_vote(
    session: AsyncSession,
    *,
    council: Council,
    user_id: int,
    text: str,
    secret: bool,
    keys: VoteKeys,
    now: datetime,
    outside_agenda: bool = False,
) -> NewVote:
    """`/vote <item number> <decision>` at the open meeting; `/vote <decision>` (no item) only once confirmed
    as outside the agenda (`outside_agenda`), and the protocol says so. `/secretvote` gets the vote's key
    before its row commits, so every instance that finds the vote finds its key."""
    await access.require_current_regulation(session, council, user_id)
    meeting = await open_meeting_of(session, council)
    text = (text or "").strip()
    item_position = None
    match = _ITEM_NUMBER.match(text)
    if match:
        items = await meetings_repo.meeting_items(session, meeting.id)
        number = int(match.group(1))
        if not 1 <= number <= len(items):
            raise KeneshError(__("The agenda has no item {number}."), number=number)
        item_position, text = number, match.group(2).strip()
    if not text or _ONLY_NUMBER.match(text):
        raise KeneshError(__("Write the decision after the command, for example: /vote 1 Approve the plan"))
    if len(text) > MAX_DECISION:
        raise KeneshError(__("The decision is too long: at most {limit} characters."), limit=MAX_DECISION)
    if item_position is None and not outside_agenda:
        raise OutsideAgenda(meeting_id=meeting.id, decision=text)
    vote = Vote(
        meeting_id=meeting.id,
        item_position=item_position,
        decision=text,
        secret=secret,
        is_open=True,
        opened_at=now,
    )
    session.add(vote)
    await session.flush()  # the vote's id, for the log and the key
    if secret:
        await keys.create(vote.id)
    audit.record(
        session,
        council_id=council.id,
        actor_id=user_id,
        action=audit.AuditAction.VOTE_OPENED,
        obj_kind=audit.AuditObject.VOTE,
        obj_id=vote.id,
        after="secret" if secret else None,
        now=now,
    )
    await session.commit()
    log.info("Council %s: vote %s opened%s", council.id, vote.id, " (secret ballot)" if secret else "")
    return NewVote(council, meeting, vote)


async def set_vote_message(
    session: AsyncSession, vote: Vote, message_id: int, *, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """The vote's message as posted: kept, and its text known to the live editor."""
    vote.message_id = message_id
    effects.message_posted(session, effects.VOTE, vote.id, text, markup)
    await session.commit()


async def undo_vote(session: AsyncSession, vote_id: int, keys: VoteKeys) -> None:
    """The vote's message could not be posted: the vote goes, so no phantom is left for the protocol."""
    if await day_repo.drop_unposted_vote(session, vote_id):
        await audit.withdraw(session, audit.AuditAction.VOTE_OPENED, audit.AuditObject.VOTE, vote_id)
    await session.commit()
    await keys.drop(vote_id)
    log.warning("Vote %s dropped: its message could not be posted", vote_id)


@dataclass(frozen=True)
class Cast:
    choice: Choice
    changed: bool
    language: str | None = None  # the member's stored language, read with the ballot


REFUSALS = {
    effects.NO_VOTE: __("This vote no longer exists."),
    effects.VOTE_CLOSED: VOTE_CLOSED,
    effects.NOT_MEMBER: __("Only members of the council vote."),
    effects.NO_VOTE_RIGHT: __("Participants take part without a vote (regulation, cl. 4.3)."),
    effects.JOINED_LATER: __("You joined the council after this meeting opened: you vote from the next meeting on."),
    effects.NOT_PRESENT: __("You are not marked present. Press “Present” on the attendance message first."),
    effects.PAUSED: ui_operator.PAUSED,
    effects.KEY_LOST: __(
        "This secret ballot can no longer be counted: the bot restarted while it was open. "
        "The chair will put the question to the vote again."
    ),
}


async def cast_vote(box: BallotBox, *, vote_id: int, user_id: int, choice: Choice, now: datetime) -> Cast:
    """A button press: stored (one member, one vote, by a unique constraint) before it is acknowledged. It
    joins the presses of the moment in one transaction (bot/runtime/ballot_box.py), where the database judges it."""
    counted = await box.cast(effects.Press(vote_id, user_id, choice, now))
    if counted.refused is not None:
        raise KeneshError(REFUSALS[counted.refused])
    return Cast(counted.choice, counted.changed, counted.language)


@dataclass(frozen=True)
class ClosedVote:
    council: Council
    vote: Vote
    outcome: Outcome


async def item_titles(session: AsyncSession, vote: Vote) -> dict[str, str] | None:
    """A rating vote's item in each language when the bot composed it (an association's report): the vote's
    message reads the reader's, as the agenda does. None for any other vote (its text is the chair's)."""
    if vote.kind is not VoteKind.RATING or vote.item_position is None:
        return None
    item = await meetings_repo.item_at(session, vote.meeting_id, vote.item_position)
    return item.titles if item is not None else None


class NoBallots(KeneshError):
    """Nobody has voted: the chair confirms before the vote closes as "no votes cast". `group_language`: the
    council's, for the question asked in its group."""

    def __init__(self, group_language: GroupLanguage) -> None:
        super().__init__(__("Nobody has voted yet. Close the vote anyway, with the result “no votes cast”?"))
        self.group_language = group_language


# --- the one closing of a vote ------------------------------------------------------------------------------

# session.info: the secret ballots closed in the session's transaction, whose keys go once it commits.
_SECRET_CLOSED = "secret_ballots_closed"


@dataclass(frozen=True)
class Closing:
    vote: Vote
    meeting: Meeting
    outcome: Outcome


async def close_once(
    session: AsyncSession,
    vote_id: int,
    *,
    keys: VoteKeys,
    by_user: int | None,
    now: datetime,
    default_locale: str,
    due: bool = False,
) -> Closing | None:
    """The one closing of a vote, whichever path asks: the chair's Close button, the timer (`due`: only once
    its deadline has come), `/close` and the daily check of a meeting left open, each in its own transaction,
    which it ends with `commit_closing`. In order:
    1. the conditional UPDATE, the transaction's first write: of two closings the database lets one through;
       the other gets None, writes nothing and says the vote is closed already;
    2. the count, against the meeting's roster frozen at /open, of present members only: an open vote's
       ballots, or a secret ballot's sealed ballots opened with its key (the key lost: "not counted", and the
       chair and the group are told);
    3. a secret ballot forgotten: its sealed rows deleted, who voted kept in member order; after the commit,
       its key dropped and SQLite's WAL emptied;
    4. the /log entry (by the bot when `by_user` is None);
    5. what follows a decision: the plan adopted by its item, the chair asked who carries it out."""
    if not await day_repo.close_vote_if_open(session, vote_id, now, due=due):
        return None
    vote = await referenced(session, Vote, vote_id)  # one the session held is updated with it (is_open, closed_at)
    meeting = await referenced(session, Meeting, vote.meeting_id)
    council = await referenced(session, Council, meeting.council_id)
    seats = await presence(session, meeting)
    if vote.secret:
        counts = await _open_sealed(session, vote, keys)
        session.info.setdefault(_SECRET_CLOSED, set()).add(vote.id)
    else:
        counted = await day_repo.ballot_counts(session, vote.id)
        counts = Counts(counted.get(Choice.FOR, 0), counted.get(Choice.AGAINST, 0), counted.get(Choice.ABSTAIN, 0))
    recorded: object = None  # /log: the outcome, or a report's rating
    if counts is None:
        outcome, counts = Outcome.NOT_COUNTED, Counts(0, 0, 0)
    elif vote.kind is VoteKind.RATING:  # a report rated on the school's scale (an open vote), kept by groups.py
        rating = await groups.rating_closed(session, vote, counted, seats.present, seats.members, now)
        outcome = rules.rating_outcome(rating)
        recorded = rating if rating in rules.RATED else None
    else:
        outcome = rules.outcome_of(counts, seats.present, seats.members)
    vote.votes_for, vote.votes_against, vote.votes_abstain = counts.votes_for, counts.against, counts.abstain
    vote.members_total, vote.present_total = seats.members, seats.present
    vote.outcome, vote.is_open, vote.closed_at = outcome, False, now
    audit.record(
        session,
        council_id=council.id,
        actor_id=by_user,
        action=audit.AuditAction.VOTE_CLOSED,
        obj_kind=audit.AuditObject.VOTE,
        obj_id=vote.id,
        after=recorded or outcome,
        now=now,
    )
    if outcome is Outcome.NOT_COUNTED:
        await _tell_not_counted(session, council, vote, now=now, default_locale=default_locale)
    else:
        await vote_closed(session, vote, meeting, now)
    effects.tally_changed(session, effects.VOTE, vote.id, now=True)  # the result on its message first
    log.info(
        "Vote %s closed%s: %s (%d/%d/%d, %d of %d present)",
        vote.id,
        "" if by_user is not None else " by the bot",
        outcome.value,
        counts.votes_for,
        counts.against,
        counts.abstain,
        seats.present,
        seats.members,
    )
    return Closing(vote, meeting, outcome)


async def _open_sealed(session: AsyncSession, vote: Vote, keys: VoteKeys) -> Counts | None:
    """A secret ballot's count: its sealed ballots opened with its key, those of members who count (on the
    roster, present) counted; then the sealed rows go and who voted is written again in member order.
    None when the key is gone: nothing can be counted, and who voted is kept as it was."""
    seal = await keys.seal(vote.id)
    if seal is None:
        log.warning("Vote %s: the key of the secret ballot is gone; it closes not counted", vote.id)
        await day_repo.forget_ballots(session, vote.id, await day_repo.secret_voter_ids(session, vote.id))
        return None
    counting = await day_repo.counting_members(session, vote.id)
    tally = {Choice.FOR: 0, Choice.AGAINST: 0, Choice.ABSTAIN: 0}
    counted: list[int] = []
    for token, sealed in (await day_repo.sealed_ballots(session, vote.id)).items():
        try:
            user_id, choice = seal.open(token, sealed)
        except BrokenSeal:
            log.warning("Vote %s: a sealed ballot does not open under its key; not counted", vote.id)
            continue
        if user_id in counting:
            tally[choice] += 1
            counted.append(counting[user_id])
    await day_repo.forget_ballots(session, vote.id, counted)
    return Counts(tally[Choice.FOR], tally[Choice.AGAINST], tally[Choice.ABSTAIN])


async def _tell_not_counted(
    session: AsyncSession, council: Council, vote: Vote, *, now: datetime, default_locale: str
) -> None:
    """A secret ballot that could not be counted: the group and the chair are told; the chair opens it again."""
    notices.to_group(
        session, council, lambda: ui_meeting_day.secret_ballot_not_counted(vote), kind=Kind.NOTICE, now=now
    )
    await notices.to_person(
        session,
        council.chair_id,
        lambda: ui_meeting_day.secret_ballot_not_counted_to_chair(vote),
        kind=Kind.PERSONAL,
        now=now,
        default_locale=default_locale,
        council_id=council.id,
    )


async def commit_closing(session: AsyncSession, keys: VoteKeys) -> None:
    """Commit a transaction that closed votes, then forget what its secret ballots leave behind: their keys,
    and (SQLite) every earlier version of a page in the write-ahead log. A closing ends here, whatever its path."""
    await session.commit()
    closed = session.info.pop(_SECRET_CLOSED, set())
    for vote_id in sorted(closed):
        await keys.drop(vote_id)
    if closed:
        await forget_on_disk(session)


async def forget_on_disk(session: AsyncSession, attempts: int = 5) -> None:
    """After a secret ballot's close is committed: no WAL frame keeps a deleted sealed ballot (SQLite; its key
    is gone too, so one kept would be unreadable). A reader in the middle of a transaction (the tally timer, the
    outbox) makes the checkpoint busy: try again."""
    for attempt in range(attempts):
        if await checkpoint(engine_of(session)):
            return
        await asyncio.sleep(0.2 * (attempt + 1))
    log.warning("WAL checkpoint after a secret ballot stayed busy; the next checkpoint completes it")


# --- the paths that close a vote ----------------------------------------------------------------------------


async def close_vote(
    session: AsyncSession,
    *,
    vote_id: int,
    user_id: int,
    keys: VoteKeys,
    now: datetime,
    default_locale: str,
    confirmed_empty: bool = False,
) -> ClosedVote:
    """The chair's Close button: the vote closes once (a second press, or the secretary's, finds it closed)."""
    vote = await day_repo.get_vote(session, vote_id)
    if vote is None:
        raise KeneshError(__("This vote no longer exists."))
    view = await meeting_view(session, vote.meeting_id, user_id)  # only the chair or the secretary
    if not vote.is_open:
        raise KeneshError(VOTE_CLOSED)
    if not confirmed_empty and not await ballots_cast(session, vote):
        raise NoBallots(view.council.group_language)
    await session.commit()  # the reads end here: the closing's transaction starts with its write
    closing = await close_once(session, vote_id, keys=keys, by_user=user_id, now=now, default_locale=default_locale)
    if closing is None:
        await session.commit()  # nothing was written; ends the transaction
        raise KeneshError(VOTE_CLOSED)
    await commit_closing(session, keys)
    return ClosedVote(view.council, closing.vote, closing.outcome)


async def close_vote_on_time(
    session: AsyncSession, *, vote_id: int, keys: VoteKeys, now: datetime, default_locale: str
) -> Vote | None:
    """The scheduler's close: only a vote still open whose deadline has come; None when nothing to do (closed
    already, by hand or by another instance, or not yet due)."""
    closing = await close_once(
        session, vote_id, keys=keys, by_user=None, now=now, default_locale=default_locale, due=True
    )
    if closing is None:
        await session.commit()
        return None
    await commit_closing(session, keys)
    return closing.vote


async def close_open_votes(
    session: AsyncSession, meeting: Meeting, *, keys: VoteKeys, by_user: int | None, now: datetime, default_locale: str
) -> list[Vote]:
    """At the meeting's close, in its transaction (the caller ends it with `commit_closing`): every open vote
    closes; one whose message was never posted is dropped."""
    closed = []
    for vote in await day_repo.open_votes(session, meeting.id):
        if vote.message_id is None:
            if vote.secret:
                session.info.setdefault(_SECRET_CLOSED, set()).add(vote.id)  # its key goes with it
            await remove(session, vote)
            continue
        closing = await close_once(session, vote.id, keys=keys, by_user=by_user, now=now, default_locale=default_locale)
        if closing is not None:
            closed.append(closing.vote)
    return closed


async def close_votes_without_key(
    session: AsyncSession, *, keys: VoteKeys, now: datetime, default_locale: str
) -> list[int]:
    """At start: a secret ballot left open whose key is gone (the bot restarted without Redis) can never be
    counted; it closes now as "not counted", and the chair and the group are told, so the chair opens it
    again instead of members pressing in vain."""
    lost = [vote.id for vote in await day_repo.open_secret_votes(session) if await keys.key(vote.id) is None]
    await session.commit()  # the reads end here: each closing starts with its write
    closed = []
    for vote_id in lost:
        if await close_once(session, vote_id, keys=keys, by_user=None, now=now, default_locale=default_locale):
            closed.append(vote_id)
        await commit_closing(session, keys)
    return closed


TIMER_MINUTES = (2, 5, 10)


async def set_close_timer(session: AsyncSession, *, vote_id: int, user_id: int, minutes: int, now: datetime) -> Vote:
    """The chair's "close in N minutes": the deadline is stored, so the scheduler plans it again at start."""
    vote = await day_repo.get_vote(session, vote_id)
    if vote is None:
        raise KeneshError(__("This vote no longer exists."))
    await meeting_view(session, vote.meeting_id, user_id)  # only the chair or the secretary
    if not vote.is_open:
        raise KeneshError(VOTE_CLOSED)
    if minutes not in TIMER_MINUTES:
        raise KeneshError(__("This vote no longer exists."))
    vote.closes_at, vote.nudged = now + timedelta(minutes=minutes), False
    effects.vote_timer_set(session, vote.id, vote.closes_at)
    effects.tally_changed(session, effects.VOTE, vote.id, now=True)  # the closing time on the vote's message
    await session.commit()
    return vote
