"""Votes at a meeting: one inline-button vote per decision, counted by cl. 7.7 when closed."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import rules
from bot.errors import KeneshError
from bot.meetings import meeting_view, open_meeting_of, presence
from bot.rules import Counts
from db import repo
from db.models import Ballot, Choice, Council, Meeting, MemberStatus, Outcome, SecretVoter, Vote

log = logging.getLogger(__name__)

MAX_DECISION = 1000
_ITEM_NUMBER = re.compile(r"^(\d{1,2})[.)]?\s+(.+)$", re.S)

VOTE_CLOSED = __("The vote is closed.")


def ballot_token(salt: str, member_id: int) -> str:
    return hmac.new(salt.encode(), str(member_id).encode(), hashlib.sha256).hexdigest()


def outcome_of(counts: Counts, present: int, members: int) -> Outcome:
    """cl. 7.7: without 2/3 present there is no valid decision; with it, more than half of those voting."""
    if not rules.quorum_met(present, members):
        return Outcome.NO_QUORUM
    return Outcome.ADOPTED if rules.decision_adopted(counts.votes_for, counts.cast) else Outcome.NOT_ADOPTED


def frozen_counts(vote: Vote) -> Counts:
    return Counts(vote.votes_for or 0, vote.votes_against or 0, vote.votes_abstain or 0)


async def live_counts(session: AsyncSession, vote: Vote) -> Counts:
    if not vote.is_open:
        return frozen_counts(vote)
    counts = await repo.ballot_counts(session, vote.id)
    return Counts(counts.get(Choice.FOR, 0), counts.get(Choice.AGAINST, 0), counts.get(Choice.ABSTAIN, 0))


@dataclass(frozen=True)
class NewVote:
    council: Council
    meeting: Meeting
    vote: Vote


async def start_vote(session: AsyncSession, *, council: Council, text: str, secret: bool, now: datetime) -> NewVote:
    """`/vote <decision>` or `/vote <item number> <decision>`, at the open meeting."""
    meeting = await open_meeting_of(session, council)
    text = (text or "").strip()
    item_position = None
    match = _ITEM_NUMBER.match(text)
    if match:
        items = await repo.meeting_items(session, meeting.id)
        number = int(match.group(1))
        if not 1 <= number <= len(items):
            raise KeneshError(__("The agenda has no item {number}."), number=number)
        item_position, text = number, match.group(2).strip()
    if not text:
        raise KeneshError(__("Write the decision after the command, for example: /vote 1 Approve the plan"))
    if len(text) > MAX_DECISION:
        raise KeneshError(__("The decision is too long: at most {limit} characters."), limit=MAX_DECISION)
    vote = Vote(
        meeting_id=meeting.id,
        item_position=item_position,
        decision=text,
        secret=secret,
        salt=secrets.token_hex(16) if secret else None,
        is_open=True,
        opened_at=now,
    )
    session.add(vote)
    await session.commit()
    log.info("Council %s: vote %s opened%s", council.id, vote.id, " (secret ballot)" if secret else "")
    return NewVote(council, meeting, vote)


async def set_vote_message(session: AsyncSession, vote: Vote, message_id: int) -> None:
    vote.message_id = message_id
    await session.commit()


@dataclass(frozen=True)
class Cast:
    choice: Choice
    changed: bool


async def cast_vote(session: AsyncSession, *, vote_id: int, user_id: int, choice: Choice, now: datetime) -> Cast:
    """A button press: stored (one member, one vote, by a unique constraint) before it is acknowledged."""
    check = await repo.voter_check(session, vote_id, user_id)  # one query for vote, member and attendance
    if check is None:
        raise KeneshError(__("This vote no longer exists."))
    vote, member = check.vote, check.member
    if not vote.is_open:
        raise KeneshError(VOTE_CLOSED)
    if member is None or member.status is not MemberStatus.APPROVED:
        raise KeneshError(__("Only members of the council vote."))
    if not member.role.votes:
        raise KeneshError(__("Participants take part without a vote (regulation, cl. 4.3)."))
    if not check.present:
        raise KeneshError(__("You are not marked present. Press “Present” on the attendance message first."))
    token = ballot_token(vote.salt, member.id) if vote.secret else None
    for attempt in range(2):
        ballot = await (
            repo.ballot_of(session, vote.id, token=token)
            if token
            else repo.ballot_of(session, vote.id, member_id=member.id)
        )
        if ballot is not None and ballot.choice is choice:
            return Cast(choice, changed=False)  # the same button again: nothing to write
        if ballot is not None:
            ballot.choice, ballot.cast_at = choice, now
        else:
            session.add(
                Ballot(vote_id=vote.id, member_id=None if token else member.id, token=token, choice=choice, cast_at=now)
            )
            if token:
                session.add(SecretVoter(vote_id=vote.id, member_id=member.id))
        try:
            await session.commit()
            return Cast(choice, changed=True)
        except IntegrityError:
            # Two presses of one member raced; the other one inserted first. Read it and update instead.
            await session.rollback()
            if attempt:
                raise
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class ClosedVote:
    council: Council
    vote: Vote
    changed: bool  # False when it was already closed


async def close_vote(session: AsyncSession, *, vote_id: int, user_id: int, now: datetime) -> ClosedVote:
    vote = await repo.get_vote(session, vote_id)
    if vote is None:
        raise KeneshError(__("This vote no longer exists."))
    view = await meeting_view(session, vote.meeting_id, user_id)
    if not vote.is_open:
        raise KeneshError(VOTE_CLOSED)
    await _freeze(session, vote, view.meeting, now)
    await session.commit()
    return ClosedVote(view.council, vote, True)


async def _freeze(session: AsyncSession, vote: Vote, meeting: Meeting, now: datetime) -> None:
    counts = await live_counts(session, vote)
    seats = await presence(session, meeting)
    vote.votes_for, vote.votes_against, vote.votes_abstain = counts.votes_for, counts.against, counts.abstain
    vote.members_total, vote.present_total = seats.members, seats.present
    vote.outcome = outcome_of(counts, seats.present, seats.members)
    vote.is_open = False
    vote.closed_at = now
    vote.salt = None  # a secret ballot's choices can no longer be linked to anyone
    from bot.decisions import vote_closed  # decisions import voting; keep the graph one-way at load

    await vote_closed(session, vote, meeting, now)
    log.info(
        "Vote %s closed: %s (%d/%d/%d, %d of %d present)",
        vote.id,
        vote.outcome.value,
        counts.votes_for,
        counts.against,
        counts.abstain,
        seats.present,
        seats.members,
    )


async def close_open_votes(session: AsyncSession, meeting: Meeting, now: datetime) -> list[Vote]:
    closed = list(await repo.open_votes(session, meeting.id))
    for vote in closed:
        await _freeze(session, vote, meeting, now)
    return closed


async def votes_of(session: AsyncSession, meeting: Meeting) -> list[Vote]:
    return list(await repo.meeting_votes(session, meeting.id))


TIMER_MINUTES = (2, 5, 10)


async def set_close_timer(session: AsyncSession, *, vote_id: int, user_id: int, minutes: int, now: datetime) -> Vote:
    """The chair's "close in N minutes": the deadline is stored, so the scheduler plans it again at start."""
    vote = await repo.get_vote(session, vote_id)
    if vote is None:
        raise KeneshError(__("This vote no longer exists."))
    await meeting_view(session, vote.meeting_id, user_id)  # only the chair or the secretary
    if not vote.is_open:
        raise KeneshError(VOTE_CLOSED)
    if minutes not in TIMER_MINUTES:
        raise KeneshError(__("This vote no longer exists."))
    vote.closes_at, vote.nudged = now + timedelta(minutes=minutes), False
    await session.commit()
    return vote


async def close_vote_on_time(session: AsyncSession, *, vote_id: int, now: datetime) -> Vote | None:
    """The scheduler's close: only a vote still open whose deadline has come; None when nothing to do."""
    vote = await repo.get_vote(session, vote_id)
    if vote is None or not vote.is_open or vote.closes_at is None or vote.closes_at > now:
        return None
    meeting = await repo.get_meeting(session, vote.meeting_id)
    await _freeze(session, vote, meeting, now)
    await session.commit()
    return vote
