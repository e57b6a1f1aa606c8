"""APScheduler jobs, derived from the database at start (nothing pickled): meeting reminders, vote timers,
the daily check (meetings left open, the trimester warnings, the year's reminders).

Every job runs in one frame (`Scheduler._run`): its own session, the readers' locales, the commit and what
follows it, and on failure a log line with the job and the council and another attempt with backoff (a new
one-off job, so a test's run_due() runs it too once its Clock has moved on), until it has done its work once.

A reminder is keyed by meeting *and* start time, and checks both when it fires, so after a reschedule the
reminders for the old time never go out, even if a job for it were somehow left behind.

With several instances (PostgreSQL), the jobs run only on the leader: the instance holding an advisory lock
on a connection of its own. Every LEADER_CHECK seconds each instance tries the lock (the leader checks that
its connection still lives) and the leader picks up meetings announced or moved on the other instances.
When the leader dies, PostgreSQL drops its lock with its connection and another takes over at its next try.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from bot import log_context
from bot.clock import Clock
from bot.config import Settings
from bot.i18n import I18n
from bot.ops import decisions, effects, groups, meeting_day, meetings, plan, report, reviews, voting, watchdog
from bot.runtime import after_commit
from bot.runtime.instances import LEADER_KEY, close_dedicated, dedicated_connection, instance_id, lock_holder
from bot.runtime.outbox import Delivery
from bot.runtime.vote_keys import VoteKeys
from db.engine import WRITER
from db.models import Meeting, MeetingStatus, Vote
from db.repo import instances as instances_repo
from db.repo import jobs as jobs_repo
from db.repo import meeting_day as day_repo
from db.repo import meetings as meetings_repo

log = logging.getLogger(__name__)

REMINDER_HOURS = (24, 1)  # one day before and one hour before, in council time
LEADER_CHECK = 15.0  # seconds between tries of the leader lock: a dead leader is replaced within this
RETRY_FIRST, RETRY_MAX = 10.0, 600.0  # seconds before a failed job's next attempt: 10, 20, 40 ... up to 10 min
JOBS_AT_ONCE_POSTGRESQL = 4  # jobs running side by side on PostgreSQL (within the connection pool)

T = TypeVar("T")


class LeaderLock:
    """pg_try_advisory_lock on a dedicated connection; on SQLite (one process by construction) always held."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._connection: AsyncConnection | None = None
        self.held = engine.dialect.name != "postgresql"

    async def refresh(self) -> bool:
        """Take the lock if it is free, or confirm it is still ours; whether this instance leads now."""
        if self.engine.dialect.name != "postgresql":
            return True
        try:
            if self._connection is None:
                self._connection = await dedicated_connection(self.engine)
            if self.held:
                await instances_repo.ping(self._connection)  # the lock lives as long as this connection
            else:
                self.held = await instances_repo.try_lock(self._connection, LEADER_KEY)
        except Exception as error:  # a lost connection is a lost lock: try again next time
            log.warning("Leader lock: the database connection failed (%s); trying again", error)
            await self.release()
        return self.held

    async def release(self) -> None:
        self.held = self.engine.dialect.name != "postgresql"
        if self._connection is not None:
            await close_dedicated(self._connection)  # PostgreSQL releases a session's advisory locks with it
            self._connection = None


class Scheduler:
    def __init__(
        self,
        sessionmaker: async_sessionmaker,
        i18n: I18n,
        settings: Settings,
        clock: Clock,
        delivery: Delivery,
        leader: LeaderLock | None = None,
        *,
        on_wall_clock: bool = True,
    ) -> None:
        self.sessionmaker, self.i18n, self.settings, self.clock = sessionmaker, i18n, settings, clock
        self.delivery = delivery
        # The live messages, attached by the dispatcher assembly: a vote closed on time shows its result.
        self.live: effects.LiveEditor | None = None
        # The keys of open secret ballots, the dispatcher's own (attached by the assembly, as `live`).
        self.vote_keys = VoteKeys()
        self.aps = AsyncIOScheduler(timezone=settings.tz)
        # APScheduler fires jobs by the wall clock. Production wants exactly that; a test (or a dry run) whose
        # Clock stands at another moment plans the same jobs but keeps APScheduler paused and runs what is due
        # at the Clock's moment with run_due(), so no job is dropped as "missed" whatever the date of the run.
        self.on_wall_clock = on_wall_clock
        self.leader = leader
        self.leading = False
        self._leader_seen: str | None = None  # the instance last seen leading (for the takeover's log line)
        self._standby_said = False
        self._planned: dict[int, int] = {}  # meeting id -> the start time its reminder jobs are for
        self._task: asyncio.Task | None = None
        self._stopping = asyncio.Event()
        # Jobs that fire together (a district's reminder minute) run a few at a time on PostgreSQL, within
        # the connection pool; on SQLite one at a time, in turn with the outbox's and the updates' writes
        # (db.engine.WriteTurns).
        self._writers = asyncio.Semaphore(JOBS_AT_ONCE_POSTGRESQL)

    async def start(self) -> None:
        self.aps.start(paused=not self.on_wall_clock)
        await self._check_leadership()
        if self.leader is not None and self.leader.engine.dialect.name == "postgresql":
            self._task = asyncio.create_task(self._keep_leadership(), name="leader-lock")

    async def _keep_leadership(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), LEADER_CHECK)
                return
            try:
                await self._check_leadership()
            except Exception:  # never die: the next try may succeed
                log.exception("Leader check failed")

    async def _check_leadership(self) -> None:
        leading = await self.leader.refresh() if self.leader is not None else True
        me = instance_id()
        if leading and not self.leading:
            self.leading = True
            previous, self._leader_seen = self._leader_seen, me
            if previous is not None and previous != me:
                log.warning("Scheduler: instance %s takes over the scheduled work from instance %s", me, previous)
            else:
                log.info("Scheduler: instance %s runs the scheduled work", me)
            await self._take_over()
        elif not leading and self.leading:
            self.leading = False
            log.warning("Scheduler: instance %s lost the leader lock; another instance runs the scheduled work", me)
            for job in self.aps.get_jobs():
                job.remove()
            self._planned.clear()
        elif leading:
            await self._catch_up_meetings()
        elif self.leader is not None:  # standby: say so, and who leads, whenever that changes
            try:
                holder = await lock_holder(self.leader.engine, LEADER_KEY)
            except Exception:  # the leader lock's own check says when the database is gone
                return
            if holder != self._leader_seen or not self._standby_said:
                self._leader_seen, self._standby_said = holder, True
                log.info("Scheduler: instance %s is standby; instance %s runs the scheduled work", me, holder or "?")

    async def _catch_up_meetings(self) -> None:
        """Plan the reminders of meetings announced, moved or cancelled on other instances."""
        async with self.sessionmaker() as session:
            meetings = await meetings_repo.meetings_with_status(session, (MeetingStatus.ANNOUNCED,))
            sent = frozenset(await jobs_repo.job_runs_like(session, "remind:"))
        current = {meeting.id for meeting in meetings}
        for meeting_id in [m for m in self._planned if m not in current]:
            self.drop_reminders(meeting_id)
        for meeting in meetings:
            if self._planned.get(meeting.id) != int(meeting.starts_at.timestamp()):
                self.plan_reminders(meeting, sent)
        async with self.sessionmaker() as session:
            timed = await day_repo.timed_votes(session)
        for vote in timed:  # a vote set to close on time on another instance closes here if that one dies
            if self.aps.get_job(f"vote-close:{vote.id}") is None:
                self.plan_vote_close(vote.id, vote.closes_at, nudged=vote.nudged)

    async def _take_over(self) -> None:
        async with self.sessionmaker() as session:
            meetings = await meetings_repo.meetings_with_status(session, (MeetingStatus.ANNOUNCED,))
            caught_up = await watchdog.ran_today(session, self.clock.local_now().date())
            sent = frozenset(await jobs_repo.job_runs_like(session, "remind:"))
        for meeting in meetings:
            self.plan_reminders(meeting, sent)
        await self.close_meetings_left_open()  # also after a restart: a day's meeting never stays open
        await self.close_votes_without_key()  # a secret ballot whose key the restart lost is not counted
        async with self.sessionmaker() as session:
            timed = await day_repo.timed_votes(session)
        for vote in timed:  # votes that close on time survive a restart
            self.plan_vote_close(vote.id, vote.closes_at, nudged=vote.nudged)
        self.aps.add_job(
            self.daily_check,
            "cron",
            hour=self.settings.watchdog_hour,
            minute=0,
            id="watchdog",
            replace_existing=True,
            misfire_grace_time=6 * 3600,
            coalesce=True,
        )
        if not caught_up and self.clock.local_now().hour >= self.settings.watchdog_hour:
            await self.watchdog_check()  # the bot was down at check time: today's check runs now, once
        log.info("Scheduler started: %d job(s) from %d announced meeting(s)", len(self.aps.get_jobs()), len(meetings))

    async def stop(self) -> None:
        if self._task is not None:  # let a check in progress finish: never cancel inside a database call
            self._stopping.set()
            await self._task
            self._task = None
        if self.aps.running:
            self.aps.shutdown(wait=False)
        if self.leader is not None:
            await self.leader.release()
        self.leading = False

    def plan_reminders(self, meeting: Meeting, sent: frozenset[str] = frozenset()) -> None:
        """Jobs for the reminders still to come. One missed while the bot was down runs late, once, if the
        meeting has not started yet (only the latest missed one: no "tomorrow" an hour before).
        On an instance that is not the leader, nothing: the leader plans it at its next check."""
        self.drop_reminders(meeting.id)
        if not self.leading:
            return
        self._planned[meeting.id] = int(meeting.starts_at.timestamp())
        now = self.clock.now()
        missed_one = False
        for hours in sorted(REMINDER_HOURS):
            job_id = meetings.reminder_job_id(meeting.id, meeting.starts_at, hours)
            run_at = meeting.starts_at - timedelta(hours=hours)
            if job_id in sent:
                missed_one = True  # a later reminder went out already: an earlier one would be noise
                continue
            if run_at <= now:
                if missed_one or now >= meeting.starts_at:
                    continue
                missed_one = True
                run_at = now  # late, but still before the meeting
            self.aps.add_job(
                self.remind,
                "date",
                run_date=run_at.astimezone(UTC),
                id=job_id,
                args=[meeting.id, int(meeting.starts_at.timestamp()), hours, meeting.council_id],
                replace_existing=True,
                misfire_grace_time=int(timedelta(hours=hours).total_seconds()),
                coalesce=True,
            )

    async def run_due(self) -> list[str]:
        """Run, in time order, the planned jobs due at the Clock's "now" (for a scheduler not on the wall
        clock); a one-off job is removed once run, a daily one moves to its next time. The ids run."""
        now = self.clock.now()
        ran: list[str] = []
        while True:
            due = [job for job in self.aps.get_jobs() if job.next_run_time is not None and job.next_run_time <= now]
            if not due:
                return ran
            job = min(due, key=lambda j: j.next_run_time)
            following = job.trigger.get_next_fire_time(job.next_run_time, now)
            if following is None:
                job.remove()
            else:
                job.modify(next_run_time=following)
            ran.append(job.id)
            await job.func(*job.args, **job.kwargs)

    def drop_reminders(self, meeting_id: int) -> None:
        self._planned.pop(meeting_id, None)
        for job in self.aps.get_jobs():
            if job.id.startswith(f"remind:{meeting_id}:"):
                job.remove()

    async def _after_commit(self, session: AsyncSession) -> None:
        """What a job's committed changes call for, the same as after an update (bot/runtime/after_commit.py)."""
        await after_commit.run(session, scheduler=self, live=self.live, delivery=self.delivery)

    def reminder_jobs(self, meeting_id: int) -> list[str]:
        return sorted(job.id for job in self.aps.get_jobs() if job.id.startswith(f"remind:{meeting_id}:"))

    # --- the frame every scheduled job runs in -----------------------------------------------------------

    async def _run(
        self,
        job: Attempt,
        work: Callable[[AsyncSession], Awaitable[T]],
        *,
        until: datetime | None = None,
        then: Callable[[T], None] | None = None,
        council_of: Callable[[AsyncSession], Awaitable[int | None]] | None = None,
    ) -> T | None:
        """Run one scheduled job: a session of its own (on SQLite one job writes at a time, and its
        transaction takes the write lock first: db/engine.py WRITER), the readers' locales, the commit, what
        the commit calls for, then `then(result)`. A failure is logged with the job and its council (found
        by `council_of` when the job does not know it) and the job is planned again with backoff, until it
        has done its work once or `until` has come: what it records with its effects (job_runs, a
        conditional update) makes a second run harmless. None when it failed; it never raises, so nothing
        reaches APScheduler's log.

        Its log lines carry no update's ids: APScheduler runs a job in the context of whoever woke it, often
        an update's handler that planned it (asyncio copies context variables into call_soon and tasks), and
        the bot's own work must not be logged as the chair's press. Only the job's council, once known."""
        with log_context.scope():
            return await self._run_in_frame(job, work, until=until, then=then, council_of=council_of)

    async def _run_in_frame(
        self,
        job: Attempt,
        work: Callable[[AsyncSession], Awaitable[T]],
        *,
        until: datetime | None,
        then: Callable[[T], None] | None,
        council_of: Callable[[AsyncSession], Awaitable[int | None]] | None,
    ) -> T | None:
        if job.council_id is None and council_of is not None:
            with contextlib.suppress(Exception):  # only for the log line: the job itself says what failed
                async with self.sessionmaker() as session:
                    job.council_id = await council_of(session)
        log_context.bind(council_id=job.council_id)
        try:
            # On SQLite each of its transactions waits for the process's turn to write when it begins, with its
            # connection in hand (db/engine.py WRITER).
            async with self._writers, self.sessionmaker(execution_options=WRITER) as session:
                with self.i18n.context():
                    result = await work(session)
                    await session.commit()  # the operations that leave the commit to their caller
        except Exception as error:
            self._try_again(job, error, work, until=until, then=then, council_of=council_of)
            return None
        if job.number > 1:
            log.info("Scheduled job %s (council %s) done on attempt %d", job.id, job.council, job.number)
        await self._after_commit(session)
        if then is not None:
            then(result)
        return result

    def _try_again(self, job: Attempt, error: Exception, work: Callable, **frame: object) -> None:
        # Only what went wrong, not the statement and its values (a member's name may be among them).
        reason = f"{type(error).__name__}: {error.orig}" if isinstance(error, DBAPIError) else type(error).__name__
        log.debug("Scheduled job %s failed", job.id, exc_info=error)
        delay = min(RETRY_MAX, RETRY_FIRST * 2 ** (job.number - 1)) * random.uniform(0.8, 1.2)
        run_at = self.clock.now() + timedelta(seconds=delay)
        until = frame["until"]
        if isinstance(until, datetime) and run_at >= until:
            log.error(
                "Scheduled job %s (council %s) failed on attempt %d (%s); given up: its time has passed",
                job.id,
                job.council,
                job.number,
                reason,
            )
            return
        log.warning(
            "Scheduled job %s (council %s) failed on attempt %d (%s); trying again in %.0f s",
            job.id,
            job.council,
            job.number,
            reason,
            delay,
        )
        if not self.leading:  # another instance runs the scheduled work now, and will run this
            return
        try:
            self.aps.add_job(
                self._run,
                "date",
                run_date=run_at.astimezone(UTC),
                id=job.retry_id,
                args=[job.next(), work],
                kwargs=frame,
                replace_existing=True,
                misfire_grace_time=None,  # however late: until it has done its work once
            )
        except Exception as planning_error:  # the scheduler is stopping: the next start catches up
            log.warning("Scheduled job %s not planned again (%s)", job.id, type(planning_error).__name__)

    async def daily_check(self) -> None:
        """Once a day: meetings left open are closed, then the trimester check and the year's reminders."""
        await self.close_meetings_left_open()
        await self.watchdog_check()

    async def close_meetings_left_open(self) -> None:
        """A meeting still open after its day is closed with its protocol (the operation in meeting_day.py)."""

        async def work(session: AsyncSession) -> list[Meeting]:
            return await meeting_day.close_meetings_left_open(
                session,
                keys=self.vote_keys,
                now=self.clock.now(),
                tz=self.settings.tz,
                default_locale=self.settings.default_locale,
            )

        def closed(meetings: list[Meeting]) -> None:
            if meetings:
                log.info("Closed %d meeting(s) left open after their day", len(meetings))

        await self._run(
            Attempt("close-left-open", retry_id="retry:close-left-open", all_councils=True), work, then=closed
        )

    async def watchdog_check(self) -> None:
        """cl. 7.4: the daily trimester check; warnings go out through the outbox. Then the year's reminders."""

        async def work(session: AsyncSession) -> list[watchdog.Verdict]:
            return await watchdog.daily_check(
                session,
                now=self.clock.now(),
                tz=self.settings.tz,
                default_locale=self.settings.default_locale,
                warn_days=self.settings.watchdog_warn_days,
            )

        def checked(verdicts: list[watchdog.Verdict]) -> None:
            warned = sum(1 for v in verdicts if v.stage is not None)
            log.info("Trimester check: %d council(s), %d warning(s)", len(verdicts), warned)

        await self._run(
            Attempt("watchdog-check", retry_id="retry:watchdog-check", all_councils=True), work, then=checked
        )
        await self.year_check()  # its own job: one failing does not hold up the other

    async def year_check(self) -> None:
        """The daily reminders of the year's work: planned meetings to announce (to the chair), decisions due
        (to the member responsible), late reviews, the 7.6 report's draft; temporary groups past their end go to
        the archive. Each is done once; a bot that was down catches up."""

        async def work(session: AsyncSession) -> tuple[int, int, int, int, int]:
            now, tz, default = self.clock.now(), self.settings.tz, self.settings.default_locale
            planned = 0
            for council in await watchdog.all_councils(session):
                planned += len(await plan.remind_planned(session, council, now=now, tz=tz, default_locale=default))
            due = await decisions.remind_due(session, now=now, tz=tz, default_locale=default)
            # issue 23: expert reviews late (reminded once, then the chair), the 7.6 report's draft
            late = await reviews.remind_late(session, now=now, tz=tz, default_locale=default)
            drafts = await report.draft_before_pedcouncil(session, now=now, tz=tz, default_locale=default)
            ended = await groups.archive_ended(session, now=now, tz=tz, default_locale=default)
            return planned, due, late, drafts, ended

        def reminded(counts: tuple[int, int, int, int, int]) -> None:
            log.info(
                "Year check: %d planned meeting reminder(s), %d decision reminder(s), %d late review(s), %d draft(s), "
                "%d ended group(s) archived",
                *counts,
            )

        await self._run(Attempt("year-check", retry_id="retry:year-check", all_councils=True), work, then=reminded)

    # --- votes that close on time ------------------------------------------------------------------------

    def plan_vote_close(self, vote_id: int, closes_at: datetime, *, nudged: bool = False) -> None:
        """A job to close the vote at its deadline (late, if the bot was down then), and one a minute before
        to remind those present who have not voted."""
        now = self.clock.now()
        self.aps.add_job(
            self.close_vote_on_time,
            "date",
            run_date=max(closes_at, now).astimezone(UTC),
            id=f"vote-close:{vote_id}",
            args=[vote_id],
            replace_existing=True,
            misfire_grace_time=24 * 3600,
        )
        nudge_at = closes_at - timedelta(minutes=1)
        if not nudged and nudge_at > now:
            self.aps.add_job(
                self.nudge_voters,
                "date",
                run_date=nudge_at.astimezone(UTC),
                id=f"vote-nudge:{vote_id}",
                args=[vote_id],
                replace_existing=True,
                misfire_grace_time=50,
            )

    def _council_of_vote(self, vote_id: int) -> Callable[[AsyncSession], Awaitable[int | None]]:
        async def council_of(session: AsyncSession) -> int | None:
            vote = await day_repo.get_vote(session, vote_id)
            meeting = await meetings_repo.get_meeting(session, vote.meeting_id) if vote is not None else None
            return meeting.council_id if meeting is not None else None

        return council_of

    async def nudge_voters(self, vote_id: int) -> int:
        async def work(session: AsyncSession) -> int:
            return await decisions.nudge_voters(
                session, vote_id=vote_id, now=self.clock.now(), default_locale=self.settings.default_locale
            )

        job = Attempt(f"vote-nudge:{vote_id}")
        return await self._run(job, work, council_of=self._council_of_vote(vote_id)) or 0

    async def close_vote_on_time(self, vote_id: int) -> bool:
        """The timer's close: the one closing of a vote (bot/ops/voting.py's close_once), as the Close button's."""

        async def work(session: AsyncSession) -> Vote | None:
            return await voting.close_vote_on_time(
                session,
                vote_id=vote_id,
                keys=self.vote_keys,
                now=self.clock.now(),
                default_locale=self.settings.default_locale,
            )

        def closed(vote: Vote | None) -> None:
            if vote is not None:  # its result is on the group's message, as for a vote closed by hand
                log.info("Vote %s closed on time", vote_id)

        job = Attempt(f"vote-close:{vote_id}")
        return await self._run(job, work, then=closed, council_of=self._council_of_vote(vote_id)) is not None

    async def close_votes_without_key(self) -> None:
        """At start: secret ballots left open whose key is gone close "not counted" (bot/ops/voting.py)."""

        async def work(session: AsyncSession) -> list[int]:
            return await voting.close_votes_without_key(
                session, keys=self.vote_keys, now=self.clock.now(), default_locale=self.settings.default_locale
            )

        def closed(votes: list[int]) -> None:
            if votes:
                log.warning("Closed %d secret ballot(s) not counted: their keys were lost in a restart", len(votes))

        await self._run(
            Attempt("close-without-key", retry_id="retry:close-without-key", all_councils=True), work, then=closed
        )

    async def remind(self, meeting_id: int, starts_at_ts: int, hours: int, council_id: int | None = None) -> bool:
        """Queue one reminder to the group and to each member, once; False when it no longer applies (or
        failed this time: it is tried again until the meeting starts)."""

        async def work(session: AsyncSession) -> bool:
            return await meetings.send_reminder(
                session,
                meeting_id,
                starts_at_ts,
                hours,
                now=self.clock.now(),
                tz=self.settings.tz,
                default_locale=self.settings.default_locale,
            )

        starts_at = datetime.fromtimestamp(starts_at_ts, UTC)
        job = Attempt(meetings.reminder_job_id(meeting_id, starts_at, hours), council_id)
        return await self._run(job, work, until=starts_at) is True


@dataclass
class Attempt:
    """One attempt at a scheduled job: the job's id (what it does, for which meeting or vote), its council
    (None while unknown, or for the daily checks that go over all councils), which attempt this is, and the id
    a retry is planned under (a one-off job's own id, so dropping a meeting's reminders drops their retries
    too; the daily checks' own, so the daily job stays)."""

    id: str
    council_id: int | None = None
    number: int = 1
    retry_id: str = ""
    all_councils: bool = False

    def __post_init__(self) -> None:
        self.retry_id = self.retry_id or self.id

    @property
    def council(self) -> str:
        if self.council_id is not None:
            return str(self.council_id)
        return "all" if self.all_councils else "?"

    def next(self) -> Attempt:
        return Attempt(self.id, self.council_id, self.number + 1, self.retry_id, self.all_councils)
