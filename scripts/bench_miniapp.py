"""The Mini App's pages over a full school year: server time, bytes on the wire, requests.

    .venv/bin/python scripts/bench_miniapp.py [--requests 200] [--database-url postgresql+asyncpg://...]

Seeds one council with a year of 40 held meetings (a roster of 30, attendance, three votes each, the protocols
issued as the close issues them: their parts in both languages and the .docx), 300 decisions followed up,
200 materials (150 in the bank) and the log those made, in a migrated SQLite file in a temporary directory
(or a fresh PostgreSQL database beside the URL given: `kenesh_bench_miniapp`, dropped after). Then serves the
Mini App on loopback, as the bot does, and asks each page `--requests` times, one after another, as the page's
script asks (POST api/<view> with the init data, gzip accepted). Prints for each page the time from request to
the last byte of the answer (p50, p95, max: the server's time plus loopback), the CPU time the process spent on
one (p50: on a busy machine the wall-clock time includes waiting for a core, CPU time does not), the bytes on
the wire (gzip) and the requests it takes; and the first load (the page, its stylesheet, script and icon, then
the first view).
A script, not a test: tests/browser/ checks what the pages show.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
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


PAGES = [
    ("year", MEMBER, {}),
    ("meetings", MEMBER, {}),
    ("meeting", MEMBER, {"meeting": MEETINGS // 2}),
    ("decisions", MEMBER, {}),
    ("materials", MEMBER, {}),
    ("materials (search)", MEMBER, {"q": "сабак план"}),
    ("members", MEMBER, {}),
    ("members (chair: figures, log)", CHAIR, {}),
]


async def measure(database_url: str, storage: Path, requests: int) -> list[tuple[str, list[float], list[float], int]]:
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        sessionmaker = make_sessionmaker(engine)
        await seed(sessionmaker, storage)
        settings = Settings(
            bot_token=TOKEN, database_url=database_url, miniapp_url="http://127.0.0.1/app/", storage_dir=storage
        )
        i18n = create_i18n("ky")
        bot = create_bot(settings)
        app = web.Application()
        install_miniapp(
            app, sessionmaker=sessionmaker, i18n=i18n, settings=settings, bot=bot, clock=FixedClock(BISHKEK, NOW)
        )
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{port}/app/"
        results = []
        async with aiohttp.ClientSession(auto_decompress=False) as client:
            first = await first_load(client, base)
            for name, user, body in PAGES:
                init = init_data(TOKEN, Person(user, "Аты", "Фамилия", "ky"), NOW)
                headers = {"Authorization": f"tma {init}", "Accept-Encoding": "gzip"}
                view = name.split(" ")[0]
                times, cpu, size = [], [], 0
                for _ in range(requests + 5):
                    start, cpu_start = time.perf_counter(), time.process_time()
                    async with client.post(f"{base}api/{view}", json={"council": 1, **body}, headers=headers) as answer:
                        raw = await answer.read()
                        assert answer.status == 200, (name, answer.status)
                    times.append(time.perf_counter() - start)
                    cpu.append(time.process_time() - cpu_start)
                    size = len(raw) + sum(len(k) + len(v) + 4 for k, v in answer.raw_headers)
                results.append((name, times[5:], cpu[5:], size))  # the first few warm the caches
        await runner.cleanup()
        await bot.session.close()
        return [("first load", [], [], first), *results]
    finally:
        await engine.dispose()


async def first_load(client: aiohttp.ClientSession, base: str) -> int:
    """The page Telegram opens and what it loads before the first view: bytes on the wire (gzip)."""
    total = 0
    async with client.get(base, headers={"Accept-Encoding": "gzip"}) as page:
        html = await page.read()
        total += len(html) + sum(len(k) + len(v) + 4 for k, v in page.raw_headers)
    import gzip
    import re

    shell = gzip.decompress(html).decode() if html[:2] == b"\x1f\x8b" else html.decode()
    for asset in re.findall(r'(?:href|src)="(static/[^"]+)"', shell):
        async with client.get(base + asset, headers={"Accept-Encoding": "gzip"}) as response:
            total += len(await response.read()) + sum(len(k) + len(v) + 4 for k, v in response.raw_headers)
    return total


async def postgres_database(url: str) -> tuple[str, str]:
    server = make_url(url)
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text('DROP DATABASE IF EXISTS "kenesh_bench_miniapp" WITH (FORCE)'))
        await connection.execute(text('CREATE DATABASE "kenesh_bench_miniapp"'))
    await admin.dispose()
    return server.set(database="kenesh_bench_miniapp").render_as_string(hide_password=False), url


async def drop_postgres(url: str) -> None:
    admin = create_async_engine(make_url(url), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text('DROP DATABASE IF EXISTS "kenesh_bench_miniapp" WITH (FORCE)'))
    await admin.dispose()


def report(label: str, results: list[tuple[str, list[float], list[float], int]]) -> None:
    print(f"\n{label}")
    print(f"{'page':32} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'CPU ms':>7} {'KB gzip':>8} {'requests':>9}")
    for name, times, cpu, size in results:
        if not times:
            print(f"{name:32} {'':>7} {'':>7} {'':>7} {'':>7} {size / 1024:8.1f} {'4 + 1':>9}")
            continue
        ordered = sorted(times)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        print(
            f"{name:32} {statistics.median(ordered) * 1000:7.1f} {p95 * 1000:7.1f} {ordered[-1] * 1000:7.1f} "
            f"{statistics.median(cpu) * 1000:7.1f} {size / 1024:8.1f} {1:>9}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server's URL (default: SQLite)")
    args = parser.parse_args()
    print(f"Load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(
        f"A school year: {MEETINGS} meetings held (roster {MEMBERS - 4}, 8 votes each), {DECISIONS} decisions "
        f"followed up, {MATERIALS} materials; {args.requests} requests a page, one at a time, on loopback."
    )
    with tempfile.TemporaryDirectory() as directory:
        if args.database_url:
            url, admin = await postgres_database(args.database_url)
            try:
                report("PostgreSQL", await measure(url, Path(directory), args.requests))
            finally:
                await drop_postgres(admin)
        else:
            url = f"sqlite+aiosqlite:///{directory}/bench.db"
            report("SQLite", await measure(url, Path(directory), args.requests))
    print(
        "\nEach page is one request after the first load (a search too); the first load is the page, its "
        "stylesheet, script and icon (4 requests, kept a year by the client) and the first view."
    )


if __name__ == "__main__":
    asyncio.run(main())
