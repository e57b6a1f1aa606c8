"""Benchmark the vote button (the hot path) against a bare aiogram bot that only answers.

    .venv/bin/python scripts/bench_votes.py [members]

Both bots answer over HTTP to the Bot API stand-in (tests/botapi.py) on loopback; Kenesh runs with its real
middlewares and a migrated SQLite database. Every member presses once, all at the same moment. Prints
presses per second and the latency from a press to its answer (p50, p95, max). A script, not a test.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiogram import Dispatcher, F  # noqa: E402
from aiogram.types import CallbackQuery, Update  # noqa: E402

from bot.app import create_bot, create_dispatcher  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.i18n import create_i18n  # noqa: E402
from bot.runtime.live import LiveMessages  # noqa: E402
from bot.runtime.outbox import Delivery  # noqa: E402
from bot.runtime.scheduler import Scheduler  # noqa: E402
from db.engine import create_engine, make_sessionmaker, migrate  # noqa: E402
from db.models import (  # noqa: E402
    Attendance,
    Council,
    Meeting,
    MeetingStatus,
    Member,
    MemberStatus,
    Role,
    RosterEntry,
    User,
    Vote,
)
from tests.botapi import BotAPI, Sent  # noqa: E402

TOKEN = "123456:BENCH"


async def seed(sessionmaker, members: int, now: datetime) -> tuple[int, int]:  # noqa: ANN001
    async with sessionmaker() as session:
        session.add(User(id=1, language="ky", created_at=now))
        await session.flush()
        council = Council(chat_id=-100, title="Bench", join_code="bench", chair_id=1, created_at=now)
        session.add(council)
        await session.flush()
        meeting = Meeting(council_id=council.id, starts_at=now, status=MeetingStatus.OPEN, created_by=1, created_at=now)
        session.add(meeting)
        await session.flush()
        for n in range(1, members + 1):
            if n > 1:
                session.add(User(id=n, language="ru", created_at=now))
                await session.flush()
            member = Member(
                council_id=council.id,
                user_id=n,
                full_name=f"Member {n}",
                role=Role.CHAIR if n == 1 else Role.TEACHER,
                status=MemberStatus.APPROVED,
                applied_at=now,
            )
            session.add(member)
            await session.flush()
            session.add(Attendance(meeting_id=meeting.id, member_id=member.id, marked_by=1, marked_at=now))
            session.add(RosterEntry(meeting_id=meeting.id, member_id=member.id, full_name=member.full_name))
        vote = Vote(meeting_id=meeting.id, decision="Bench", secret=False, is_open=True, opened_at=now, message_id=1)
        session.add(vote)
        await session.commit()
        return meeting.id, vote.id


async def press_all(api: BotAPI, dp: Dispatcher, bot, vote_id: int, members: int) -> list[float]:  # noqa: ANN001
    message = Sent(-100, 1, "Bench", "Bench", None, "sendMessage")
    choices = ["for", "against", "abstain"]
    updates = []
    for n in range(1, members + 1):
        person = api.person(n, f"M{n}", None, "ru")
        updates.append(
            Update.model_validate(
                api.callback_update(person, message, f"v:{vote_id}:{choices[n % 3]}"), context={"bot": bot}
            )
        )
    latencies: list[float] = []

    async def one(update: Update) -> None:
        start = time.perf_counter()
        await dp.feed_update(bot, update)
        latencies.append(time.perf_counter() - start)

    await asyncio.gather(*(one(u) for u in updates))
    return latencies


def report(name: str, latencies: list[float], elapsed: float) -> None:
    ordered = sorted(latencies)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"{name:>8}: {len(latencies)} presses in {elapsed:.2f} s = {len(latencies) / elapsed:7.1f}/s; "
        f"answer latency p50 {statistics.median(ordered) * 1000:6.1f} ms, p95 {p95 * 1000:6.1f} ms, "
        f"max {ordered[-1] * 1000:6.1f} ms"
    )


async def main(members: int) -> None:
    api = BotAPI()
    await api.start()
    api.group(-100, "Bench")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None,
            bot_token=TOKEN,
            telegram_api_url=api.base_url,
            database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
            storage_dir=Path(tmp) / "files",
        )
        engine = create_engine(settings.database_url)
        await migrate(engine)
        sessionmaker = make_sessionmaker(engine)
        now = datetime.now(UTC)
        _meeting_id, vote_id = await seed(sessionmaker, members, now)
        clock = FixedClock(settings.tz, now + timedelta(minutes=1))
        i18n = create_i18n("ky")
        bot = create_bot(settings)
        live = LiveMessages(bot, sessionmaker, i18n)
        delivery = Delivery(bot, sessionmaker, clock, i18n)
        scheduler = Scheduler(sessionmaker, i18n, settings, clock, delivery)
        dp = create_dispatcher(settings, sessionmaker, clock, i18n, live=live, scheduler=scheduler, delivery=delivery)

        bare = Dispatcher()

        @bare.callback_query(F.data)
        async def answer_only(call: CallbackQuery) -> None:
            await call.answer("ok")

        start = time.perf_counter()
        bare_latencies = await press_all(api, bare, bot, vote_id, members)
        report("bare", bare_latencies, time.perf_counter() - start)
        start = time.perf_counter()
        kenesh_latencies = await press_all(api, dp, bot, vote_id, members)
        report("kenesh", kenesh_latencies, time.perf_counter() - start)
        async with sessionmaker() as session:
            from sqlalchemy import func, select

            from db.models import Ballot

            stored = await session.scalar(select(func.count()).select_from(Ballot))
        print(f"ballots stored: {stored} of {members}; answers refused by the stand-in: {len(api.errors)}")
        await bot.session.close()
        await engine.dispose()
    await api.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
