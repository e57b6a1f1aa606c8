"""cl. 7.4: a meeting at least once a trimester. A daily check warns while a week's notice is still possible."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import notices, rules
from bot.i18n import fmt_long_date
from bot.outbox import Kind
from db import repo
from db.models import Council, JobRun, MeetingStatus, WatchdogWarning

log = logging.getLogger(__name__)

HELD_OR_ANNOUNCED = (MeetingStatus.ANNOUNCED, MeetingStatus.OPEN, MeetingStatus.CLOSED)
JOB = "watchdog"


@dataclass(frozen=True)
class Verdict:
    """What the check decides for one council today, and why (printed by `watchdog --dry-run`)."""

    council: Council
    trimester: rules.Trimester | None
    stage: int | None  # the warning to send today, or None
    reason: str


async def judge(
    session: AsyncSession, council: Council, today: date, tz: ZoneInfo, warn_days: tuple[int, ...] = rules.WARN_DAYS
) -> Verdict:
    trimester = rules.trimester_of(today, council.trimesters)
    if trimester is None:
        return Verdict(council, None, None, "no trimester today (summer)")
    for meeting in await repo.council_meetings(session, council.id, HELD_OR_ANNOUNCED):
        if meeting.starts_at.astimezone(tz).date() in trimester:
            return Verdict(
                council,
                trimester,
                None,
                f"meeting {meeting.id} on {meeting.starts_at.astimezone(tz):%Y-%m-%d} is {meeting.status}",
            )
    stage = rules.watchdog_stage(today, trimester, warn_days)
    left = (trimester.last_announce_day - today).days
    if stage is None:
        return Verdict(
            council,
            trimester,
            None,
            f"{left} days left to announce (until {trimester.last_announce_day}); "
            f"the first warning comes at {max(warn_days)}",
        )
    sent = (
        await session.scalars(
            select(WatchdogWarning).where(
                WatchdogWarning.council_id == council.id, WatchdogWarning.trimester_start == trimester.start
            )
        )
    ).all()
    if any(w.sent_on == today for w in sent):
        return Verdict(council, trimester, None, "already warned today")
    if any(w.stage >= stage for w in sent):
        return Verdict(council, trimester, None, f"warning {stage} already sent")
    return Verdict(
        council, trimester, stage, f"no meeting in the trimester ending {trimester.end}; {left} days left to announce"
    )


def warning_text(trimester: rules.Trimester, stage: int, today: date) -> str:
    last, end = fmt_long_date(trimester.last_announce_day), fmt_long_date(trimester.end)
    if stage >= rules.TOO_LATE or today > trimester.last_announce_day:
        return _(
            "<b>Warning (regulation, cl. 7.4).</b> The council has held no meeting this trimester, and the last "
            "day to announce one with 7 days' notice ({last}) has passed: a meeting before the trimester ends "
            "on {end} can no longer have a week's notice."
        ).format(last=last, end=end)
    left = (trimester.last_announce_day - today).days
    if left == 0:
        return _(
            "<b>Warning (regulation, cl. 7.4).</b> No meeting of the council is announced this trimester. "
            "Today, {last}, is the last day to announce one with 7 days' notice; the trimester ends on {end}. "
            "The chair announces a meeting with /agenda."
        ).format(last=last, end=end)
    return _(
        "<b>Warning (regulation, cl. 7.4).</b> No meeting of the council is announced this trimester, which "
        "ends on {end}. The last day to announce one with 7 days' notice is {last} ({days} left). "
        "The chair announces a meeting with /agenda."
    ).format(last=last, end=end, days=_("{count} day", "{count} days", left).format(count=left))


async def warn(session: AsyncSession, verdict: Verdict, today: date, now: datetime, default_locale: str) -> None:
    """Record the warning and queue it for the group and the chair, in one transaction."""
    council, trimester, stage = verdict.council, verdict.trimester, verdict.stage
    session.add(WatchdogWarning(council_id=council.id, trimester_start=trimester.start, stage=stage, sent_on=today))
    from bot import plan, year_texts

    planned = await plan.planned_in(session, council, trimester.start, trimester.end, today)

    def render() -> str:  # in each reader's language
        note = "\n" + year_texts.planned_in_warning(planned) if planned else ""
        return warning_text(trimester, stage, today) + note

    notices.to_group(session, council, render, kind=Kind.WARNING, now=now)
    await notices.to_person(
        session,
        council.chair_id,
        render,
        kind=Kind.WARNING,
        now=now,
        default_locale=default_locale,
        council_id=council.id,
    )
    log.info("Council %s: trimester warning %s (%s)", council.id, stage, verdict.reason)


async def all_councils(session: AsyncSession) -> list[Council]:
    return list((await session.scalars(select(Council).order_by(Council.id))).all())


async def daily_check(
    session: AsyncSession,
    *,
    now: datetime,
    tz: ZoneInfo,
    default_locale: str,
    warn_days: tuple[int, ...] = rules.WARN_DAYS,
) -> list[Verdict]:
    """Run once a day (and at start if today's run was missed): at most one warning per council per day."""
    today = now.astimezone(tz).date()
    verdicts = []
    for council in await all_councils(session):
        verdict = await judge(session, council, today, tz, warn_days)
        if verdict.stage is not None:
            await warn(session, verdict, today, now, default_locale)
        verdicts.append(verdict)
    run = await session.get(JobRun, JOB)
    if run is None:
        session.add(JobRun(name=JOB, last_day=today))
    else:
        run.last_day = today
    await session.commit()
    return verdicts


async def ran_today(session: AsyncSession, today: date) -> bool:
    run = await session.get(JobRun, JOB)
    return run is not None and run.last_day >= today


async def dry_run(
    session: AsyncSession, *, now: datetime, tz: ZoneInfo, warn_days: tuple[int, ...] = rules.WARN_DAYS
) -> list[Verdict]:
    today = now.astimezone(tz).date()
    return [await judge(session, council, today, tz, warn_days) for council in await all_councils(session)]
