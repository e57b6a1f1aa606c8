"""What the benchmarks that run the real process share: a fresh database, the bot's environment, and starting and
stopping a bot process (`python -m bot`, or scripts/bare_bot.py) against a Bot API stand-in (tests/botapi.py).
Used by bench_votes.py, bench_reminder_minute.py and bench_soak.py."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from tests.botapi import BotAPI

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


class Database:
    """A SQLite file in the temporary directory, or a new PostgreSQL database on PG_SERVER dropped at the end."""

    def __init__(self, kind: str, tmp: Path) -> None:
        self.kind, self.tmp = kind, tmp
        self.name = f"kenesh_bench_{uuid.uuid4().hex[:10]}"
        self.url = ""

    async def __aenter__(self) -> str:
        if self.kind == "sqlite":
            self.url = f"sqlite+aiosqlite:///{self.tmp / 'kenesh.db'}"
            return self.url
        admin = create_async_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as connection:
                await connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        finally:
            await admin.dispose()
        self.url = make_url(PG_SERVER).set(database=self.name).render_as_string(hide_password=False)
        return self.url

    async def __aexit__(self, *exc: object) -> None:
        if self.kind == "pg":
            admin = create_async_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
            try:
                async with admin.connect() as connection:
                    await connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            finally:
                await admin.dispose()


def bot_environment(api: BotAPI, token: str, url: str, tmp: Path, **settings: str) -> dict[str, str]:
    """This process's environment without the bot's own settings (no BOT_*, DATABASE_*, TELEGRAM_*, WEBHOOK_*,
    REDIS_URL of the shell leaks in), then the stand-in, the database, files in `tmp`, and `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_", "TELEGRAM_", "WEBHOOK_"))}
    env.pop("REDIS_URL", None)
    env.update(
        BOT_TOKEN=token,
        TELEGRAM_API_URL=api.base_url,
        DATABASE_URL=url,
        STORAGE_DIR=str(tmp / "files"),
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    return env


def polls_after(api: BotAPI) -> Callable[[], bool]:
    """Whether the bot has polled the stand-in since now (a process started on a stand-in used before)."""
    before = sum(1 for method, _ in api.calls if method == "getUpdates")
    return lambda: sum(1 for method, _ in api.calls if method == "getUpdates") > before


async def start(
    args: list[str],
    env: dict[str, str],
    cwd: Path,
    log: Path,
    ready: Callable[[], bool],
    *,
    within: float = 60.0,
    settle: float = 0.0,
) -> asyncio.subprocess.Process:
    """Start a bot process, its output appended to `log`, and wait until `ready()` (it polls, or has set its
    webhook), then `settle` seconds more for its start-up work (the command menus). RuntimeError, with the end
    of the log, when it exits or is not ready within `within` seconds."""
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(*args, env=env, cwd=cwd, stdout=out, stderr=out)
    deadline = time.monotonic() + within
    while not ready():
        if process.returncode is not None or time.monotonic() > deadline:
            await stop(process)
            raise RuntimeError(f"{args[1:3]} did not start:\n{log.read_text()[-3000:]}")  # noqa: ASYNC240 - at exit
        await asyncio.sleep(0.2)
    await asyncio.sleep(settle)
    return process


async def stop(process: asyncio.subprocess.Process, within: float = 30.0) -> None:
    """SIGTERM, as a service manager stops the bot; killed if it has not exited within `within` seconds."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), within)
        except TimeoutError:
            process.kill()
            await process.wait()
