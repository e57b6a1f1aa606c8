"""Benchmark the vote button (the hot path) of the real process against a bare aiogram bot that only answers.

    .venv/bin/python scripts/bench_votes.py [--db sqlite|pg] [--members 500] [--rounds 3] [--secret]

Two processes, one after the other, each polling its own Bot API stand-in (tests/botapi.py) over HTTP on
loopback, as they would poll api.telegram.org:
- a bare aiogram bot (a Dispatcher with one handler that answers every callback query), and
- Kenesh, `python -m bot` as the end-to-end tests start it, on a database seeded before it starts: one
  council of `members` approved members, an open meeting with all of them on the roster and present, and one
  open vote. `--db pg` creates a fresh database on 127.0.0.1:5432 (user postgres) and drops it after.
  `--secret`: the vote is a secret ballot, opened by the chair's /secretvote once Kenesh runs (its key lives
  in the process), so each press is sealed (bot/ballot_seal.py) and its voter recorded.
Every member presses a vote button once (a different Telegram user per press, so the MAX_PRESSES_PER_SECOND
throttle stays in force without refusing anyone); all presses are queued in the stand-in at one moment. A
press's latency runs from that moment to its answerCallbackQuery reaching the stand-in; presses per second are
the presses over the time to the last answer. Each round measures the bare bot, then Kenesh; prints each
round and the medians over the rounds (the machine may be busy with something else during one turn), the
ratios against the targets (Kenesh >= 0.7 x the bare bot's presses/s, p99 <= 2 x the bare bot's p99), and a
README table row; checks that every press was answered "saved" in its member's language and that the
database holds exactly that many ballots.
A script that prints figures, not a test; exit status 1 when a ballot count or an answer is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import gettext
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402

from db.engine import create_engine, make_sessionmaker, migrate  # noqa: E402
from db.models import (  # noqa: E402
    Attendance,
    Ballot,
    Council,
    Meeting,
    MeetingStatus,
    Member,
    MemberStatus,
    Role,
    RosterEntry,
    SealedBallot,
    User,
    Vote,
)
from scripts._process import Database, bot_environment, polls_after, start, stop  # noqa: E402
from tests.botapi import BotAPI, Sent  # noqa: E402

TOKEN = "123456:BENCH"
GROUP = -1001234
VOTE_MESSAGE = 7
CHOICES = ("for", "against", "abstain")

BARE_BOT = str(ROOT / "scripts" / "bare_bot.py")  # the same bare bot for every benchmark


class TimedAPI(BotAPI):
    """The stand-in, noting when each answerCallbackQuery arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.answered_at: dict[str, float] = {}

    async def _m_answerCallbackQuery(self, params: dict, files: dict) -> bool:
        self.answered_at.setdefault(params["callback_query_id"], time.perf_counter())
        return await super()._m_answerCallbackQuery(params, files)


@dataclass
class Figures:
    presses: int
    elapsed: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.presses / self.elapsed

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]

    def line(self, name: str) -> str:
        return (
            f"{name:>7}: {self.presses} presses answered in {self.elapsed:5.2f} s = {self.rate:6.1f}/s; "
            f"press -> answer p50 {self.pct(50) * 1000:5.0f} ms, p95 {self.pct(95) * 1000:5.0f} ms, "
            f"p99 {self.pct(99) * 1000:5.0f} ms"
        )


# -- the database ---------------------------------------------------------------------------------------------


def language_of(n: int) -> str:
    return "ky" if n % 2 else "ru"


async def seed(url: str, members: int, *, vote: bool = True) -> int:
    """One council, `members` approved members (user ids 1..members; 1 is the chair), an open meeting with all
    of them on the roster and present, one open vote whose message is in the group (none when not `vote`: the
    chair opens a secret ballot in the running bot). Returns the vote's id."""
    engine = create_engine(url)
    try:
        await migrate(engine)
        now = datetime.now(UTC)
        users = [{"id": n, "language": language_of(n), "created_at": now} for n in range(1, members + 1)]
        rows = [
            {
                "id": n,
                "council_id": 1,
                "user_id": n,
                "full_name": f"Мугалим {n}",
                "role": Role.CHAIR if n == 1 else Role.TEACHER,
                "status": MemberStatus.APPROVED,
                "applied_at": now,
                "regulation_confirmed_at": now,
            }
            for n in range(1, members + 1)
        ]
        async with make_sessionmaker(engine)() as session:
            await session.execute(insert(User), users)
            await session.execute(
                insert(Council),
                [{"id": 1, "chat_id": GROUP, "title": "Bench", "join_code": "bench", "chair_id": 1, "created_at": now}],
            )
            await session.execute(insert(Member), rows)
            await session.execute(
                insert(Meeting),
                [
                    {
                        "id": 1,
                        "council_id": 1,
                        "starts_at": now,
                        "status": MeetingStatus.OPEN,
                        "created_by": 1,
                        "created_at": now,
                        "announced_at": now,
                        "opened_at": now,
                    }
                ],
            )
            roster = [{"meeting_id": 1, "member_id": r["id"], "full_name": r["full_name"]} for r in rows]
            await session.execute(insert(RosterEntry), roster)
            await session.execute(
                insert(Attendance),
                [{"meeting_id": 1, "member_id": r["id"], "marked_by": r["id"], "marked_at": now} for r in rows],
            )
            if vote:
                await session.execute(
                    insert(Vote),
                    [
                        {
                            "id": 1,
                            "meeting_id": 1,
                            "decision": "Бекитилсин / Утвердить",
                            "secret": False,
                            "is_open": True,
                            "opened_at": now,
                            "message_id": VOTE_MESSAGE,
                        }
                    ],
                )
            await session.commit()
            if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
                for table in ("councils", "members", "meetings", "attendance") + (("votes",) if vote else ()):
                    sequence = f"pg_get_serial_sequence('{table}', 'id')"
                    await session.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))"))
                await session.commit()
        return 1
    finally:
        await engine.dispose()


async def ballots_stored(url: str) -> int:
    engine = create_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            plain = await session.scalar(select(func.count()).select_from(Ballot))
            return plain + await session.scalar(select(func.count()).select_from(SealedBallot))
    finally:
        await engine.dispose()


async def open_secret_ballot(api: TimedAPI) -> Sent:
    """The chair sends /secretvote in the group, as in a meeting; the vote's message as the bot posted it."""
    group = api.group(GROUP, "Bench", admins={1})
    posted = len(api.outbox)
    api.updates.append(api.message_update(api.person(1, "Chair"), group.chat, "/secretvote Бекитилсин / Утвердить"))
    await api._notify()
    await api.wait_for(lambda: any(m.chat_id == GROUP for m in api.outbox[posted:]), within=30)
    return next(m for m in api.outbox[posted:] if m.chat_id == GROUP)


async def press_all(
    api: TimedAPI, members: int, vote_id: int, message: Sent | None = None
) -> tuple[Figures, dict[str, int]]:
    """Queue one press per member at one moment; wait for every answer. Returns the figures and, per
    callback query id, the member who pressed."""
    if message is None:
        api.group(GROUP, "Bench")
        message = Sent(GROUP, VOTE_MESSAGE, "Bench", "Bench", None, "sendMessage")
        api.messages[(GROUP, VOTE_MESSAGE)] = message
        api.outbox.append(message)
    updates, pressed_by = [], {}
    for n in range(1, members + 1):
        person = api.person(n, f"M{n}", None, "ru" if language_of(n) == "ky" else "ky")  # the stored one counts
        update = api.callback_update(person, message, f"v:{vote_id}:{CHOICES[n % 3]}")
        pressed_by[update["callback_query"]["id"]] = n
        updates.append(update)
    api.updates.extend(updates)
    start = time.perf_counter()
    await api._notify()  # the bot's pending getUpdates returns them now
    await api.wait_for(lambda: len(api.answered_at) >= members, within=300)
    latencies = [api.answered_at[query] - start for query in pressed_by]
    return Figures(members, max(latencies), latencies), pressed_by


def saved_prefixes() -> dict[str, str]:
    """ "Saved: {choice}" in each language, up to the choice."""
    prefixes = {}
    for language in ("ky", "ru"):
        catalog = gettext.translation("messages", ROOT / "locales", languages=[language])
        prefixes[language] = catalog.gettext("Saved: {choice}").split("{choice}")[0]
    return prefixes


def environment(api: BotAPI, url: str, tmp: Path) -> dict[str, str]:
    # MAX_PRESSES_PER_SECOND: the default; one press per person never reaches it.
    return bot_environment(api, TOKEN, url, tmp, LOG_LEVEL="WARNING", MAX_PRESSES_PER_SECOND="5")


async def run_bare(members: int, tmp: Path) -> Figures:
    api = TimedAPI()
    await api.start()
    try:
        env = environment(api, "sqlite+aiosqlite:///unused.db", tmp)
        bare = [sys.executable, BARE_BOT, TOKEN, api.base_url]
        process = await start(bare, env, tmp, tmp / "bare.log", polls_after(api), settle=2.0)
        try:
            figures, _ = await press_all(api, members, 1)
        finally:
            await stop(process)
    finally:
        await api.stop()
    return figures


async def run_kenesh(members: int, db: str, tmp: Path, secret: bool) -> tuple[Figures, int, int, int]:
    """Figures, answers "saved" in the member's language, other answers, ballots stored."""
    async with Database(db, tmp) as url:
        vote_id = await seed(url, members, vote=not secret)
        api = TimedAPI()
        await api.start()
        try:
            env, log = environment(api, url, tmp), tmp / "kenesh.log"
            process = await start([sys.executable, "-m", "bot"], env, tmp, log, polls_after(api), settle=2.0)
            try:
                message = await open_secret_ballot(api) if secret else None
                figures, pressed_by = await press_all(api, members, vote_id, message)
            finally:
                await stop(process)
        finally:
            await api.stop()
        prefixes = saved_prefixes()
        saved = sum(
            1
            for query, n in pressed_by.items()
            if api.answers[query].get("text", "").startswith(prefixes[language_of(n)])
        )
        others = sorted({api.answers[q].get("text", "") for q in pressed_by} - {""})
        if saved != members:
            print("answers other than saved:", [t for t in others if not t.startswith(tuple(prefixes.values()))][:5])
        return figures, saved, members - saved, await ballots_stored(url)


def median(values: list[float]) -> float:
    return statistics.median(values)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "pg"), default="sqlite")
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3, help="bare then Kenesh, this many times; medians")
    parser.add_argument("--secret", action="store_true", help="a secret ballot: every press sealed")
    args = parser.parse_args()
    database = "SQLite" if args.db == "sqlite" else "PostgreSQL"
    kind = "secret ballot" if args.secret else "vote"
    print(f"{args.members} members press one {kind} button at once; Kenesh on {database}, both polling over HTTP")
    bares, keneshes, failed = [], [], False
    for round_ in range(1, args.rounds + 1):
        with tempfile.TemporaryDirectory() as name:
            tmp = Path(name)
            bare = await run_bare(args.members, tmp)
            kenesh, saved, others, stored = await run_kenesh(args.members, args.db, tmp, args.secret)
        print(f"round {round_}:")
        print(bare.line("bare"))
        print(kenesh.line("Kenesh"))
        print(f"  ratio {kenesh.rate / bare.rate:.2f}; answered saved: {saved}, otherwise: {others}; ballots: {stored}")
        bares.append(bare)
        keneshes.append(kenesh)
        failed |= stored != saved or saved != args.members
    # The machine may be busy with other work during one bot's turn: medians over the rounds.
    rate = {name: median([f.rate for f in runs]) for name, runs in (("bare", bares), ("kenesh", keneshes))}
    pcts = {
        name: [median([f.pct(p) for f in runs]) * 1000 for p in (50, 95, 99)]
        for name, runs in (("bare", bares), ("kenesh", keneshes))
    }
    rate_ratio, p99_ratio = rate["kenesh"] / rate["bare"], pcts["kenesh"][2] / pcts["bare"][2]
    verdict = {True: "met", False: "NOT met"}
    print(f"medians of {args.rounds} round(s):")
    print(
        f"  presses/s: bare {rate['bare']:.0f}, Kenesh {rate['kenesh']:.0f} = {rate_ratio:.2f} x "
        f"(target >= 0.7: {verdict[rate_ratio >= 0.7]}); p99 {p99_ratio:.2f} x the bare bot's "
        f"(target <= 2: {verdict[p99_ratio <= 2]})"
    )
    print("| database | bare presses/s | Kenesh presses/s | ratio | bare p50 / p95 / p99 | Kenesh p50 / p95 / p99 |")
    row = f"{database}, secret ballot" if args.secret else database
    print(
        f"| {row} | {rate['bare']:.0f} | {rate['kenesh']:.0f} | {rate_ratio:.2f} | "
        + " / ".join(f"{v:.0f}" for v in pcts["bare"])
        + " ms | "
        + " / ".join(f"{v:.0f}" for v in pcts["kenesh"])
        + " ms |"
    )
    if failed:
        print("FAILED: every press must be answered saved, with its ballot stored", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
