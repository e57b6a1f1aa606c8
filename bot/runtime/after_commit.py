"""Side effects after commit, in one place: `run`.

An operation records in its session what changed (bot/ops/effects.py says what it may record); nothing happens
then. Once the transaction commits, the session's owner calls `run`: the DB session middleware after each
update, a scheduled job after its own commit. So a handler never has to remember to re-plan reminders or touch
a tally, and a change that rolls back is followed by nothing (db/engine.py's session keeps pending and
committed effects apart).
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from bot.ops.effects import LiveEditor, Planner, Waker
from db.engine import COMMITTED_EFFECTS
from db.repo.outbox import OUTBOX_FLAG

log = logging.getLogger(__name__)


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
