"""Side effects after commit, in one place.

An operation records in its session what changed (a meeting announced, moved or cancelled; a vote or the
attendance changed; a group message posted); nothing happens then. Once the transaction commits, the
session's owner calls `run`: the DB session middleware after each update, a scheduled job after its own
commit. So a handler never has to remember to re-plan reminders or touch a tally, and a change that rolls
back is followed by nothing (db/engine.py's session keeps pending and committed effects apart).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Protocol

from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import COMMITTED_EFFECTS, PENDING_EFFECTS
from db.models import Meeting
from db.repo.outbox import OUTBOX_FLAG


# What follows a commit, as `run` calls it: the scheduler, the live editor and the outbox worker (in
# bot/runtime/), which import this module to record what changed, so it names them only by what it calls.
class Planner(Protocol):
    def plan_reminders(self, meeting: Meeting) -> None: ...
    def drop_reminders(self, meeting_id: int) -> None: ...
    def plan_vote_close(self, vote_id: int, closes_at: datetime) -> None: ...


class LiveEditor(Protocol):
    def touch(self, kind: str, object_id: int) -> None: ...
    def remember(self, kind: str, object_id: int, text: str, markup: InlineKeyboardMarkup | None) -> None: ...
    async def flush(self) -> None: ...


class Waker(Protocol):
    def wake(self) -> None: ...


log = logging.getLogger(__name__)

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


async def run(
    session: AsyncSession,
    *,
    scheduler: Planner | None = None,
    live: LiveEditor | None = None,
    delivery: Waker | None = None,
) -> None:
    """What the committed changes call for: the scheduler's jobs, the live edits, then the outbox worker
    (the final counts are on the group's messages before the posts that follow them)."""
    effects = session.info.pop(COMMITTED_EFFECTS, [])
    wake = session.info.pop(OUTBOX_FLAG, False)
    flush = False
    for name, *args in effects:
        try:
            if name == "plan_reminders" and scheduler is not None:
                scheduler.plan_reminders(*args)
            elif name == "drop_reminders" and scheduler is not None:
                scheduler.drop_reminders(*args)
            elif name == "plan_vote_close" and scheduler is not None:
                scheduler.plan_vote_close(*args)
            elif name == "touch" and live is not None:
                kind, object_id, now = args
                live.touch(kind, object_id)
                flush = flush or now
            elif name == "remember" and live is not None:
                live.remember(*args)
        except Exception:  # the change is committed: a failed follow-up is logged, never the update's error
            log.exception("After commit: %s %s failed", name, args)
    if flush and live is not None:
        try:
            await live.flush()
        except Exception:
            log.exception("After commit: the live edits failed")
    if wake and delivery is not None:
        delivery.wake()  # what the transaction wrote to the outbox goes out now
