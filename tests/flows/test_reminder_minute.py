"""A district's reminder minute loses nothing: a scheduled job that fails is logged with the job and the council
and tried again with backoff until it has done its work once; the outbox keeps the bot's pace under Telegram's
limit (the stand-in enforcing it), and a person's command is still answered at once meanwhile.

The failures are real: the database locked by another writer past the busy timeout (SQLite) or the lock
timeout (PostgreSQL), then the database away (its directory gone; PostgreSQL refusing connections)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from aiogram.types import Update
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.runtime.outbox import SENDS_AT_ONCE, Delivery, Pace, SharedPace
from db.engine import create_engine, migrate
from db.models import JobRun, OutboxMessage, OutboxStatus, Vote
from db.repo.outbox import Kind, enqueue
from tests.botapi import Limits
from tests.conftest import NOW, TEST_DATABASE_URL, scratch_database, seed_council
from tests.flows.test_agenda import _publish
from tests.flows.test_vote_timer import vote  # noqa: F401  (the fixture)


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """SQLite in a directory of its own, so the test can take the database away (and bring it back)."""
    (tmp_path / "db").mkdir()
    async with scratch_database(tmp_path / "db") as url:
        yield url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The flow's engine, waiting only a moment for a lock held elsewhere (5 s in production)."""
    if database_url.startswith("postgresql"):
        database = make_url(database_url).database
        admin = create_async_engine(database_url, isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            await connection.execute(text(f"ALTER DATABASE \"{database}\" SET lock_timeout = '300ms'"))
        await admin.dispose()
    engine = create_engine(database_url, busy_timeout_ms=300)
    await migrate(engine)
    yield engine
    await engine.dispose()


@asynccontextmanager
async def database_locked(engine: AsyncEngine, table: str = "meetings") -> AsyncIterator[None]:
    """Another connection holds the write lock (SQLite) or a table the job needs (PostgreSQL) meanwhile."""
    if engine.dialect.name == "sqlite":
        holder = sqlite3.connect(str(engine.url.database), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    other = create_async_engine(engine.url)
    try:
        async with other.connect() as connection:
            await connection.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
            yield
            await connection.rollback()
    finally:
        await other.dispose()


@asynccontextmanager
async def database_away(engine: AsyncEngine) -> AsyncIterator[None]:
    """The database cannot be reached meanwhile: SQLite's directory is gone (an unmounted volume); PostgreSQL
    refuses new connections and has closed the bot's (all but the scheduler's leader lock)."""
    await engine.dispose()
    if engine.dialect.name == "sqlite":
        folder = Path(str(engine.url.database)).parent
        folder.rename(folder.with_name("db-away"))
        try:
            yield
        finally:
            folder.with_name("db-away").rename(folder)
        return
    database = engine.url.database
    admin = create_async_engine(make_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false'))
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :database AND pid NOT IN "
                    "(SELECT pid FROM pg_locks WHERE locktype = 'advisory')"
                ),
                {"database": database},
            )
        yield
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true'))
        await admin.dispose()


def failures(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("Scheduled job")]


@pytest.fixture
async def council(flow):
    return await seed_council(flow, members=5, participants=1)


async def test_a_reminder_that_fails_twice_goes_out_once_after(flow, council, caplog):
    caplog.set_level(logging.INFO, logger="bot.runtime.scheduler")
    meeting = await _publish(flow, council)
    starts_at = int(meeting.starts_at.timestamp())
    day_before, hour_before = f"remind:{meeting.id}:{starts_at}:24", f"remind:{meeting.id}:{starts_at}:1"
    before = len(flow.api.outbox)
    flow.clock.advance(meeting.starts_at - timedelta(hours=24) - flow.clock.now())
    engine = flow.sessionmaker.kw["bind"]

    async with database_locked(engine):
        assert await flow.scheduler.run_due() == [day_before]  # fails, and is planned again
    (locked,) = failures(caplog)
    assert locked.startswith(f"Scheduled job {day_before} (council {council.id}) failed on attempt 1 (")
    assert "database is locked" in locked or "lock timeout" in locked
    retry = flow.scheduler.aps.get_job(day_before)
    assert retry is not None and timedelta(seconds=8) <= retry.next_run_time - flow.clock.now() <= timedelta(seconds=12)
    assert await flow.scheduler.run_due() == []  # not before its time

    flow.clock.advance(timedelta(minutes=1))
    async with database_away(engine):
        assert await flow.scheduler.run_due() == [day_before]  # fails again, later again
    assert failures(caplog)[1].startswith(f"Scheduled job {day_before} (council {council.id}) failed on attempt 2 (")
    assert flow.api.outbox[before:] == [] and await flow.rows(JobRun, JobRun.name == day_before) == []

    flow.clock.advance(timedelta(minutes=1))
    assert await flow.scheduler.run_due() == [day_before]
    await flow.delivery.drain()
    assert failures(caplog)[2] == f"Scheduled job {day_before} (council {council.id}) done on attempt 3"
    sent = flow.api.outbox[before:]
    everyone = [council.group.id, *(person.id for person in council.people)]
    assert Counter(m.chat_id for m in sent) == Counter(everyone)  # the group and each member, once
    assert "Эскертме" in sent[0].text and "Напоминание" in sent[0].text
    rows = await flow.rows(OutboxMessage, OutboxMessage.kind == Kind.REMINDER)
    assert sorted(r.chat_id for r in rows) == sorted(everyone) and {r.status for r in rows} == {OutboxStatus.SENT}
    assert len(await flow.rows(JobRun, JobRun.name == day_before)) == 1
    assert flow.scheduler.reminder_jobs(meeting.id) == [hour_before]  # nothing left to retry
    assert not flow.errors.records  # nothing at ERROR, nothing unhandled


async def test_a_vote_timer_that_fails_closes_the_vote_on_its_next_attempt(flow, vote, caplog):  # noqa: F811
    await flow.press(vote.chair, vote.message, "⏱ 2")
    (row,) = await flow.rows(Vote)
    flow.clock.advance(timedelta(minutes=2))
    async with database_locked(flow.sessionmaker.kw["bind"], "ballots"):
        assert not await flow.scheduler.close_vote_on_time(row.id)
    assert failures(caplog)[-1].startswith(f"Scheduled job vote-close:{row.id} (council {vote.id}) failed on attempt 1")
    assert (await flow.rows(Vote))[0].is_open
    flow.clock.advance(timedelta(minutes=1))
    assert f"vote-close:{row.id}" in await flow.scheduler.run_due()
    await flow.delivery.drain()
    (row,) = await flow.rows(Vote)
    assert not row.is_open and row.votes_for == 3 and "Итог: принято." in vote.message.text
    assert not flow.errors.records


async def test_the_outbox_keeps_the_bots_pace_and_a_person_is_answered_at_once_meanwhile(flow, redis, redis_prefix):
    flow.api.limits = Limits()  # Telegram's: 30 a second in all, one a second a chat, 20 a minute a group
    people = [flow.api.person(2000 + n, f"Мугалим{n}") for n in range(100)]
    flow.api.started.update(person.id for person in people)
    async with flow.sessionmaker() as session:
        for n, person in enumerate(people):
            enqueue(session, chat_id=person.id, kind=Kind.REMINDER, now=NOW, text=f"Эскертме {n}")
        await session.commit()
    pace = Pace(per_second=25)
    shared = SharedPace(redis, redis_prefix, pace) if redis is not None else None
    paced = Delivery(
        flow.bot, flow.sessionmaker, flow.clock, flow.delivery.i18n, pace, shared, sends_at_once=SENDS_AT_ONCE
    )
    asker = flow.api.person(3000, "Айбек", language_code="ru")

    sending = asyncio.create_task(paced.drain(within=20))
    answered_in = []
    for _ in range(4):  # a person's commands while the queue goes out: answered at once, not after it
        await asyncio.sleep(0.5)
        asked, count = time.monotonic(), len(flow.api.sent_to(asker.id))
        update = flow.api.message_update(asker, asker.private_chat, "/help")
        await flow.dp.feed_update(flow.bot, Update.model_validate(update, context={"bot": flow.bot}))
        answered_in.append(flow.api.sent_to(asker.id)[count].at - asked)
    await sending

    assert max(answered_in) < 1.0
    assert Counter(m.chat_id for m in flow.api.outbox if m.chat_id != asker.id) == Counter(p.id for p in people)
    assert flow.api.refused_429() == 0  # Telegram never had to say "too many"
    times = sorted(m.at for m in flow.api.outbox)
    busiest_second = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest_second <= 28  # 25 a second, and a burst of 2.5: under Telegram's 30
    queued = sorted(m.at for m in flow.api.outbox if m.chat_id != asker.id)
    rate = (len(queued) - 1) / (queued[-1] - queued[0])
    assert 22.5 <= rate <= 26  # at the set rate (90 % of it at least), not past it
