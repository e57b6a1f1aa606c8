"""Sizing, measured: what one instance holds in memory, and what a school year of one council leaves on disk.

    .venv/bin/python scripts/bench_sizing.py [--part memory|year|all] [--members 500]

memory: resident memory (VmRSS) of `python -m bot` polling the Bot API stand-in over HTTP (tests/botapi.py):
        idle, then during and after the vote benchmark's burst (scripts/bench_votes.py: every member of an open
        vote presses at one moment); VmHWM is the peak.
year:   one council of 30 members through a simulated school year, in process, through the real Dispatcher
        and the stand-in (as the flow tests drive it): 9 monthly meetings announced 8 days ahead with 4 items,
        reminders, 25 present, 4 votes each (one secret), the protocol issued; 2 materials a month of 300 KB
        each (distinct files); the plan's and decisions' daily checks. Prints the SQLite file's size and the
        archive's (STORAGE_DIR) after each trimester and at the end of the year.
A script that prints figures, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import bench_votes  # noqa: E402
from bench_memory import rss_mb  # noqa: E402

from tests.botapi import BotAPI  # noqa: E402

BISHKEK = ZoneInfo("Asia/Bishkek")


def status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for {pid}")


async def memory(members: int) -> None:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        async with bench_votes.Database("sqlite", tmp) as url:
            vote_id = await bench_votes.seed(url, members)
            api = bench_votes.TimedAPI()
            await api.start()
            try:
                env = bench_votes.environment(api, url, tmp)
                process = await bench_votes.start(api, [sys.executable, "-m", "bot"], env, tmp, tmp / "kenesh.log")
                try:
                    await asyncio.sleep(5.0)
                    idle = rss_mb(process.pid)
                    burst = asyncio.create_task(bench_votes.press_all(api, members, vote_id))
                    during = idle
                    while not burst.done():
                        during = max(during, rss_mb(process.pid))
                        await asyncio.sleep(0.02)
                    figures, _ = burst.result()
                    await asyncio.sleep(3.0)
                    after, peak = rss_mb(process.pid), status_mb(process.pid, "VmHWM")
                finally:
                    await bench_votes.stop(process)
            finally:
                await api.stop()
    print(f"one instance, SQLite, polling (python -m bot), {members} members pressing one vote at once:")
    print(f"  idle:                 {idle:6.1f} MB resident")
    print(f"  during the burst:     {during:6.1f} MB (sampled every 20 ms), peak {peak:.1f} MB (VmHWM)")
    print(f"  3 s after the burst:  {after:6.1f} MB; {figures.presses} presses answered in {figures.elapsed:.2f} s")


def move(clock, when: datetime) -> None:  # a FixedClock
    clock.advance(when - clock.now())


def sqlite_mb(path: Path) -> float:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20


def tree_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


async def year(members: int = 30) -> None:
    from bot.app import create_bot, create_dispatcher, create_storage
    from bot.clock import FixedClock
    from bot.i18n import create_i18n
    from bot.runtime.live import LiveMessages
    from bot.runtime.outbox import Delivery, Pace
    from bot.runtime.scheduler import LeaderLock, Scheduler
    from db.engine import create_engine, make_sessionmaker, migrate
    from tests import conftest

    async def submit(flow, person, content: bytes, name: str, title: str) -> None:
        """A Russian reader sends a file and answers the four questions (tests/flows/test_materials.py)."""
        await flow.feed(flow.api.document_update(person, content, name))
        await flow.say(person, person, title)
        await flow.press(person, flow.api.last_to(person.id), "План урока")
        await flow.say(person, person, "Математика")
        await flow.press(person, flow.api.last_to(person.id), "Пропустить")

    from tests.flows.test_meeting import mark_present, open_meeting, post_vote

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        api = BotAPI()
        await api.start()
        database = tmp / "kenesh.db"
        engine = create_engine(f"sqlite+aiosqlite:///{database}")
        await migrate(engine)
        settings = conftest.make_settings(
            api, engine, storage_dir=tmp / "files", max_presses_per_second=1000, max_submissions_per_day=100
        )
        sessionmaker = make_sessionmaker(engine)
        clock = FixedClock(BISHKEK, datetime(2026, 8, 25, 10, 0, tzinfo=BISHKEK))
        i18n = create_i18n(settings.default_locale)
        bot = create_bot(settings)
        live = LiveMessages(bot, sessionmaker, i18n)
        delivery = Delivery(bot, sessionmaker, clock, i18n, pace=Pace(per_chat_burst=100000))
        scheduler = Scheduler(
            sessionmaker, i18n, settings, clock, delivery, leader=LeaderLock(engine), on_wall_clock=False
        )
        await scheduler.start()
        storage, isolation = create_storage(settings, sessionmaker, None)
        dp = create_dispatcher(
            settings,
            sessionmaker,
            clock,
            i18n,
            live=live,
            scheduler=scheduler,
            delivery=delivery,
            storage=storage,
            events_isolation=isolation,
        )
        flow = conftest.Flow(api, bot, dp, sessionmaker, clock, settings)
        flow.live, flow.scheduler, flow.delivery = live, scheduler, delivery
        try:
            council = await conftest.seed_council(flow, members=members)
            await flow.say(council.chair, council.chair, "/start")
            council.voters = council.people
            print(f"one council of {members} members through a school year (SQLite, in process):")
            print(f"  at the start:  database {sqlite_mb(database):6.2f} MB, archive {tree_mb(tmp / 'files'):6.2f} MB")
            sent_files = 0
            for month in range(9):  # September .. May: a meeting on the 25th, announced on the 17th
                day = datetime(2026 + (month + 8) // 12, (month + 8) % 12 + 1, 25, 15, 0, tzinfo=BISHKEK)
                move(clock, day - timedelta(days=8, hours=5))
                await scheduler.run_due()
                readers_ru = council.people[2::2]  # the helper answers the questions in Russian
                for author in readers_ru[(2 * month) % len(readers_ru) :][:2]:  # two materials a month
                    content = b"%PDF-1.4 " + os.urandom(300 * 1024)
                    sent_files += 1
                    await submit(flow, author, content, f"material-{sent_files}.pdf", f"Иштеп чыгуу {sent_files}")
                items = "".join(f"\n{n}. Маселе {n} — Баяндамачы {n}" for n in range(1, 5))
                (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day:%d.%m.%Y} 15:00{items}")
                await flow.press(council.chair, preview, "Опубликовать")
                for hours in (24, 1):  # the reminders
                    move(clock, day - timedelta(hours=hours))
                    await scheduler.run_due()
                    await delivery.drain()
                move(clock, day)
                attendance = await open_meeting(flow, council)
                await mark_present(flow, council, attendance, council.people[:25])
                for n in range(1, 5):
                    command = "/secretvote" if n == 4 else "/vote"
                    vote = await post_vote(flow, council, f"{command} {n} Чечим {n}: бекитилсин")
                    for person in council.people[:25]:
                        await flow.press(person, vote, "Макул" if person.id % 5 else "Каршы")
                    await flow.press(council.chair, vote, "Добушту жабуу")
                await flow.say(council.chair, council.group, "/close")
                if month in (2, 5, 8):
                    trimester = {2: "after the 1st trimester", 5: "after the 2nd", 8: "at the end of the year"}[month]
                    print(
                        f"  {trimester:<22} database {sqlite_mb(database):6.2f} MB, archive "
                        f"{tree_mb(tmp / 'files'):6.2f} MB ({sent_files} materials of 300 KB)"
                    )
            with sqlite3.connect(database) as raw:
                count = {
                    table: raw.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                    for table in ("issued_protocols", "votes", "attendance", "outbox", "materials", "audit_log")
                }
            raw.close()
            closed = count["issued_protocols"]
            print(
                f"  the year held: {closed} meetings closed with their protocols, {count['votes']} votes, "
                f"{count['attendance']} presences, {count['materials']} materials, {count['outbox']} posts sent "
                f"through the outbox, {count['audit_log']} log entries"
            )
            if closed != 9 or count["materials"] != 18:
                raise SystemExit("the simulated year did not run as planned")
        finally:
            await scheduler.stop()
            await bot.session.close()
            await api.stop()
            await engine.dispose()
            for router in dp.chain_tail:  # the handler routers, for the next Dispatcher
                router._parent_router = None


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("memory", "year", "all"), default="all")
    parser.add_argument("--members", type=int, default=500, help="members pressing at once (memory)")
    args = parser.parse_args()
    if args.part in ("memory", "all"):
        await memory(args.members)
    if args.part in ("year", "all"):
        await year()


if __name__ == "__main__":
    asyncio.run(main())
