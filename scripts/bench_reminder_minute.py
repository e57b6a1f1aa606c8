"""A district's reminder minute, through the real process, against a Bot API stand-in that enforces Telegram's limits.

    .venv/bin/python scripts/bench_reminder_minute.py                    # SQLite, 100 councils x 31, one instance
    .venv/bin/python scripts/bench_reminder_minute.py --db pg            # PostgreSQL + Redis, 500 x 31, two instances
    .venv/bin/python scripts/bench_reminder_minute.py --councils 20 --members 10   # a quick look

`councils` councils of `members` approved members each (the chair among them) are written straight into a fresh
database (a SQLite file in a temporary directory, or a new PostgreSQL database on 127.0.0.1:5432 dropped after),
each with a meeting announced for tomorrow at the same minute, so their day-before reminders all fall due at one
moment a little after the bot has started. Then `python -m bot` runs on the wall clock as in production (one
polling process on SQLite; on PostgreSQL `--instances` webhook processes sharing Redis, one of which leads the
scheduled work) against the stand-in (tests/botapi.py) with Telegram's limits on: about one message a second to
a chat (a burst of 3), 20 a minute to a group, 30 a second in all, 429 with retry_after beyond. At the minute
the reminder jobs fire together and queue a reminder to every group and every member; the outbox sends them at
MAX_SENDS_PER_SECOND (`--rate`, default 25). Meanwhile a person outside the councils, every two seconds in
turn, sends /help or presses a language button (a press that writes): the answers show whether the bot still
answers people at once while the queue goes out.

Printed: delivered / expected (each group and each member once), chats that got two, the delivered rate (from
the first reminder to the last) against the set rate and per 10 s, the share of send calls answered 429, how
long the person waited for the answers, failed and retried jobs in the bots' logs, the machine's load; and a
README table row. Targets: every message delivered once, no chat twice, rate >= 90 % of the set rate, 429 < 1 %
of send calls.
A script that prints figures, not a test; exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

from db.engine import create_engine, make_sessionmaker, migrate  # noqa: E402
from db.models import AgendaItem, Council, JobRun, Meeting, MeetingStatus, Member, MemberStatus, Role, User  # noqa: E402
from scripts._process import Database, bot_environment, start, stop  # noqa: E402
from tests.botapi import BotAPI, Limits, Sent  # noqa: E402

TOKEN = "123456:BENCH-reminder-minute"
REDIS_URL = "redis://127.0.0.1:6379/0"
SECRET = "bench-reminder-minute-secret"
TZ = "Asia/Bishkek"
PROBER = 9_999_999  # the person asking /help during the minute: in no council


def group_of(council: int) -> int:
    return -1_000_000_000 - council


def user_of(council: int, n: int) -> int:
    """Member n (0: the chair) of a council, as a Telegram id."""
    return 10_000_000 + council * 1000 + n


# -- the database ---------------------------------------------------------------------------------------------


async def seed(url: str, councils: int, members: int, starts_at: datetime) -> None:
    """The councils, their members, and a meeting each, announced for `starts_at`; today's trimester check
    marked as done, so the start-up adds no warnings to the minute."""
    engine = create_engine(url)
    try:
        await migrate(engine)
        now = datetime.now(UTC)
        users, council_rows, member_rows, meetings, items = [], [], [], [], []
        for c in range(1, councils + 1):
            council_rows.append(
                {
                    "id": c,
                    "chat_id": group_of(c),
                    "title": f"Мектеп №{c}",
                    "join_code": f"bench{c}",
                    "chair_id": user_of(c, 0),
                    "created_at": now,
                }
            )
            for n in range(members):
                users.append({"id": user_of(c, n), "language": "ky" if n % 2 == 0 else "ru", "created_at": now})
                member_rows.append(
                    {
                        "council_id": c,
                        "user_id": user_of(c, n),
                        "full_name": f"Мугалим{n} Фамилия{c}",
                        "role": Role.CHAIR if n == 0 else Role.TEACHER,
                        "status": MemberStatus.APPROVED,
                        "applied_at": now,
                        "regulation_confirmed_at": now,
                    }
                )
            meetings.append(
                {
                    "id": c,
                    "council_id": c,
                    "starts_at": starts_at,
                    "place": "Мугалимдер бөлмөсү",
                    "status": MeetingStatus.ANNOUNCED,
                    "created_by": user_of(c, 0),
                    "created_at": now,
                    "announced_at": now,
                }
            )
            items.append({"meeting_id": c, "position": 1, "title": "Окуу пландары — Осмонова Г."})
        async with make_sessionmaker(engine)() as session:
            for model, rows in ((User, users), (Council, council_rows), (Member, member_rows), (Meeting, meetings)):
                for start in range(0, len(rows), 5000):
                    await session.execute(insert(model), rows[start : start + 5000])
            await session.execute(insert(AgendaItem), items)
            await session.execute(insert(JobRun), [{"name": "watchdog", "last_day": date(2100, 1, 1)}])
            await session.commit()
            if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
                for table in ("councils", "meetings"):
                    sequence = f"pg_get_serial_sequence('{table}', 'id')"
                    await session.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))"))
                await session.commit()
    finally:
        await engine.dispose()


# -- the processes --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(api: BotAPI, url: str, tmp: Path, rate: int, redis_prefix: str | None) -> dict[str, str]:
    env = bot_environment(
        api,
        TOKEN,
        url,
        tmp,
        TIMEZONE=TZ,
        LOG_LEVEL="INFO",  # as in production: a line per post sent
        MAX_SENDS_PER_SECOND=str(rate),
        # The daily check (09:00 by default) must not fall into the run: twelve hours from now.
        WATCHDOG_HOUR=str((datetime.now(ZoneInfo(TZ)).hour + 12) % 24),
    )
    if redis_prefix is not None:
        env.update(REDIS_URL=REDIS_URL, REDIS_PREFIX=redis_prefix)
    return env


class Instance:
    def __init__(self, api: BotAPI, env: dict[str, str], log: Path, webhook: bool) -> None:
        self.api, self.env, self.log = api, dict(env), log
        self.url = None
        if webhook:
            port = free_port()
            self.url = f"http://127.0.0.1:{port}/tg"
            self.env.update(WEBHOOK_URL=self.url, WEBHOOK_SECRET=SECRET, WEB_PORT=str(port))
        self.process: asyncio.subprocess.Process | None = None

    def ready(self) -> bool:
        if self.url is None:
            return any(method == "getUpdates" for method, _ in self.api.calls)
        return any(method == "setWebhook" and params.get("url") == self.url for method, params in self.api.calls)

    async def start(self) -> None:
        self.process = await start([sys.executable, "-m", "bot"], self.env, ROOT, self.log, self.ready, within=120)

    async def stop(self) -> None:
        if self.process is not None:
            await stop(self.process)


# -- the minute -----------------------------------------------------------------------------------------------


class TimedAPI(BotAPI):
    """The stand-in, noting when each button press is answered."""

    def __init__(self) -> None:
        super().__init__()
        self.answered_at: dict[str, float] = {}

    async def _m_answerCallbackQuery(self, params: dict, files: dict) -> bool:
        self.answered_at.setdefault(params["callback_query_id"], time.monotonic())
        return await super()._m_answerCallbackQuery(params, files)


class Prober:
    """A person outside the councils who, every two seconds in turn, sends /help (answered with a message) or
    presses a language button under /lang (a press that writes: the person's language); how long each takes."""

    def __init__(self, api: TimedAPI) -> None:
        self.api = api
        self.person = api.person(PROBER, "Айбек", language_code="ru")
        self.replies: list[float] = []  # /help -> its answer
        self.presses: list[float] = []  # a language press -> answerCallbackQuery
        self.unanswered = 0
        self._stop = asyncio.Event()

    async def _answer_to(self, start: int, within: float = 10) -> Sent:
        outbox = self.api.outbox
        return await self.api.wait_for(
            lambda: next((m for m in outbox[start:] if m.chat_id == PROBER), None), within=within
        )

    async def run(self) -> None:
        chat = self.person.private_chat
        for turn in itertools.count():
            if self._stop.is_set():
                return
            try:
                start = len(self.api.outbox)
                if turn % 2:
                    await self.api.push(self.api.message_update(self.person, chat, "/lang"))
                    languages = await self._answer_to(start)  # the language buttons
                    data = languages.buttons[turn // 2 % 2]["callback_data"]
                    update = self.api.callback_update(self.person, languages, data)
                    query = update["callback_query"]["id"]
                    pressed = time.monotonic()
                    await self.api.push(update)
                    await self.api.wait_for(lambda: query in self.api.answered_at, within=10)  # noqa: B023
                    self.presses.append(self.api.answered_at[query] - pressed)
                else:
                    asked = time.monotonic()
                    await self.api.push(self.api.message_update(self.person, chat, "/help"))
                    self.replies.append((await self._answer_to(start)).at - asked)
            except AssertionError:
                self.unanswered += 1
            try:
                await asyncio.wait_for(self._stop.wait(), 2.0)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stop.set()


def spread(delays: list[float]) -> str:
    return f"{statistics.median(delays):.2f} / {max(delays):.2f} s" if delays else "—"


def reminders(api: BotAPI, chats: set[int]) -> list:
    return [m for m in api.outbox if m.chat_id in chats]


async def run(args: argparse.Namespace, tmp: Path) -> int:
    councils, members, rate = args.councils, args.members, args.rate
    expected_chats = {group_of(c) for c in range(1, councils + 1)} | {
        user_of(c, n) for c in range(1, councils + 1) for n in range(members)
    }
    # The meeting: tomorrow at the minute after the bot has had time to start (the reminders fire then).
    moment = (datetime.now(UTC) + timedelta(seconds=args.lead)).replace(second=0, microsecond=0) + timedelta(minutes=1)
    api = TimedAPI()
    await api.start()
    api.limits = Limits()
    for c in range(1, councils + 1):
        api.group(group_of(c), f"Мектеп №{c}")
        for n in range(members):
            api.person(user_of(c, n), f"Мугалим{n}", language_code="ky" if n % 2 == 0 else "ru")
            api.started.add(user_of(c, n))
    redis_prefix = f"kenesh-bench-{uuid.uuid4().hex[:8]}" if args.db == "pg" else None
    instances: list[Instance] = []
    prober = Prober(api)
    try:
        async with Database(args.db, tmp) as url:
            started = time.monotonic()
            await seed(url, councils, members, moment + timedelta(hours=24))
            print(f"seeded {councils} councils x {members} members in {time.monotonic() - started:.1f} s")
            env = environment(api, url, tmp, rate, redis_prefix)
            webhook = args.db == "pg"
            for n in range(args.instances):
                instance = Instance(api, env, tmp / f"bot-{n + 1}.log", webhook)
                await instance.start()
                instances.append(instance)
            load_before = os.getloadavg()
            wait = (moment - datetime.now(UTC)).total_seconds()
            moment_monotonic = time.monotonic() + wait
            print(f"{len(instances)} instance(s) up; the reminders fire at {moment:%H:%M:%S} UTC, in {wait:.0f} s")
            probing = asyncio.create_task(prober.run())
            await asyncio.sleep(max(0.0, wait))
            deadline = time.monotonic() + 120 + 3 * len(expected_chats) / rate
            last_count, last_change = 0, time.monotonic()
            while time.monotonic() < deadline:
                await asyncio.sleep(1.0)
                count = len({m.chat_id for m in api.outbox if m.chat_id != PROBER})
                if count != last_count:
                    last_count, last_change = count, time.monotonic()
                if count >= len(expected_chats) and time.monotonic() - last_change > 5:
                    break  # all delivered, and nothing more for five seconds (a second copy would show)
                if time.monotonic() - last_change > 90:
                    break  # stuck
            load_after = os.getloadavg()
            prober.stop()
            await probing
    finally:
        for instance in instances:
            await instance.stop()
        await api.stop()
        if redis_prefix is not None:
            await clear_redis(redis_prefix)

    sent = reminders(api, expected_chats)
    per_chat = Counter(m.chat_id for m in sent)
    delivered = len(per_chat)
    twice = sum(1 for count in per_chat.values() if count > 1)
    times = sorted(m.at for m in sent)
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    delivered_rate = (len(times) - 1) / span if len(times) > 1 else 0.0
    send_calls = [name for name, _ in api.calls if name == "sendMessage"]
    refused = api.refused_429("sendMessage")
    share_429 = refused / len(send_calls) if send_calls else 0.0
    busiest = busiest_second(times)
    texts = [instance.log.read_text(errors="replace") for instance in instances]
    logs = "".join(texts)
    sent_by = " / ".join(str(text.count(": reminder sent to chat")) for text in texts)
    failed_jobs = logs.count("Scheduled job ") - logs.count(") done on attempt")
    retried_done = logs.count(") done on attempt")
    locked = logs.count("database is locked")
    tracebacks = logs.count("Traceback")
    first_after = times[0] - moment_monotonic if times else float("nan")

    print()
    print(f"database: {args.db}, {len(instances)} instance(s), {councils} councils x {members} members")
    print(f"delivered / expected: {delivered} / {len(expected_chats)}; messages sent to them: {len(sent)}")
    print(f"chats that got two: {twice}; reminders sent by each instance: {sent_by}")
    print(
        f"delivered rate: {delivered_rate:.1f}/s over {span:.1f} s ({delivered_rate / rate:.0%} of the set {rate}/s); "
        f"busiest second: {busiest} messages (Telegram's limit 30)"
    )
    print(f"first reminder {first_after:.1f} s after the minute began")
    if times:
        slices = Counter(int((t - times[0]) // 10) for t in times)
        print("delivered per 10 s: " + " ".join(str(slices[n]) for n in range(max(slices) + 1)))
    print(f"429: {refused} of {len(send_calls)} send calls ({share_429:.2%})")
    print(
        f"during the minute: /help answered in {spread(prober.replies)} (median / max, {len(prober.replies)} asked), "
        f"a language press in {spread(prober.presses)} ({len(prober.presses)} pressed); "
        f"{prober.unanswered} unanswered"
    )
    print(
        f"bot logs: {failed_jobs} failed job attempt(s), {retried_done} job(s) done on a later attempt, "
        f'"database is locked" {locked} time(s), {tracebacks} traceback(s)'
    )
    print(
        f"load average (1/5/15 min) before {load_before[0]:.2f}/{load_before[1]:.2f}/{load_before[2]:.2f}, "
        f"after {load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f}; {os.cpu_count()} CPU(s)"
    )
    database = "SQLite" if args.db == "sqlite" else "PostgreSQL + Redis"
    print(
        f"README row: | {database} | {len(instances)} | {councils} × {members} | {delivered} / {len(expected_chats)} | "
        f"{twice} | {delivered_rate:.1f}/s ({delivered_rate / rate:.0%}) | {refused} of {len(send_calls)} "
        f"({share_429:.2%}) | {spread(prober.replies)} | {spread(prober.presses)} |"
    )
    ok = (
        delivered == len(expected_chats)
        and len(sent) == len(expected_chats)
        and delivered_rate >= 0.9 * rate
        and share_429 < 0.01
    )
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


def busiest_second(times: list[float]) -> int:
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def clear_redis(prefix: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in redis.scan_iter(f"{prefix}:*")]
        for start in range(0, len(keys), 1000):
            await redis.delete(*keys[start : start + 1000])
    finally:
        await redis.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "pg"), default="sqlite")
    parser.add_argument("--councils", type=int, help="default 100 on SQLite, 500 on PostgreSQL")
    parser.add_argument("--members", type=int, default=31)
    parser.add_argument("--instances", type=int, help="default 1 on SQLite (its only choice), 2 on PostgreSQL")
    parser.add_argument("--rate", type=int, default=25, help="MAX_SENDS_PER_SECOND")
    parser.add_argument("--lead", type=int, default=30, help="seconds at least between the start and the minute")
    args = parser.parse_args()
    args.councils = args.councils or (100 if args.db == "sqlite" else 500)
    args.instances = args.instances or (1 if args.db == "sqlite" else 2)
    if args.db == "sqlite" and args.instances != 1:
        parser.error("SQLite runs one instance")
    with tempfile.TemporaryDirectory(prefix="kenesh-minute-") as directory:
        status = asyncio.run(run(args, Path(directory)))
        if keep := os.environ.get("KEEP_LOGS"):  # a directory to keep the bots' logs in
            for log in Path(directory).glob("bot-*.log"):
                shutil.copy(log, Path(keep) / log.name)
    sys.exit(status)


if __name__ == "__main__":
    main()
