"""APScheduler jobs, derived from the database at start (nothing pickled): meeting reminders.

A reminder is keyed by meeting *and* start time, and checks both when it fires, so after a reschedule the
reminders for the old time never go out, even if a job for it were somehow left behind.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot import meeting_texts, notices, protocol, watchdog
from bot.clock import Clock
from bot.config import Settings
from bot.outbox import Delivery, Kind
from db import repo
from db.models import JobRun, Meeting, MeetingStatus

log = logging.getLogger(__name__)

REMINDER_HOURS = (24, 1)  # one day before and one hour before, in council time


def reminder_job_id(meeting_id: int, starts_at: datetime, hours: int) -> str:
    return f"remind:{meeting_id}:{int(starts_at.timestamp())}:{hours}"


class Scheduler:
    def __init__(
        self, sessionmaker: async_sessionmaker, i18n: I18n, settings: Settings, clock: Clock, delivery: Delivery
    ) -> None:
        self.sessionmaker, self.i18n, self.settings, self.clock = sessionmaker, i18n, settings, clock
        self.delivery = delivery
        self.aps = AsyncIOScheduler(timezone=settings.tz)

    async def start(self) -> None:
        self.aps.start()
        async with self.sessionmaker() as session:
            meetings = await repo.meetings_with_status(session, (MeetingStatus.ANNOUNCED,))
            caught_up = await watchdog.ran_today(session, self.clock.local_now().date())
            sent = frozenset(await repo.job_runs_like(session, "remind:"))
        for meeting in meetings:
            self.plan_reminders(meeting, sent)
        await self.close_meetings_left_open()  # also after a restart: a day's meeting never stays open
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
        if self.aps.running:
            self.aps.shutdown(wait=False)

    def plan_reminders(self, meeting: Meeting, sent: frozenset[str] = frozenset()) -> None:
        """Jobs for the reminders still to come. One missed while the bot was down runs late, once, if the
        meeting has not started yet (only the latest missed one: no "tomorrow" an hour before)."""
        self.drop_reminders(meeting.id)
        now = self.clock.now()
        missed_one = False
        for hours in sorted(REMINDER_HOURS):
            job_id = reminder_job_id(meeting.id, meeting.starts_at, hours)
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
                args=[meeting.id, int(meeting.starts_at.timestamp()), hours],
                replace_existing=True,
                misfire_grace_time=int(timedelta(hours=hours).total_seconds()),
                coalesce=True,
            )

    def drop_reminders(self, meeting_id: int) -> None:
        for job in self.aps.get_jobs():
            if job.id.startswith(f"remind:{meeting_id}:"):
                job.remove()

    def reminder_jobs(self, meeting_id: int) -> list[str]:
        return sorted(job.id for job in self.aps.get_jobs() if job.id.startswith(f"remind:{meeting_id}:"))

    async def daily_check(self) -> None:
        """Once a day: meetings left open are closed, then the trimester check."""
        await self.close_meetings_left_open()
        await self.watchdog_check()

    async def close_meetings_left_open(self) -> None:
        """A meeting still open after its day is closed with its protocol (the operation in protocol.py)."""
        try:
            async with self.sessionmaker() as session:
                with self.i18n.context():
                    closed = await protocol.close_meetings_left_open(
                        session, now=self.clock.now(), tz=self.settings.tz, default_locale=self.settings.default_locale
                    )
        except Exception:  # logged; tried again at the next daily check or start
            log.exception("Closing meetings left open failed")
            return
        if closed:
            log.info("Closed %d meeting(s) left open after their day", len(closed))
            self.delivery.wake()

    async def watchdog_check(self) -> None:
        """cl. 7.4: the daily trimester check; warnings go out through the outbox."""
        try:
            async with self.sessionmaker() as session:
                with self.i18n.context():
                    verdicts = await watchdog.daily_check(
                        session,
                        now=self.clock.now(),
                        tz=self.settings.tz,
                        default_locale=self.settings.default_locale,
                        warn_days=self.settings.watchdog_warn_days,
                    )
        except Exception:  # a failed check is logged and tried again tomorrow (or at the next start)
            log.exception("Trimester check failed")
            return
        warned = sum(1 for v in verdicts if v.stage is not None)
        log.info("Trimester check: %d council(s), %d warning(s)", len(verdicts), warned)
        self.delivery.wake()

    async def remind(self, meeting_id: int, starts_at_ts: int, hours: int) -> bool:
        """Queue one reminder to the group and to each member, once; False when it no longer applies."""
        async with self.sessionmaker() as session:
            meeting = await repo.get_meeting(session, meeting_id)
            if (
                meeting is None
                or meeting.status is not MeetingStatus.ANNOUNCED
                or int(meeting.starts_at.timestamp()) != starts_at_ts
            ):
                log.info("Reminder for meeting %s at %s dropped: the meeting changed", meeting_id, starts_at_ts)
                return False
            job_id = reminder_job_id(meeting.id, meeting.starts_at, hours)
            if await session.get(JobRun, job_id) is not None:
                return False  # sent before a restart
            council = await repo.get_council(session, meeting.council_id)
            items = await repo.meeting_items(session, meeting.id)
            tz, now = self.settings.tz, self.clock.now()
            with self.i18n.context():
                await notices.to_group_and_members(
                    session,
                    council,
                    lambda: meeting_texts.reminder(meeting, items, tz, now),
                    kind=Kind.REMINDER,
                    now=now,
                    default_locale=self.settings.default_locale,
                )
            session.add(JobRun(name=job_id, last_day=now.astimezone(tz).date()))  # with the posts: once
            await session.commit()
        self.delivery.wake()
        return True
