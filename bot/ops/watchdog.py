"""cl. 7.4: a meeting at least once a trimester. A daily check warns while a week's notice is still possible."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from bot import rules
from bot.domain import Planned
from bot.i18n import current_locale, in_locale
from bot.ops import notices, plan
from bot.ui import watchdog as ui_watchdog
from db.models import Council, MeetingStatus, OutboxMessage, WatchdogWarning
from db.repo import councils as councils_repo
from db.repo import jobs as jobs_repo
from db.repo import members as members_repo
from db.repo import watchdog as watchdog_repo
from db.repo.outbox import Kind, enqueue

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

    def warning(self) -> tuple[rules.Trimester, int] | None:
        """The warning to send today and its trimester (judge() gives a stage only within a trimester)."""
        if self.trimester is None or self.stage is None:
            return None
        return self.trimester, self.stage


def judge(
    council: Council,
    trimester: rules.Trimester | None,
    meetings: list[Row],
    sent: list[Row],
    today: date,
    tz: ZoneInfo,
    warn_days: tuple[int, ...] = rules.WARN_DAYS,
) -> Verdict:
    """One council's verdict from what judge_all loaded: its meetings (held or announced, by start: id,
    starts_at, status) and the warnings already recorded for this trimester (stage, sent_on). No queries."""
    if trimester is None:
        return Verdict(council, None, None, "no trimester today (summer)")
    for meeting in meetings:
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
    if any(w.sent_on == today for w in sent):
        return Verdict(council, trimester, None, "already warned today")
    if any(w.stage >= stage for w in sent):
        return Verdict(council, trimester, None, f"warning {stage} already sent")
    return Verdict(
        council, trimester, stage, f"no meeting in the trimester ending {trimester.end}; {left} days left to announce"
    )


async def judge_all(
    session: AsyncSession, today: date, tz: ZoneInfo, warn_days: tuple[int, ...] = rules.WARN_DAYS
) -> list[Verdict]:
    """Every council's verdict in three queries, however many councils (a district runs thousands): the
    councils, the held or announced meetings of the trimesters running today, the warnings recorded for them."""
    councils = await all_councils(session)
    calendars: dict[str | None, rules.Trimester | None] = {}  # councils mostly share a calendar
    trimesters = {}
    for council in councils:
        if council.trimesters not in calendars:
            calendars[council.trimesters] = rules.trimester_of(today, council.trimesters)
        trimesters[council.id] = calendars[council.trimesters]
    running = {trimester for trimester in trimesters.values() if trimester is not None}
    # Plain rows, not ORM objects: thousands of them cost far less to load (and to the garbage collector).
    meetings: dict[int, list[Row]] = defaultdict(list)
    sent: dict[tuple[int, date], list[Row]] = defaultdict(list)
    if running:
        # A day's margin each side for time zones; judge() checks each meeting's own council-local date.
        since = datetime.combine(min(t.start for t in running) - timedelta(days=1), time(), tz)
        until = datetime.combine(max(t.end for t in running) + timedelta(days=2), time(), tz)
        for meeting in await watchdog_repo.meetings_between(session, HELD_OR_ANNOUNCED, since, until):
            meetings[meeting.council_id].append(meeting)
        for warning in await watchdog_repo.warnings_for(session, {t.start for t in running}):
            sent[(warning.council_id, warning.trimester_start)].append(warning)
    verdicts = []
    for council in councils:
        trimester = trimesters[council.id]
        if council.paused:  # held, not dropped: resuming it sends what is still due (bot/ops/operator.py)
            verdicts.append(Verdict(council, trimester, None, "paused by the operator: its warnings are held"))
            continue
        recorded = sent[(council.id, trimester.start)] if trimester else []
        verdicts.append(judge(council, trimester, meetings[council.id], recorded, today, tz, warn_days))
    return verdicts


async def warn(
    session: AsyncSession,
    verdict: Verdict,
    today: date,
    now: datetime,
    default_locale: str,
    texts: dict[tuple, str] | None = None,
    chair_locale: str | None = None,
    planned: Planned | None = None,
) -> None:
    """Record the warning and queue it for the group and the chair, in one transaction. A meeting the annual
    plan has in that trimester (`planned`, cl. 7.3) is named under the warning.

    `texts` keeps the texts already rendered in this check: councils on one calendar get the same warning,
    and rendering it (Babel dates) for each of thousands of councils would cost most of the check's time.
    `chair_locale`, when the caller loaded it with everyone else's, saves looking the chair up."""
    warning = verdict.warning()
    if warning is None:
        raise ValueError(f"Council {verdict.council.id} has no warning due today: {verdict.reason}")
    council, (trimester, stage) = verdict.council, warning
    session.add(WatchdogWarning(council_id=council.id, trimester_start=trimester.start, stage=stage, sent_on=today))
    texts = {} if texts is None else texts

    def render() -> str:
        key = (trimester, stage, today, current_locale())
        if key not in texts:
            texts[key] = ui_watchdog.trimester_warning(trimester, stage, today)
        return ui_watchdog.warning_naming_plan(texts[key], planned)

    notices.to_group(session, council, render, kind=Kind.WARNING, now=now)
    if chair_locale is not None:
        text = in_locale(chair_locale, render)
        enqueue(session, chat_id=council.chair_id, kind=Kind.WARNING, now=now, council_id=council.id, text=text)
    else:
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
    return await councils_repo.all_councils(session)


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
    verdicts = await judge_all(session, today, tz, warn_days)
    to_warn = [(verdict, warning) for verdict in verdicts if (warning := verdict.warning()) is not None]
    languages = {}  # every chair's language, in one query
    if to_warn:
        languages = await members_repo.chair_languages(session)
    texts: dict[tuple, str] = {}
    plans = await plan.planned_by_council(session, [verdict.council.id for verdict, _warning in to_warn], today)
    for verdict, (trimester, _stage) in to_warn:
        locale = languages.get(verdict.council.chair_id) or default_locale
        days = plans.get(verdict.council.id, {})
        planned = plan.planned_between(days, trimester.start, trimester.end, today)
        await warn(session, verdict, today, now, default_locale, texts, chair_locale=locale, planned=planned)
    await watchdog_repo.insert_in_bulk(session, WatchdogWarning, OutboxMessage)
    run = await jobs_repo.job_run(session, JOB)
    if run is None:
        jobs_repo.add_job_run(session, JOB, today)
    else:
        run.last_day = today
    await session.commit()
    return verdicts


async def ran_today(session: AsyncSession, today: date) -> bool:
    run = await jobs_repo.job_run(session, JOB)
    return run is not None and run.last_day >= today


async def dry_run(
    session: AsyncSession, *, now: datetime, tz: ZoneInfo, warn_days: tuple[int, ...] = rules.WARN_DAYS
) -> list[Verdict]:
    return await judge_all(session, now.astimezone(tz).date(), tz, warn_days)
