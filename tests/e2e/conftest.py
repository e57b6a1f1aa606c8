"""The real bot process (`python -m bot`) against the Bot API stand-in, over HTTP, as in production."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.botapi import BotAPI, Group, Person, Sent
from tests.conftest import TOKEN

ROOT = Path(__file__).resolve().parents[2]


class BotProcess:
    def __init__(self, api: BotAPI, workdir: Path, env: dict[str, str]) -> None:
        self.api, self.workdir, self.env = api, workdir, env
        self.process: asyncio.subprocess.Process | None = None
        self.log = workdir / "bot.log"
        self.db_path = workdir / "kenesh.db"

    def ready_mark(self) -> int:
        """Grows once the process is ready for updates: here, its getUpdates calls."""
        return sum(1 for method, _ in self.api.calls if method == "getUpdates")

    async def start(self, fake_time: str | None = None, fake_monotonic: bool = False) -> None:
        """Start `python -m bot`; with fake_time ("@2026-12-03 06:00:00", UTC) under libfaketime.
        fake_monotonic: the monotonic clock follows too (with a speed-up such as " x20", asyncio's timers run
        faster as well)."""
        await self.launch(fake_time, fake_monotonic)
        polls = self._mark_before
        try:
            await self.api.wait_for(lambda: self.ready_mark() > polls or self.process.returncode is not None, 90)
        except AssertionError:
            pass
        if self.ready_mark() <= polls:
            raise AssertionError(f"the bot did not start polling:\n{self.log.read_text()}")

    async def launch(self, fake_time: str | None = None, fake_monotonic: bool = False) -> None:
        """Start the process without waiting for it to be ready."""
        self._mark_before = self.ready_mark()
        log = self.log.open("ab")
        env = dict(self.env)
        if fake_time:
            import libfaketime

            env.update(libfaketime.get_reload_information()[1])
            env["FAKETIME"] = fake_time  # the clock starts there and runs on
            if fake_monotonic:
                env["DONT_FAKE_MONOTONIC"] = "0"
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=self.workdir, env=env, stdout=log, stderr=log
        )

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(sig)
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                self.process.send_signal(signal.SIGABRT)  # PYTHONFAULTHANDLER: every thread's stack to the log
                try:
                    await asyncio.wait_for(self.process.wait(), 5)
                except TimeoutError:
                    self.process.kill()
                    await self.process.wait()
        return self.process.returncode

    def query(self, sql: str, *params) -> list[tuple]:
        with sqlite3.connect(self.db_path) as connection:
            return connection.execute(sql, params).fetchall()

    def execute(self, sql: str, rows: list[tuple]) -> None:
        with sqlite3.connect(self.db_path, timeout=10) as connection:
            connection.executemany(sql, rows)

    # -- people acting through Telegram --------------------------------------------------------------------

    async def say(self, person: Person, chat: dict | Group | Person, text: str, expect_in: int | None = None) -> Sent:
        """Send text; wait for the bot's next message in `expect_in` (default: the chat itself)."""
        chat_dict = chat.chat if isinstance(chat, Group) else chat.private_chat if isinstance(chat, Person) else chat
        target = expect_in if expect_in is not None else chat_dict["id"]
        before = len(self.api.sent_to(target))
        await self.api.push(self.api.message_update(person, chat_dict, text))
        return await self.api.wait_sent(target, before)

    async def say_and_find(self, person: Person, chat: Group | Person, text: str, predicate) -> Sent:
        """Send text; wait for the bot's message in that chat that satisfies predicate (others may come first)."""
        chat_dict = chat.chat if isinstance(chat, Group) else chat.private_chat
        before = len(self.api.sent_to(chat_dict["id"]))
        await self.api.push(self.api.message_update(person, chat_dict, text))
        return await self.api.wait_for(
            lambda: next((m for m in self.api.sent_to(chat_dict["id"])[before:] if predicate(m)), None)
        )

    async def press(self, person: Person, message: Sent, label: str) -> dict:
        update = self.api.callback_update(person, message, message.button(label)["callback_data"])
        query_id = update["callback_query"]["id"]
        await self.api.push(update)
        return await self.api.wait_for(lambda: self.api.answers.get(query_id))

    async def add_bot(self, person: Person, group: Group) -> Sent:
        before = len(self.api.sent_to(group.id))
        await self.api.push(self.api.bot_added_update(person, group))
        return await self.api.wait_sent(group.id, before)


@pytest.fixture
async def bot_process(api: BotAPI, tmp_path: Path) -> AsyncIterator[BotProcess]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("BOT_", "DATABASE_", "TELEGRAM_"))}
    env.update(
        {
            "BOT_TOKEN": TOKEN,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'kenesh.db'}",
            "TELEGRAM_API_URL": api.base_url,
            "LOG_LEVEL": "INFO",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "PYTHONFAULTHANDLER": "1",
            # A test presses faster than any hand: the "too fast" limit has its own flow test.
            "MAX_PRESSES_PER_SECOND": "1000",
        }
    )
    process = BotProcess(api, tmp_path, env)
    await process.start()
    yield process
    await process.stop()
