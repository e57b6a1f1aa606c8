"""What an operation asks of the machinery, said on the operations' side (the runtime implements it).

- What follows a commit. An operation records in its session what changed (a meeting announced, moved or
  cancelled; a vote's timer; a vote's or the attendance's tally; a live group message posted); nothing happens
  then. Once the transaction commits, the session's owner runs it (bot/runtime/after_commit.py: the DB session
  middleware after each update, a scheduled job after its own commit), so a handler never has to remember to
  re-plan reminders or touch a tally, and a change that rolls back is followed by nothing (db/engine.py's session
  keeps pending and committed effects apart). Planner, LiveEditor and Waker are what that run calls.
- The ballot box (bot/runtime/ballot_box.py): a press goes in, and comes back counted or refused for a reason
  the operation turns into the member's sentence.
- The keys of open secret ballots (bot/runtime/vote_keys.py): never in the database.

So the operations import this module and never the runtime; the runtime imports the operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from bot.ballot_seal import BallotSeal
from db.engine import PENDING_EFFECTS
from db.models import Choice, Meeting

# --- what follows a commit ----------------------------------------------------------------------------------

VOTE, ATTENDANCE = "vote", "attendance"  # the live group messages: a vote's tally, a meeting's attendance


def _record(session: AsyncSession, *effect: Any) -> None:
    session.info.setdefault(PENDING_EFFECTS, []).append(effect)


def reminders_changed(session: AsyncSession, meeting: Meeting) -> None:
    """A meeting announced or moved: its reminders are planned (again) for its time."""
    _record(session, "plan_reminders", meeting)


def reminders_dropped(session: AsyncSession, meeting_id: int) -> None:
    """A meeting cancelled: no reminder of it goes out."""
    _record(session, "drop_reminders", meeting_id)


def vote_timer_set(session: AsyncSession, vote_id: int, closes_at: datetime) -> None:
    """A vote set to close on time: the scheduler closes it then."""
    _record(session, "plan_vote_close", vote_id, closes_at)


def tally_changed(session: AsyncSession, kind: str, object_id: int, *, now: bool = False) -> None:
    """A vote's ballots or a meeting's attendance changed: its group message is edited on the live timer,
    or at once (`now`) when the result must be on it before anything else (a vote or a meeting closing)."""
    _record(session, "touch", kind, object_id, now)


def message_posted(
    session: AsyncSession, kind: str, object_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """A live group message was just posted with this text: an edit to the same text would be refused."""
    _record(session, "remember", kind, object_id, text, markup)


class Planner(Protocol):
    """The scheduler, as what follows a commit calls it."""

    def plan_reminders(self, meeting: Meeting) -> None: ...
    def drop_reminders(self, meeting_id: int) -> None: ...
    def plan_vote_close(self, vote_id: int, closes_at: datetime) -> None: ...


class LiveEditor(Protocol):
    """The live group messages (tallies, attendance), edited on a timer."""

    def touch(self, kind: str, object_id: int) -> None: ...
    def remember(self, kind: str, object_id: int, text: str, markup: InlineKeyboardMarkup | None) -> None: ...
    async def flush(self) -> None: ...


class Waker(Protocol):
    """The outbox worker: what a transaction wrote to the outbox goes out now."""

    def wake(self) -> None: ...


# --- the ballot box -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Press:
    vote_id: int
    user_id: int
    choice: Choice
    now: datetime


@dataclass(frozen=True)
class Counted:
    """What became of a press. `refused`: None when the ballot stands (stored now, or already so), else the
    reason (VOTE_CLOSED, NOT_MEMBER, ...). `language`: the member's stored language, if any."""

    choice: Choice
    changed: bool
    language: str | None
    refused: str | None = None


# Why a press is refused; bot/ops/voting.py turns each into the sentence the member reads.
NO_VOTE, VOTE_CLOSED, NOT_MEMBER, NO_VOTE_RIGHT, JOINED_LATER, NOT_PRESENT, KEY_LOST = (
    "no_vote",
    "vote_closed",
    "not_member",
    "no_vote_right",
    "joined_later",
    "not_present",
    "key_lost",  # a secret ballot whose key is gone (a restart without Redis): nothing can be sealed or counted
)
PAUSED = "paused"  # the operator paused the council: no ballot is taken until it is resumed


class BallotBox(Protocol):
    """Vote presses written together, the database judging each (bot/runtime/ballot_box.py)."""

    async def cast(self, press: Press) -> Counted:
        """Wait for this press's batch to commit; its outcome."""
        ...


# --- the keys of open secret ballots ------------------------------------------------------------------------


class VoteKeys(Protocol):
    """Where a secret ballot's key lives while it is open: this process's memory, or Redis when instances
    share it (bot/runtime/vote_keys.py); never the database."""

    async def create(self, vote_id: int) -> None:
        """A new key for a secret ballot being opened (before its transaction commits)."""
        ...

    async def key(self, vote_id: int) -> bytes | None: ...

    async def seal(self, vote_id: int) -> BallotSeal | None:
        """The vote's seal, or None when its key is gone (never made, dropped at the close, or lost)."""
        ...

    async def drop(self, vote_id: int) -> None:
        """The vote closed (or was never posted): its key goes, and with it any way to read what was sealed."""
        ...
