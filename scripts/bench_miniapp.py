"""The Mini App's pages over a full school year: server time, bytes on the wire, requests.

    .venv/bin/python scripts/bench_miniapp.py [--requests 200] [--database-url postgresql+asyncpg://...] [--profile]

Seeds one council with a year of 40 held meetings (30 members, 26 of them with a vote; attendance; eight votes
each; the protocols issued as the close issues them: their parts in both languages and the .docx), 300 decisions
followed up, 200 materials (150 in the bank) and the log those made, in a migrated SQLite file in a temporary
directory (or a fresh PostgreSQL database beside the URL given, `--database-name`, dropped after). A process of
its own serves the Mini App on loopback, as the bot does; this one asks each page `--requests` times, one after
another, as the page's script asks (POST api/<view> with the init data, gzip accepted). Prints for each page the
time from request to the answer's last byte (p50, p95, max: the server's time plus loopback), the CPU time the
server process spent on one (p50, p95: on a busy machine the wall-clock time includes waiting for a core, CPU
time does not), the bytes on the wire (gzip) and the requests it takes; and the first load (the page, its
stylesheet, script and icon, then the first view). `--profile` prints where each page's handler spends its time.
A script, not a test: tests/browser/ checks what the pages show.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gzip
import hashlib
import multiprocessing
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bot.app import create_bot  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.i18n import create_i18n  # noqa: E402
from bot.rules import Counts  # noqa: E402
from bot.ui import protocol  # noqa: E402
from bot.web.miniapp import install_miniapp  # noqa: E402
from db.engine import create_engine, make_sessionmaker, migrate  # noqa: E402
from db.models import (  # noqa: E402
    AgendaItem,
    Attendance,
    AuditAction,
    AuditEntry,
    AuditObject,
    Council,
    FollowUp,
    FollowUpState,
    GroupLanguage,
    IssuedProtocol,
    Material,
    MaterialEvent,
    MaterialKind,
    MaterialState,
    Meeting,
    MeetingStatus,
    Member,
    MemberStatus,
    Outcome,
    Plan,
    PlanEntry,
    PlanState,
    ProtocolPart,
    Role,
    RosterEntry,
    User,
    Vote,
)
from tests.botapi import Person  # noqa: E402
from tests.miniapp import init_data  # noqa: E402

TOKEN = "123456:BENCH-token-for-the-mini-app"
BISHKEK = ZoneInfo("Asia/Bishkek")
NOW = datetime(2027, 5, 20, 12, 0, tzinfo=BISHKEK)  # late in the school year: the year is full
MEMBERS, MEETINGS, DECISIONS, MATERIALS = 30, 40, 300, 200
CHAIR, MEMBER = 1_000, 1_001


def _words(n: int, seed: int) -> str:
    pool = "сабак план окуучу мугалим методика тажрыйба сабаттуулук математика тил адабият".split()
    return " ".join(pool[(seed * 7 + i * 3) % len(pool)] for i in range(n))


async def seed(sessionmaker, storage: Path) -> int:
    """One council's full year; returns its id."""
    now = NOW.astimezone(UTC)
    users = [{"id": CHAIR + n, "language": "ky" if n % 2 else "ru", "created_at": now} for n in range(MEMBERS)]
    council = {
        "id": 1,
        "chat_id": -1001,
        "title": "№1 мектеп-гимназиясы",
        "join_code": "bench",
        "chair_id": CHAIR,
        "secretary_id": CHAIR + 2,
        "created_at": now,
    }
    members = [
        {
            "id": n + 1,
            "council_id": 1,
            "user_id": CHAIR + n,
            "full_name": f"Фамилия{n:02d} Аты{n:02d} Атасынын",
            "role": Role.CHAIR if n == 0 else Role.TEACHER if n < 26 else Role.PARTICIPANT,
            "status": MemberStatus.APPROVED,
            "regulation_confirmed_at": now - timedelta(days=200),
            "applied_at": now - timedelta(days=250),
        }
        for n in range(MEMBERS)
    ]
    voting = [m for m in members if m["role"] is not Role.PARTICIPANT]
    days = [date(2026, 9, 7) + timedelta(days=6 * i) for i in range(MEETINGS)]
    meetings, items, roster, attendance, votes, parts, issued, audit = [], [], [], [], [], [], [], []
    i18n = create_i18n("ky")
    vote_id = 0
    with i18n.context():
        for index, day in enumerate(days, 1):
            starts = datetime(day.year, day.month, day.day, 15, tzinfo=BISHKEK).astimezone(UTC)
            meetings.append(
                {
                    "id": index,
                    "council_id": 1,
                    "starts_at": starts,
                    "place": "Мугалимдер бөлмөсү",
                    "status": MeetingStatus.CLOSED,
                    "created_by": CHAIR,
                    "created_at": starts - timedelta(days=8),
                    "announced_at": starts - timedelta(days=8),
                    "opened_at": starts,
                    "closed_at": starts + timedelta(hours=2),
                    "protocol_number": index,
                    "school_year": 2026,
                }
            )
            for position in range(1, 4):
                items.append(
                    {"meeting_id": index, "position": position, "title": _words(6, index + position), "reporter": None}
                )
            present = [m for k, m in enumerate(voting) if (k + index) % 6]
            roster += [{"meeting_id": index, "member_id": m["id"], "full_name": m["full_name"]} for m in voting]
            attendance += [
                {"meeting_id": index, "member_id": m["id"], "marked_by": m["user_id"], "marked_at": starts}
                for m in present
            ]
            decisions = []
            for position in range(1, 9):
                vote_id += 1
                counts = Counts(len(present) - 2, 1, 1)
                votes.append(
                    {
                        "id": vote_id,
                        "meeting_id": index,
                        "item_position": (position - 1) % 3 + 1,
                        "decision": _words(12, vote_id),
                        "secret": False,
                        "is_open": False,
                        "opened_at": starts,
                        "closed_at": starts + timedelta(minutes=10),
                        "members_total": len(voting),
                        "present_total": len(present),
                        "votes_for": counts.votes_for,
                        "votes_against": counts.against,
                        "votes_abstain": counts.abstain,
                        "outcome": Outcome.ADOPTED,
                    }
                )
                decisions.append(
                    protocol.Decision(
                        (position - 1) % 3 + 1,
                        votes[-1]["decision"],
                        False,
                        counts,
                        Outcome.ADOPTED,
                        len(present),
                        len(voting),
                    )
                )
            data = protocol.ProtocolData(
                council_title=council["title"],
                number=index,
                school_year=2026,
                starts_at=starts,
                place="Мугалимдер бөлмөсү",
                chair=members[0]["full_name"],
                secretary=members[2]["full_name"],
                members_total=len(voting),
                present=[m["full_name"] for m in present],
                absent=[m["full_name"] for m in voting if m not in present],
                participants=[],
                items=[(i["position"], i["title"], None) for i in items[-3:]],
                decisions=decisions,
            )
            for locale, position, part in protocol.issued_parts(data, BISHKEK, GroupLanguage.BOTH):
                parts.append({"meeting_id": index, "locale": locale, "position": position, "text": part})
            document = protocol.protocol_docx(data, BISHKEK, GroupLanguage.BOTH)
            issued.append(
                {
                    "meeting_id": index,
                    "filename": protocol.protocol_filename(data),
                    "document": document,
                    "sha256": hashlib.sha256(document).hexdigest(),
                    "issued_at": starts + timedelta(hours=2),
                }
            )
            for action in (AuditAction.MEETING_PUBLISHED, AuditAction.MEETING_OPENED, AuditAction.MEETING_CLOSED):
                audit.append(
                    {
                        "council_id": 1,
                        "at": starts,
                        "actor_id": CHAIR,
                        "actor_name": members[0]["full_name"],
                        "action": action,
                        "obj_kind": AuditObject.MEETING,
                        "obj_id": index,
                    }
                )
    follow_ups = [
        {
            "vote_id": v["id"],
            "council_id": 1,
            "member_id": voting[v["id"] % len(voting)]["id"],
            "due_on": days[(v["meeting_id"] - 1)] + timedelta(days=20),
            "state": FollowUpState.DONE if v["id"] % 3 else FollowUpState.OPEN,
            "assigned_by": CHAIR,
            "assigned_at": now,
            "done_at": (
                datetime.combine(
                    days[v["meeting_id"] - 1] + timedelta(days=10 + v["id"] % 20), datetime.min.time(), UTC
                )
                if v["id"] % 3
                else None
            ),
            "report": _words(15, v["id"]) if v["id"] % 3 else None,
        }
        for v in votes[:DECISIONS]
    ]
    materials, events = [], []
    kinds = list(MaterialKind)
    for n in range(1, MATERIALS + 1):
        state = MaterialState.APPROVED if n % 4 else MaterialState.RETURNED
        author = members[n % MEMBERS]["id"]
        at = now - timedelta(days=n)
        materials.append(
            {
                "id": n,
                "council_id": 1,
                "author_id": author,
                "title": _words(5, n),
                "kind": kinds[n % len(kinds)],
                "subject": _words(2, n + 1),
                "description": _words(14, n + 2),
                "state": state,
                "version": 1,
                "file_name": f"material_{n}.docx",
                "stored_name": f"{n:064x}.docx",
                "size": 40_000 + n,
                "sha256": f"{n:064x}",
                "created_at": at,
                "updated_at": at,
            }
        )
        events.append({"material_id": n, "state": MaterialState.SUBMITTED, "by_user": CHAIR, "at": at})
        events.append(
            {
                "material_id": n,
                "state": state,
                "by_user": CHAIR,
                "at": at,
                "comment": "Мисал кошуңуз" if n % 4 == 0 else None,
            }
        )
    plan = {
        "id": 1,
        "council_id": 1,
        "school_year": 2026,
        "version": 1,
        "state": PlanState.APPROVED,
        "created_by": CHAIR,
        "created_at": now,
        "updated_at": now,
        "order_number": "15",
        "order_date": date(2026, 9, 5),
    }
    entries = [
        {
            "plan_id": 1,
            "position": n,
            "day": day,
            "topic": _words(6, n),
            "responsible": members[n % MEMBERS]["full_name"],
        }
        for n, day in enumerate(days + [date(2027, 5, 28)], 1)
    ]
    async with sessionmaker() as session:
        for model, rows in (
            (User, users),
            (Council, [council]),
            (Member, members),
            (Meeting, meetings),
            (AgendaItem, items),
            (RosterEntry, roster),
            (Attendance, attendance),
            (Vote, votes),
            (ProtocolPart, parts),
            (IssuedProtocol, issued),
            (FollowUp, follow_ups),
            (Material, materials),
            (MaterialEvent, events),
            (Plan, [plan]),
            (PlanEntry, entries),
            (AuditEntry, audit),
        ):
            await session.execute(insert(model), rows)
        await session.commit()
    return 1


# Each page as the page's script asks for it: its name here, who asks, the request's body, and the requests it
# takes to look at it (after the first load): the Decisions page shows the latest done decisions and the
# reader's own, and brings the others when asked ("all done", its second request).
PAGES = [
    ("year", MEMBER, {}, "1"),
    ("meetings", MEMBER, {}, "1"),
    ("meeting", MEMBER, {"meeting": MEETINGS // 2}, "1"),
    ("decisions", MEMBER, {}, "1"),
    ("decisions (all done)", MEMBER, {"all": True}, "1 + 1"),
    ("materials", MEMBER, {}, "1"),
    ("materials (search)", MEMBER, {"q": "сабак план"}, "1"),
    ("members", MEMBER, {}, "1"),
    ("members (chair: figures, log)", CHAIR, {}, "1"),
]
PAGE_HEADER = "X-Bench-Page"  # which of PAGES a request is, for --profile
WARM_UP = 5  # the first requests of a page fill the caches (SQLAlchemy's statements, Babel's formats)


@dataclass
class Page:
    name: str
    wall: list[float]  # seconds, from the request to the answer's last byte, as the client sees it
    cpu: list[float]  # seconds of CPU the server process spent on the request (all its threads)
    size: int  # bytes on the wire (gzip), headers included
    requests: str


def serve(database_url: str, storage: str, conn: Connection, profile: bool) -> None:
    """The server's process: seeds the year, serves the Mini App on loopback as the bot does, tells the port,
    and runs until told to stop (then prints its profile, when asked for one)."""
    asyncio.run(_serve(database_url, Path(storage), conn, profile))


async def _serve(database_url: str, storage: Path, conn: Connection, profile: bool) -> None:
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        sessionmaker = make_sessionmaker(engine)
        await seed(sessionmaker, storage)
        settings = Settings(
            bot_token=TOKEN, database_url=database_url, miniapp_url="http://127.0.0.1/app/", storage_dir=storage
        )
        bot = create_bot(settings)
        profiles: dict[str, tuple[cProfile.Profile, int]] = {}
        middlewares = [_profiler(profiles)] if profile else []
        app = web.Application(middlewares=middlewares)
        install_miniapp(
            app,
            sessionmaker=sessionmaker,
            i18n=create_i18n("ky"),
            settings=settings,
            bot=bot,
            clock=FixedClock(BISHKEK, NOW),
        )
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        conn.send(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # until the client is done
        await runner.cleanup()
        await bot.session.close()
        for name, (profiler, count) in profiles.items():
            stats = pstats.Stats(profiler)
            calls = stats.total_calls  # type: ignore[attr-defined]
            print(f"\n--- profile: {unquote(name)}, {count} requests, {calls / count:.0f} function calls a request")
            print("(the handler's time: compression and sending excluded)")
            stats.sort_stats("cumulative").print_stats(25)
    finally:
        await engine.dispose()


def _profiler(profiles: dict[str, tuple[cProfile.Profile, int]]) -> Any:
    @web.middleware
    async def profiled(request: web.Request, handler: Any) -> web.StreamResponse:
        name = request.headers.get(PAGE_HEADER, request.path)
        profiler, count = profiles.get(name) or (cProfile.Profile(), 0)
        profiles[name] = profiler, count + 1
        profiler.enable()
        try:
            return await handler(request)
        finally:
            profiler.disable()

    return profiled


def cpu_of(pid: int) -> float | None:
    """The CPU time (s) every thread of a process has run: Linux's schedstat, in nanoseconds; None elsewhere."""
    total = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (FileNotFoundError, ProcessLookupError):  # a thread that just ended
                continue
    except FileNotFoundError:
        return None
    return total / 1e9


async def measure(database_url: str, storage: Path, requests: int, profile: bool, only: str = "") -> list[Page]:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(target=serve, args=(database_url, str(storage), theirs, profile))
    server.start()
    try:
        port = await asyncio.get_running_loop().run_in_executor(None, ours.recv)
        base = f"http://127.0.0.1:{port}/app/"
        results = []
        async with aiohttp.ClientSession(auto_decompress=False) as client:
            results.append(Page("first load", [], [], await first_load(client, base), "4 + 1"))
            for name, user, body, asked in (page for page in PAGES if page[0].startswith(only)):
                init = init_data(TOKEN, Person(user, "Аты", "Фамилия", "ky"), NOW)
                headers = {"Authorization": f"tma {init}", "Accept-Encoding": "gzip", PAGE_HEADER: quote(name)}
                view = name.split(" ")[0]
                wall, cpu, size = [], [], 0
                for n in range(requests + WARM_UP):
                    cpu_start = cpu_of(server.pid or 0)
                    start = time.perf_counter()
                    async with client.post(f"{base}api/{view}", json={"council": 1, **body}, headers=headers) as answer:
                        raw = await answer.read()
                        assert answer.status == 200, (name, answer.status)
                    elapsed = time.perf_counter() - start
                    cpu_end = cpu_of(server.pid or 0)
                    if n >= WARM_UP:
                        wall.append(elapsed)
                        if cpu_start is not None and cpu_end is not None:
                            cpu.append(cpu_end - cpu_start)
                    size = len(raw) + sum(len(k) + len(v) + 4 for k, v in answer.raw_headers)
                results.append(Page(name, wall, cpu, size, asked))
        return results
    finally:
        ours.send("stop")
        await asyncio.get_running_loop().run_in_executor(None, server.join)


async def first_load(client: aiohttp.ClientSession, base: str) -> int:
    """The page Telegram opens and what it loads before the first view: bytes on the wire (gzip)."""
    total = 0
    async with client.get(base, headers={"Accept-Encoding": "gzip"}) as page:
        html = await page.read()
        total += len(html) + sum(len(k) + len(v) + 4 for k, v in page.raw_headers)
    shell = gzip.decompress(html).decode() if html[:2] == b"\x1f\x8b" else html.decode()
    for asset in re.findall(r'(?:href|src)="(static/[^"]+)"', shell):
        async with client.get(base + asset, headers={"Accept-Encoding": "gzip"}) as response:
            total += len(await response.read()) + sum(len(k) + len(v) + 4 for k, v in response.raw_headers)
    return total


async def postgres_database(url: str, name: str) -> str:
    server = make_url(url)
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


async def drop_postgres(url: str, name: str) -> None:
    admin = create_async_engine(make_url(url), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def report(label: str, pages: list[Page]) -> None:
    print(f"\n{label}")
    print(
        f"{'page':32} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'CPU p50':>8} {'CPU p95':>8} "
        f"{'KB gzip':>8} {'requests':>9}"
    )
    for page in pages:
        if not page.wall:
            print(f"{page.name:32} {'':>7} {'':>7} {'':>7} {'':>8} {'':>8} {page.size / 1024:8.1f} {page.requests:>9}")
            continue
        cpu = (
            f"{statistics.median(page.cpu) * 1000:8.1f} {percentile(page.cpu, 0.95) * 1000:8.1f}"
            if page.cpu
            else f"{'n/a':>8} {'n/a':>8}"
        )
        print(
            f"{page.name:32} {statistics.median(page.wall) * 1000:7.1f} {percentile(page.wall, 0.95) * 1000:7.1f} "
            f"{max(page.wall) * 1000:7.1f} {cpu} {page.size / 1024:8.1f} {page.requests:>9}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server's URL (default: SQLite)")
    parser.add_argument(
        "--database-name", default="kenesh_bench_miniapp", help="the PostgreSQL database made for the run"
    )
    parser.add_argument("--profile", action="store_true", help="print where each page's handler spends its time")
    parser.add_argument("--page", default="", help="only the pages whose name starts with this")
    args = parser.parse_args()
    print(f"Load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(
        f"A school year: {MEETINGS} meetings held (roster {MEMBERS - 4}, 8 votes each), {DECISIONS} decisions "
        f"followed up, {MATERIALS} materials; {args.requests} requests a page, one at a time, on loopback."
    )
    with tempfile.TemporaryDirectory() as directory:
        if args.database_url:
            url = await postgres_database(args.database_url, args.database_name)
            try:
                report("PostgreSQL", await measure(url, Path(directory), args.requests, args.profile, args.page))
            finally:
                await drop_postgres(args.database_url, args.database_name)
        else:
            url = f"sqlite+aiosqlite:///{directory}/bench.db"
            report("SQLite", await measure(url, Path(directory), args.requests, args.profile, args.page))
    print(f"Load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        "\nWall: the client's time from sending a request to the answer's last byte (the server's time plus "
        "loopback), which on a busy machine includes waiting for a core. CPU: what the server process (all its "
        "threads: the event loop, aiosqlite's, compression's) spent on the request, whatever else runs. Each page "
        "is one request after the first load (a search too); the first load is the page, its stylesheet, script "
        "and icon (4 requests, kept a year by the client) and the first view."
    )


if __name__ == "__main__":
    asyncio.run(main())
