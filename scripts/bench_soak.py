"""A school year through the real process: does Kenesh's resident memory stay flat?

    .venv/bin/python scripts/bench_soak.py [--councils 50] [--members 8] [--meetings 1] [--at-once 16] [--db sqlite|pg]

`python -m bot` runs as in production, polling a Bot API stand-in (tests/botapi.py) over HTTP on loopback,
on a SQLite database in a temporary directory (or, with `--db pg`, a new PostgreSQL database on
127.0.0.1:5432, dropped after), under libfaketime: the script moves the process's clock through the school year
2027-2028 (DONT_FAKE_MONOTONIC=1, so asyncio's timers keep running at real speed). `--councils` councils work
side by side, each in its own group, each person a Telegram user of their own, Kyrgyz and Russian readers
alternating, at most `--at-once` updates waiting for their answer at any moment:
- before the year: /setup in the group; the chair and `--members` - 1 teachers register through the join
  link (language, name, role, the regulation) and the chair approves each;
- in each of the four school quarters: one more teacher registers; two teachers submit a material (a file,
  its title, kind, subject) and the chair approves both; `--meetings` times, the chair announces a meeting
  eight days ahead, and on its day opens it, nine in ten members mark themselves present, three decisions
  are voted, the chair closes it and the protocol is posted (text and .docx); then the chair asks for
  /report (message, .xlsx, chart) and a member looks in /bank and /protocols.
At the end of each quarter, once the bot has made no request for a few seconds, the process's resident memory
(VmRSS from /proc) is read. Prints per quarter the updates sent, the time they took, the update rate and the
resident memory; the target is the last quarter's within 10 MB of the second's (the first quarter loads what
a first protocol, spreadsheet and chart need). A script that prints figures, not a test; exit status 1 when
the bot logged an error (its log stays in the temporary directory's parent: BOT_LOG below).
Reuses scripts/_process.py (the database, starting and stopping the process) and bench_memory.py (VmRSS).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts._process import Database, bot_environment, polls_after, start, stop  # noqa: E402
from scripts.bench_memory import rss_mb  # noqa: E402
from tests.botapi import BotAPI, Group, Person, Sent  # noqa: E402

TOKEN = "123456:SOAK"
BISHKEK = ZoneInfo("Asia/Bishkek")
BEFORE_THE_YEAR = datetime(2027, 8, 23, 10, 0, tzinfo=BISHKEK)
# The first Monday of each school quarter of 2027-2028.
QUARTERS = (
    datetime(2027, 9, 6, 10, 0, tzinfo=BISHKEK),
    datetime(2027, 11, 8, 10, 0, tzinfo=BISHKEK),
    datetime(2028, 1, 17, 10, 0, tzinfo=BISHKEK),
    datetime(2028, 4, 3, 10, 0, tzinfo=BISHKEK),
)
WAIT_S = 120.0  # for one answer; the bot is slow only when something is wrong (or the machine very busy)
BOT_LOG = Path(tempfile.gettempdir()) / "bench_soak_kenesh.log"  # kept after the run
QUIET_S = 3.0  # no request from the bot for this long: it has done what the quarter asked
MATERIAL = b"PK\x03\x04 a lesson plan: fractions in the fifth form " * 400  # ~20 KB, a .docx by its name
AGENDA = "\n1. Окуу пландарын бекитүү\n2. Методикалык бирикмелердин отчету\n3. Ар кандай"
DECISIONS = ("Окуу пландарын бекитүү", "Отчетту кабыл алуу", "Ачык сабактардын графигин бекитүү")
CHOICES = ("for", "for", "for", "against", "abstain")


class SoakAPI(BotAPI):
    """The stand-in, with the bot's messages indexed by chat (the base class scans one list) and the time
    of the bot's last request other than getUpdates."""

    def __init__(self) -> None:
        super().__init__()
        self.by_chat: dict[int, list[Sent]] = defaultdict(list)
        self.last_request = time.monotonic()
        self.pushed = 0

    def sent_to(self, chat_id: int) -> list[Sent]:
        return self.by_chat[chat_id]

    def _store(self, chat_id, *args, **kwargs) -> Sent:  # noqa: ANN001, ANN002, ANN003 - the stand-in's own
        sent = super()._store(chat_id, *args, **kwargs)
        self.by_chat[chat_id].append(sent)
        return sent

    async def _handle(self, request):  # noqa: ANN001, ANN202
        if request.match_info["method"] != "getUpdates":
            self.last_request = time.monotonic()
        return await super()._handle(request)

    async def push(self, update: dict) -> dict:
        self.pushed += 1
        return await super().push(update)


def surname(n: int) -> str:
    """A surname of its own for each person, in letters only (a name with digits is refused)."""
    letters = "абвгдежзиклмнопрстуфхч"
    stem = ""
    while True:
        n, digit = divmod(n, len(letters))
        stem += letters[digit]
        if n == 0:
            return "Ас" + stem


def has_button(prefix: str):  # noqa: ANN201
    return lambda message: any(b.get("callback_data", "").startswith(prefix) for b in message.buttons)


@dataclass
class Council:
    number: int
    chair: Person
    group: Group
    people: list[Person] = field(default_factory=list)  # approved members, the chair first
    join_code: str = ""


class Year:
    """The people of every council acting through the stand-in, as Telegram would deliver their updates."""

    def __init__(self, api: SoakAPI, clock_file: Path, at_once: int) -> None:
        self.api, self.clock_file = api, clock_file
        self.ids = itertools.count(1)
        # People act side by side, but not all in the same instant: at most this many updates wait for their
        # answer at any moment (the vote button's burst is scripts/bench_votes.py's subject).
        self.acting = asyncio.Semaphore(at_once)

    # -- the process's clock -------------------------------------------------------------------------------

    def move_clock(self, to: datetime) -> None:
        """libfaketime reads the file at each clock call: from now on the bot's "now" is `to` (and runs on)."""
        self.clock_file.write_text(f"+{int((to - datetime.now(UTC)).total_seconds())}\n")

    # -- acting and waiting ----------------------------------------------------------------------------------

    async def said(self, person: Person, chat: dict, text: str, expect_in: int, predicate, count: int = 1) -> Sent:  # noqa: ANN001
        """Send text in chat; the first message the bot then sends to `expect_in` that satisfies predicate."""
        return await self.exchange(self.api.message_update(person, chat, text), expect_in, predicate, count)

    async def exchange(self, update: dict, expect_in: int, predicate, count: int = 1) -> Sent:  # noqa: ANN001
        """Push an update; wait for `count` messages to `expect_in` that satisfy predicate; the first of them."""
        async with self.acting:
            before = len(self.api.sent_to(expect_in))
            await self.api.push(update)
            return await self.next_to(expect_in, before, predicate, count)

    async def next_to(self, chat_id: int, before: int, predicate, count: int = 1) -> Sent:  # noqa: ANN001
        def found() -> Sent | None:
            matching = [m for m in self.api.sent_to(chat_id)[before:] if predicate(m)]
            return matching[0] if len(matching) >= count else None

        try:
            return await self.api.wait_for(found, within=WAIT_S)
        except AssertionError:
            last = [(m.text[:60], [b.get("callback_data") for b in m.buttons]) for m in self.api.sent_to(chat_id)[-4:]]
            raise AssertionError(f"nothing came to {chat_id}; it has last: {last}") from None

    async def press(self, person: Person, message: Sent, prefix: str) -> dict:
        """Press the message's first button whose callback data starts with prefix; the bot's answer."""
        data = next(b["callback_data"] for b in message.buttons if b.get("callback_data", "").startswith(prefix))
        update = self.api.callback_update(person, message, data)
        query = update["callback_query"]["id"]
        async with self.acting:
            await self.api.push(update)
            return await self.api.wait_for(lambda: self.api.answers.get(query), within=WAIT_S)

    async def quiet(self) -> None:
        """Until the bot has made no request (but polling) for QUIET_S: its outbox and edits are done."""
        while True:  # the stand-in notes the time of each request; nothing signals "no request"
            idle = time.monotonic() - self.api.last_request
            if idle >= QUIET_S:
                return
            await asyncio.sleep(QUIET_S - idle + 0.05)

    # -- what people do ----------------------------------------------------------------------------------

    def new_person(self, first_name: str) -> Person:
        n = next(self.ids)
        locale = "ky" if n % 2 else "ru"
        return self.api.person(100_000 + n, first_name, f"{surname(n)}ова", locale)

    async def set_up(self, number: int) -> Council:
        chair = self.new_person("Гүлнара")
        group = self.api.group(-1_000_000 - number, f"Мектеп №{number}", admins={chair.id})
        council = Council(number, chair, group)
        posted = await self.said(chair, group.chat, "/setup", group.id, lambda m: "start=join_" in str(m.reply_markup))
        council.join_code = re.search(r"start=join_([\w-]+)", str(posted.reply_markup)).group(1)
        await self.register(council, chair, role=None)
        return council

    async def register(self, council: Council, person: Person, role: str | None = "teacher") -> None:
        """The join link, language, name, role (not for the chair), the regulation; the chair approves."""
        private = person.private_chat
        chair_before = len(self.api.sent_to(council.chair.id))
        prompt = await self.said(person, private, f"/start join_{council.join_code}", person.id, has_button("lg:"))
        await self.press(person, prompt, f"lg:{person.language_code}")
        name = f"{person.last_name} {person.first_name}"
        if role is not None:
            roles = await self.said(person, private, name, person.id, has_button("rl:"))
            before = len(self.api.sent_to(person.id))
            await self.press(person, roles, f"rl:{role}")
            regulation = await self.next_to(person.id, before, has_button("rg:"))
        else:
            regulation = await self.said(person, private, name, person.id, has_button("rg:"))
        await self.press(person, regulation, "rg:")
        if role is not None:
            application = await self.next_to(
                council.chair.id, chair_before, lambda m: name in m.text and has_button("ap:a:")(m)
            )
            await self.press(council.chair, application, "ap:a:")
        council.people.append(person)

    async def submit_material(self, council: Council, author: Person, title: str) -> None:
        content = MATERIAL + title.encode()  # each file its own: the same file twice is stored once
        upload = self.api.document_update(author, content, f"{title}.docx")
        ask_title = await self.exchange(upload, author.id, has_button("st:title"))
        before = len(self.api.sent_to(author.id))
        await self.press(author, ask_title, "st:title")
        kinds = await self.next_to(author.id, before, has_button("mk:"))
        await self.press(author, kinds, "mk:")
        chair_before = len(self.api.sent_to(council.chair.id))
        ask_more = await self.said(author, author.private_chat, "Математика", author.id, has_button("st:skip"))
        await self.press(author, ask_more, "st:skip")
        card = await self.next_to(council.chair.id, chair_before, has_button("ml:a:"))
        before = len(self.api.sent_to(council.chair.id))
        await self.press(council.chair, card, "ml:a:")
        ask_comment = await self.next_to(council.chair.id, before, has_button("st:nocomment"))
        await self.press(council.chair, ask_comment, "st:nocomment")

    async def announce(self, council: Council, day: datetime) -> None:
        chair = council.chair
        text = f"/agenda {day:%d.%m.%Y} 15:00 Кабинет {council.number}{AGENDA}"
        preview = await self.said(chair, chair.private_chat, text, chair.id, has_button("ag:p:"))
        await self.press(chair, preview, "ag:p:")

    async def hold_meeting(self, council: Council) -> None:
        chair, group = council.chair, council.group
        attendance = await self.said(chair, group.chat, "/open", group.id, has_button("pr:"))
        present = [p for i, p in enumerate(council.people) if i % 10 != 9]  # nine in ten
        await asyncio.gather(*(self.press(person, attendance, "pr:") for person in present))
        for number, decision in enumerate(DECISIONS, start=1):
            vote = await self.said(chair, group.chat, f"/vote {number} {decision}", group.id, has_button("v:"))
            await asyncio.gather(
                *(
                    self.press(p, vote, f"v:{vote.buttons[0]['callback_data'].split(':')[1]}:{CHOICES[i % 5]}")
                    for i, p in enumerate(present)
                )
            )
        await self.said(chair, group.chat, "/close", group.id, lambda m: m.method == "sendDocument")

    async def look_back(self, council: Council) -> None:
        chair, member = council.chair, council.people[1]
        # The year in figures: the message, the spreadsheet (a document), then the chart (a photo).
        await self.said(chair, chair.private_chat, "/report", chair.id, lambda m: m.method == "sendPhoto")
        await self.said(member, member.private_chat, "/bank", member.id, lambda m: True)
        await self.said(member, member.private_chat, "/protocols", member.id, lambda m: True)


@dataclass
class Quarter:
    updates: int
    seconds: float
    rss: float

    @property
    def rate(self) -> float:
        return self.updates / self.seconds


async def school_year(args: argparse.Namespace, url: str, tmp: Path) -> list[Quarter]:
    import libfaketime

    BOT_LOG.unlink(missing_ok=True)  # noqa: ASYNC240 - before the run
    api = SoakAPI()
    await api.start()
    year = Year(api, tmp / "faketime", args.at_once)
    year.move_clock(BEFORE_THE_YEAR)
    env = bot_environment(api, TOKEN, url, tmp, LOG_LEVEL="WARNING", MAX_PRESSES_PER_SECOND="1000")
    env.update(libfaketime.get_reload_information()[1])
    env.update(FAKETIME_TIMESTAMP_FILE=str(year.clock_file), DONT_FAKE_MONOTONIC="1")
    ready = polls_after(api)
    process = await start([sys.executable, "-m", "bot"], env, tmp, BOT_LOG, ready, settle=2.0)  # in tmp: no .env
    quarters: list[Quarter] = []
    try:
        began = time.perf_counter()
        councils = await asyncio.gather(*(year.set_up(n) for n in range(1, args.councils + 1)))
        await asyncio.gather(
            *(year.register(c, year.new_person("Айгүл")) for c in councils for _ in range(args.members - 1))
        )
        await year.quiet()
        print(
            f"before the year: {args.councils} councils set up, {args.councils * args.members} people registered: "
            f"{api.pushed} updates in {time.perf_counter() - began - QUIET_S:.0f} s; "
            f"resident {rss_mb(process.pid):.1f} MB",
            flush=True,
        )
        for number, first_day in enumerate(QUARTERS, start=1):
            began, pushed = time.perf_counter(), api.pushed
            year.move_clock(first_day)

            async def the_quarter_begins(council: Council, number: int = number) -> None:
                await year.register(council, year.new_person("Бакыт"))
                for author in council.people[1:3]:
                    await year.submit_material(council, author, f"Сабак_{number}_{author.id}")

            await asyncio.gather(*(the_quarter_begins(c) for c in councils))
            day = first_day
            for _ in range(args.meetings):
                meeting_day = day + timedelta(days=8)
                await asyncio.gather(*(year.announce(c, meeting_day) for c in councils))
                await year.quiet()
                year.move_clock(meeting_day.replace(hour=12))
                await asyncio.gather(*(year.hold_meeting(c) for c in councils))
                day = meeting_day + timedelta(days=1)
                year.move_clock(day)
            await asyncio.gather(*(year.look_back(c) for c in councils))
            await year.quiet()
            quarter = Quarter(api.pushed - pushed, time.perf_counter() - began - QUIET_S, rss_mb(process.pid))
            quarters.append(quarter)
            print(
                f"quarter {number} ({first_day:%d.%m.%Y}): {quarter.updates} updates in {quarter.seconds:.0f} s = "
                f"{quarter.rate:.1f}/s; resident {quarter.rss:.1f} MB",
                flush=True,
            )
    finally:
        await stop(process)
        await api.stop()
    return quarters


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--councils", type=int, default=50)
    parser.add_argument("--members", type=int, default=8, help="people per council before the year, the chair too")
    parser.add_argument("--meetings", type=int, default=1, help="meetings per council in each quarter")
    # 16: more than SQLAlchemy's pool of 15 connections. It was 4 while each state change of a conversation took
    # a second connection besides its update's (about 8 at once used the pool up: bot/runtime/fsm_storage.py).
    parser.add_argument("--at-once", type=int, default=16, help="updates waiting for their answer at any moment")
    parser.add_argument("--db", choices=("sqlite", "pg"), default="sqlite")
    args = parser.parse_args()
    database = "SQLite" if args.db == "sqlite" else "PostgreSQL"
    print(f"{args.councils} councils of {args.members} through the school year 2027-2028; Kenesh on {database}")
    began = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as name:
            async with Database(args.db, Path(name)) as url:
                quarters = await school_year(args, url, Path(name))
    finally:
        log = BOT_LOG.read_text() if BOT_LOG.exists() else ""  # noqa: ASYNC240 - at exit
        failures = re.findall(r"^\S+ \S+ ERROR .*$", log, re.MULTILINE)
        if failures:
            print(f"the bot logged {len(failures)} error(s), the first: {failures[0]}; its log: {BOT_LOG}")
    growth = quarters[3].rss - quarters[1].rss
    print(f"{time.perf_counter() - began:.0f} s in all")
    print(
        f"resident memory, last quarter against the second: {growth:+.1f} MB "
        f"(target: within 10 MB: {'met' if abs(growth) <= 10 else 'NOT met'})"
    )
    print(f"| quarter | updates | updates/s | resident MB ({database}) |")
    for number, quarter in enumerate(quarters, start=1):
        print(f"| {number} | {quarter.updates} | {quarter.rate:.1f} | {quarter.rss:.1f} |")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
