"""What the operator's Prometheus reads at GET /metrics (bot/web/server.py serves it).

Counted as things happen: updates by kind and the time each took (the update middleware), Bot API calls
that sent a message and Telegram's errors by code, 429s and the seconds Telegram asked to wait (a request
middleware on the Bot's session, so every path is counted: replies, the outbox, live edits), scheduled runs
and their duration (APScheduler's job events). Read at each scrape: the outbox's backlog and its oldest post,
the councils, members and meetings, whether this instance leads. And the build's version.

prometheus-client is imported only when the web server starts (bot/web/server.py builds a Metrics): an
instance that serves no /metrics does not carry it. Each Metrics has its own registry (tests build several).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_client.exposition import generate_latest
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot import __version__
from bot.clock import Clock
from db.repo import health as health_repo

if TYPE_CHECKING:
    from aiogram import Bot
    from apscheduler.events import JobExecutionEvent, JobSubmissionEvent
    from apscheduler.schedulers.base import BaseScheduler

# Bot API methods that put a message in a chat (what "messages sent" counts).
SENDING = frozenset(
    {
        "SendMessage",
        "SendDocument",
        "SendPhoto",
        "SendMediaGroup",
        "CopyMessage",
        "ForwardMessage",
        "SendPoll",
    }
)

_CODES: tuple[tuple[type[TelegramAPIError], str], ...] = (
    (TelegramRetryAfter, "429"),
    (TelegramBadRequest, "400"),
    (TelegramUnauthorizedError, "401"),
    (TelegramForbiddenError, "403"),
    (TelegramNotFound, "404"),
    (TelegramConflictError, "409"),
    (TelegramEntityTooLarge, "413"),
    (TelegramServerError, "5xx"),
)


def error_code(error: TelegramAPIError) -> str:
    """The HTTP-like code of Telegram's answer (aiogram gives each its exception type), or "network"."""
    for kind, code in _CODES:
        if isinstance(error, kind):
            return code
    if isinstance(error, TelegramNetworkError):
        return "network"
    return "migrated" if isinstance(error, TelegramMigrateToChat) else "other"


class Metrics:
    def __init__(self, instance: str) -> None:
        self.registry = registry = CollectorRegistry(auto_describe=True)
        self.instance = instance
        Info("kenesh_build", "The running release", registry=registry).info({"version": __version__})
        self.updates = Counter("kenesh_updates", "Telegram updates handled, by kind", ["kind"], registry=registry)
        self.update_seconds = Histogram(
            "kenesh_update_seconds",
            "Time from an update's arrival in the dispatcher to the end of its handling",
            ["kind"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=registry,
        )
        self.update_failures = Counter(
            "kenesh_update_failures",
            "Updates whose handling raised (answered by the error router)",
            ["kind"],
            registry=registry,
        )
        self.messages_sent = Counter(
            "kenesh_messages_sent", "Messages Telegram accepted, by Bot API method", ["method"], registry=registry
        )
        self.telegram_errors = Counter(
            "kenesh_telegram_errors",
            "Bot API calls Telegram refused or failed, by code",
            ["code", "method"],
            registry=registry,
        )
        self.retry_after = Counter(
            "kenesh_telegram_flood_waits", "Answers 429 (Too Many Requests) from Telegram", registry=registry
        )
        self.retry_after_seconds = Counter(
            "kenesh_telegram_flood_wait_seconds", "Seconds Telegram asked to wait in its 429 answers", registry=registry
        )
        self.job_runs = Counter(
            "kenesh_scheduled_runs", "Scheduled jobs run, by job and outcome", ["job", "outcome"], registry=registry
        )
        self.job_seconds = Histogram(
            "kenesh_scheduled_run_seconds",
            "How long a scheduled job ran",
            ["job"],
            buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0),
            registry=registry,
        )
        self.outbox_pending = Gauge("kenesh_outbox_pending", "Posts waiting in the outbox", registry=registry)
        self.outbox_oldest = Gauge(
            "kenesh_outbox_oldest_pending_seconds",
            "Age of the oldest post waiting in the outbox (0: none)",
            registry=registry,
        )
        self.councils = Gauge("kenesh_councils", "Councils", registry=registry)
        self.members = Gauge("kenesh_members", "Members of all councils, by status", ["status"], registry=registry)
        self.meetings = Gauge("kenesh_meetings", "Meetings of all councils, by status", ["status"], registry=registry)
        self.leader = Gauge(
            "kenesh_leader", "1 when this instance runs the scheduled work, else 0", ["instance"], registry=registry
        )
        self._job_started: dict[str, float] = {}

    # --- updates (bot/runtime/middlewares.py UpdateContext) ----------------------------------------------

    def update_handled(self, kind: str, seconds: float, failed: bool) -> None:
        self.updates.labels(kind).inc()
        self.update_seconds.labels(kind).observe(seconds)
        if failed:
            self.update_failures.labels(kind).inc()

    # --- Bot API calls --------------------------------------------------------------------------------------

    def watch_bot(self, bot: Bot) -> None:
        """Count every call this Bot makes (a request middleware on its session)."""
        bot.session.middleware(TelegramCalls(self))

    # --- scheduled work -------------------------------------------------------------------------------------

    def watch_scheduler(self, aps: BaseScheduler) -> None:
        """Time each job APScheduler runs, from its submission to its end, by the job's kind (the id before ':')."""
        from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, EVENT_JOB_SUBMITTED

        aps.add_listener(self._job_submitted, EVENT_JOB_SUBMITTED)
        aps.add_listener(self._job_done, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)

    def _job_submitted(self, event: JobSubmissionEvent) -> None:
        self._job_started[event.job_id] = time.monotonic()

    def _job_done(self, event: JobExecutionEvent) -> None:
        from apscheduler.events import EVENT_JOB_MISSED

        job = event.job_id.partition(":")[0]
        if event.code == EVENT_JOB_MISSED:
            self.job_runs.labels(job, "missed").inc()
            return
        started = self._job_started.pop(event.job_id, None)
        self.job_ran(job, None if started is None else time.monotonic() - started, failed=event.exception is not None)

    def job_ran(self, job: str, seconds: float | None, *, failed: bool = False) -> None:
        self.job_runs.labels(job, "failed" if failed else "ok").inc()
        if seconds is not None:
            self.job_seconds.labels(job).observe(seconds)

    # --- read at each scrape ----------------------------------------------------------------------------

    async def refresh(self, sessionmaker: async_sessionmaker, clock: Clock, leading: bool) -> None:
        async with sessionmaker() as session:
            pending, oldest = await health_repo.outbox_backlog(session)
            councils, members, meetings = await health_repo.totals(session)
        self.outbox_pending.set(pending)
        self.outbox_oldest.set(age_seconds(oldest, clock.now()))
        self.councils.set(councils)
        for status, count in members.items():
            self.members.labels(status).set(count)
        for status, count in meetings.items():
            self.meetings.labels(status).set(count)
        self.leader.labels(self.instance).set(1 if leading else 0)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def age_seconds(moment: datetime | None, now: datetime) -> float:
    return 0.0 if moment is None else max(0.0, (now - moment).total_seconds())


class TelegramCalls(BaseRequestMiddleware):
    """Counts what each Bot API call came to; changes nothing about the call."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = type(method).__name__
        try:
            response = await make_request(bot, method)
        except TelegramAPIError as error:
            self.metrics.telegram_errors.labels(error_code(error), name).inc()
            if isinstance(error, TelegramRetryAfter):
                self.metrics.retry_after.inc()
                self.metrics.retry_after_seconds.inc(error.retry_after)
            raise
        if name in SENDING:
            self.metrics.messages_sent.labels(name).inc()
        return response
