"""Votes at a meeting: one inline-button vote per decision, counted by cl. 7.7 when closed."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit, membership, rules
from bot.decisions import vote_closed
from bot.errors import KeneshError
from bot.i18n import lazy_gettext as __
from bot.meetings import meeting_view, open_meeting_of, presence
from bot.rules import Counts
from bot.runtime import after_commit, ballot_box
from bot.runtime.ballot_box import BallotBox
from db.engine import checkpoint, engine_of
from db.models import Choice, Council, Meeting, Outcome, Vote
from db.repo import meeting_day as day_repo
from db.repo import meetings as meetings_repo
from db.repo import referenced, remove

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
    counts = await day_repo.ballot_counts(session, vote.id)
    return Counts(counts.get(Choice.FOR, 0), counts.get(Choice.AGAINST, 0), counts.get(Choice.ABSTAIN, 0))


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
    now: datetime,
    outside_agenda: bool = False,
) -> NewVote:
    """`/vote <item number> <decision>` at the open meeting; `/vote <decision>` (no item) only once confirmed
    as outside the agenda (`outside_agenda`), and the protocol says so."""
    await membership.require_current_regulation(session, council, user_id)
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
    await session.flush()  # the vote's id, for the log
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
    after_commit.message_posted(session, after_commit.VOTE, vote.id, text, markup)
    await session.commit()


async def undo_vote(session: AsyncSession, vote_id: int) -> None:
    """The vote's message could not be posted: the vote goes, so no phantom is left for the protocol."""
    if await day_repo.drop_unposted_vote(session, vote_id):
        await audit.withdraw(session, audit.AuditAction.VOTE_OPENED, audit.AuditObject.VOTE, vote_id)
    await session.commit()
    log.warning("Vote %s dropped: its message could not be posted", vote_id)


@dataclass(frozen=True)
class Cast:
    choice: Choice
    changed: bool
    language: str | None = None  # the member's stored language, read with the ballot


REFUSALS = {
    ballot_box.NO_VOTE: __("This vote no longer exists."),
    ballot_box.VOTE_CLOSED: VOTE_CLOSED,
    ballot_box.NOT_MEMBER: __("Only members of the council vote."),
    ballot_box.NO_VOTE_RIGHT: __("Participants take part without a vote (regulation, cl. 4.3)."),
    ballot_box.JOINED_LATER: __("You joined the council after this meeting opened: you vote from the next meeting on."),
    ballot_box.NOT_PRESENT: __("You are not marked present. Press “Present” on the attendance message first."),
}


async def cast_vote(box: BallotBox, *, vote_id: int, user_id: int, choice: Choice, now: datetime) -> Cast:
    """A button press: stored (one member, one vote, by a unique constraint) before it is acknowledged. It
    joins the presses of the moment in one transaction (bot/runtime/ballot_box.py), where the database judges it."""
    counted = await box.cast(ballot_box.Press(vote_id, user_id, choice, now))
    if counted.refused is not None:
        raise KeneshError(REFUSALS[counted.refused])
    return Cast(counted.choice, counted.changed, counted.language)


@dataclass(frozen=True)
class ClosedVote:
    council: Council
    vote: Vote
    outcome: Outcome


class NoBallots(KeneshError):
    """Nobody has voted: the chair confirms before the vote closes as "no votes cast"."""


async def close_vote(
    session: AsyncSession, *, vote_id: int, user_id: int, now: datetime, confirmed_empty: bool = False
) -> ClosedVote:
    """The chair's Close button: the vote closes once (a second press, or the secretary's, finds it closed)."""
    vote = await day_repo.get_vote(session, vote_id)
    if vote is None:
        raise KeneshError(__("This vote no longer exists."))
    view = await meeting_view(session, vote.meeting_id, user_id)
    if not vote.is_open:
        raise KeneshError(VOTE_CLOSED)
    if not confirmed_empty and not (await live_counts(session, vote)).cast:
        raise NoBallots(__("Nobody has voted yet. Close the vote anyway, with the result “no votes cast”?"))
    if not await day_repo.close_vote_if_open(session, vote.id, now):  # the first write: the database judges
        await session.commit()  # nothing was written; ends the transaction
        raise KeneshError(VOTE_CLOSED)
    outcome = await _freeze(session, vote, view.meeting, now)
    audit.record(
        session,
        council_id=view.council.id,
        actor_id=user_id,
        action=audit.AuditAction.VOTE_CLOSED,
        obj_kind=audit.AuditObject.VOTE,
        obj_id=vote.id,
        after=outcome,
        now=now,
    )
    after_commit.tally_changed(session, after_commit.VOTE, vote.id, now=True)
    await session.commit()
    if vote.secret:
        await forget_on_disk(session)
    return ClosedVote(view.council, vote, outcome)


async def forget_on_disk(session: AsyncSession, attempts: int = 5) -> None:
    """After a secret ballot's close is committed: no WAL frame keeps a deleted ballot (SQLite). A reader
    in the middle of a transaction (the tally timer, the outbox) makes the checkpoint busy: try again."""
    for attempt in range(attempts):
        if await checkpoint(engine_of(session)):
            return
        await asyncio.sleep(0.2 * (attempt + 1))
    log.warning("WAL checkpoint after a secret ballot stayed busy; the next checkpoint completes it")


async def _freeze(session: AsyncSession, vote: Vote, meeting: Meeting, now: datetime) -> Outcome:
    """The closing of one vote, inside the closing transaction: its totals against the meeting's roster,
    counting only present members of that roster; a secret ballot keeps only totals and who voted."""
    counted = await day_repo.ballot_counts(session, vote.id)
    counts = Counts(counted.get(Choice.FOR, 0), counted.get(Choice.AGAINST, 0), counted.get(Choice.ABSTAIN, 0))
    seats = await presence(session, meeting)
    vote.votes_for, vote.votes_against, vote.votes_abstain = counts.votes_for, counts.against, counts.abstain
    vote.members_total, vote.present_total = seats.members, seats.present
    vote.outcome = outcome = rules.outcome_of(counts, seats.present, seats.members)
    vote.is_open = False
    vote.closed_at = now
    if vote.secret:
        await day_repo.forget_ballots(session, vote.id, await day_repo.counted_voter_ids(session, vote.id))
    await vote_closed(session, vote, meeting, now)
    log.info(
        "Vote %s closed: %s (%d/%d/%d, %d of %d present)",
        vote.id,
        outcome.value,
        counts.votes_for,
        counts.against,
        counts.abstain,
        seats.present,
        seats.members,
    )
    return outcome


async def close_open_votes(session: AsyncSession, meeting: Meeting, now: datetime) -> list[Vote]:
    """At the meeting's close: every open vote closes; one whose message was never posted is dropped."""
    closed = []
    for vote in await day_repo.open_votes(session, meeting.id):
        if vote.message_id is None:
            await remove(session, vote)
        elif await day_repo.close_vote_if_open(session, vote.id, now):
            await _freeze(session, vote, meeting, now)
            closed.append(vote)
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
    after_commit.vote_timer_set(session, vote.id, vote.closes_at)
    await session.commit()
    return vote


async def close_vote_on_time(session: AsyncSession, *, vote_id: int, now: datetime) -> Vote | None:
    """The scheduler's close: only a vote still open whose deadline has come; None when nothing to do."""
    vote = await day_repo.get_vote(session, vote_id)
    if vote is None or not vote.is_open or vote.closes_at is None or vote.closes_at > now:
        return None
    meeting = await referenced(session, Meeting, vote.meeting_id)
    await _freeze(session, vote, meeting, now)
    after_commit.tally_changed(session, after_commit.VOTE, vote.id, now=True)  # as if closed by hand
    await session.commit()
    return vote
