"""Webhook mode and several instances: the real `python -m bot` processes against the Bot API stand-in.

- One webhook instance (SQLite): updates arrive by POST with the secret, others get 401; /healthz answers.
- A second process on the same SQLite database is refused, saying why.
- Two webhook instances on PostgreSQL + Redis, updates spread over both: a meeting with votes split across
  the instances gives one correct tally, one protocol, one reminder each (needs KENESH_TEST_DATABASE_URL
  and KENESH_TEST_REDIS_URL; `make test-pg`).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import uuid
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.ui.regulation import regulation_version
from tests.botapi import BotAPI
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL, TOKEN, redis_namespace, scratch_database
from tests.e2e.conftest import ROOT, BotProcess
from tests.e2e.test_meeting_day import AGENDA, faketime_for, in_days

SECRET = "kenesh-test-secret_0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def base_env(api: BotAPI, database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("BOT_", "DATABASE_", "TELEGRAM_"))}
    env.update(
        {
            "BOT_TOKEN": TOKEN,
            "DATABASE_URL": database_url,
            "TELEGRAM_API_URL": api.base_url,
            "LOG_LEVEL": "INFO",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "PYTHONFAULTHANDLER": "1",
        }
    )
    return env


class WebhookProcess(BotProcess):
    """`python -m bot` with WEBHOOK_URL set: ready once it has called setWebhook with its URL."""

    def __init__(self, api: BotAPI, workdir: Path, env: dict[str, str], name: str) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/tg/updates"
        env = {**env, "WEBHOOK_URL": self.url, "WEBHOOK_SECRET": SECRET, "WEB_PORT": str(self.port)}
        super().__init__(api, workdir, env)
        self.log = workdir / f"bot-{name}.log"

    def ready_mark(self) -> int:
        return sum(1 for method, params in self.api.calls if method == "setWebhook" and params.get("url") == self.url)

    async def healthz(self) -> int:
        async with aiohttp.ClientSession() as client, client.get(f"http://127.0.0.1:{self.port}/healthz") as response:
            return response.status


async def test_webhook_takes_updates_with_the_secret_only_and_answers_health_checks(api, tmp_path):
    bot = WebhookProcess(api, tmp_path, base_env(api, f"sqlite+aiosqlite:///{tmp_path / 'kenesh.db'}"), "one")
    await bot.start()
    try:
        (_, params) = next(call for call in api.calls if call[0] == "setWebhook")
        assert params["secret_token"] == SECRET
        assert {"message", "callback_query", "my_chat_member"} <= set(params["allowed_updates"])
        assert await bot.healthz() == 200

        chair = api.person(10, "Гүлнара", "Осмонова", "ru")
        update = api.message_update(chair, chair.private_chat, "/start")
        async with aiohttp.ClientSession() as client:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with client.post(bot.url, json=update, headers=headers) as response:
                    assert response.status == 401
        assert api.outbox == []  # nothing handled

        reply = await bot.say(chair, chair, "/start")  # through the stand-in, with the secret
        assert reply.text
        await api.wait_for(lambda: api.deliveries_to(bot.url) == 1)  # answered 200 once handled
    finally:
        assert await bot.stop() == 0
    assert "Traceback" not in bot.log.read_text()


async def test_a_second_process_on_one_sqlite_database_is_refused(api, bot_process, tmp_path):
    second = BotProcess(api, tmp_path, bot_process.env)
    second.log = tmp_path / "second.log"
    await second.launch()
    assert await asyncio.wait_for(second.process.wait(), 30) == 2
    said = second.log.read_text()
    assert "another Kenesh process is already running" in said and "PostgreSQL" in said and "REDIS_URL" in said
    assert "Traceback" not in said
    chair = api.person(10, "Гүлнара", "Осмонова", "ru")
    assert (await bot_process.say(chair, chair, "/start")).text  # the first one goes on


needs_servers = pytest.mark.skipif(
    not (TEST_DATABASE_URL and TEST_REDIS_URL),
    reason="needs KENESH_TEST_DATABASE_URL (PostgreSQL) and KENESH_TEST_REDIS_URL (make test-pg)",
)


class Database:
    def __init__(self, url: str) -> None:
        self.engine = create_async_engine(url)

    async def query(self, sql: str, **params) -> list[tuple]:
        async with self.engine.connect() as connection:
            return [tuple(row) for row in (await connection.execute(text(sql), params)).all()]

    async def execute(self, sql: str, rows: list[dict]) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(text(sql), rows)


async def seed_members(db: Database, api: BotAPI, council_id: int, count: int) -> list:
    now = datetime.now(UTC)
    edition = regulation_version()
    await db.execute(  # the chair's own confirmation of the regulation, as the chair's join link would store it
        "UPDATE members SET regulation_confirmed_at = :at, regulation_version = :edition "
        "WHERE council_id = :council_id AND role = 'chair'",
        [{"at": now, "edition": edition, "council_id": council_id}],
    )
    people, users, members = [], [], []
    for n in range(1, count):
        locale = "ky" if n % 2 else "ru"
        person = api.person(300 + n, f"Мугалим{n}", f"Фамилия{n:02d}", locale)
        api.started.add(person.id)
        people.append(person)
        users.append({"id": person.id, "language": locale, "created_at": now})
        name = f"Фамилия{n:02d} Мугалим{n}"
        members.append({"council_id": council_id, "user_id": person.id, "name": name, "at": now, "edition": edition})
    await db.execute("INSERT INTO users (id, language, created_at) VALUES (:id, :language, :created_at)", users)
    await db.execute(
        "INSERT INTO members (council_id, user_id, full_name, role, status, regulation_confirmed_at, "
        "regulation_version, applied_at) "
        "VALUES (:council_id, :user_id, :name, 'teacher', 'approved', :at, :edition, :at)",
        members,
    )
    return people


async def press_all(api: BotAPI, presses: list[tuple]) -> list[dict]:
    """Everyone presses at once; the stand-in spreads the presses over the instances."""
    ids = []
    for person, message, label in presses:
        update = api.callback_update(person, message, message.button(label)["callback_data"])
        ids.append(update["callback_query"]["id"])
        await api.push(update)
    await api.wait_for(lambda: all(query_id in api.answers for query_id in ids), within=60)
    return [api.answers[query_id] for query_id in ids]


@needs_servers
async def test_two_instances_give_one_tally_one_protocol_and_one_reminder_each(api, tmp_path):
    prefix = f"kenesh-e2e-{uuid.uuid4().hex[:8]}"
    async with scratch_database(tmp_path) as url, redis_namespace(prefix):
        db = Database(url)
        env = {**base_env(api, url), "REDIS_URL": TEST_REDIS_URL, "REDIS_PREFIX": prefix}
        env["STORAGE_DIR"] = str(tmp_path / "files")
        one, two = WebhookProcess(api, tmp_path / "one", env, "one"), WebhookProcess(api, tmp_path / "two", env, "two")
        try:
            await asyncio.gather(one.start(), two.start())
            assert await one.healthz() == 200 and await two.healthz() == 200

            # Without REDIS_URL, a third instance is refused while these run.
            lone = WebhookProcess(api, tmp_path / "lone", {k: v for k, v in env.items() if k != "REDIS_URL"}, "lone")
            await lone.launch()
            assert await asyncio.wait_for(lone.process.wait(), 30) == 2
            assert "REDIS_URL" in lone.log.read_text() and "Traceback" not in lone.log.read_text()

            chair = api.person(10, "Гүлнара", "Осмонова", "ru")
            group = api.group(-1007, "Мектеп №7", admins={10})
            await one.say(chair, group, "/setup")
            ((council_id,),) = await db.query("SELECT id FROM councils")
            people = [chair, *await seed_members(db, api, council_id, 10)]
            await one.say(chair, chair, "/start")
            meeting_day = in_days(8)
            preview = await one.say(chair, chair, f"/agenda {meeting_day:%d.%m.%Y} 15:00 Кабинет 12{AGENDA}")
            assert (await one.press(chair, preview, "Опубликовать"))["text"] == "Опубликовано"
            await api.wait_for(lambda: all(api.sent_to(p.id) for p in people[1:]), within=30)
            assert await one.stop() == 0 and await two.stop() == 0

            # The meeting day, 12:00: both instances start; the day-before reminder, missed, goes out once.
            fake = faketime_for(meeting_day)

            def took_over(process) -> int:  # "Scheduler: instance X runs the scheduled work" (a standby names another)
                return len(
                    re.findall(
                        r"Scheduler: instance \S+ (?:runs|takes over) the scheduled work", process.log.read_text()
                    )
                )

            led_before = {p: took_over(p) for p in (one, two)}
            await asyncio.gather(one.start(fake_time=fake), two.start(fake_time=fake))
            leaders = [p for p in (one, two) if took_over(p) > led_before[p]]
            assert len(leaders) == 1  # the scheduled work runs on exactly one of them

            def reminders(chat_id: int) -> list:
                return [m for m in api.sent_to(chat_id) if "Напоминание" in m.text or "Эскертме" in m.text]

            await api.wait_for(lambda: all(reminders(p.id) for p in people) and reminders(group.id), within=60)

            attendance = await one.say_and_find(chair, group, "/open", lambda m: "Присутствую" in str(m.reply_markup))
            await press_all(api, [(person, attendance, "Присутствую") for person in people[:8]])
            vote = await one.say_and_find(
                chair, group, "/vote 1 Мектептин методикалык темасын бекитүү", lambda m: "Макул" in str(m.reply_markup)
            )
            choices = ["Макул"] * 5 + ["Каршы"] * 2 + ["Калыс"]
            answers = await press_all(api, [(p, vote, c) for p, c in zip(people, choices, strict=False)])
            assert all(a["text"].startswith(("Добушуңуз кабыл алынды", "Голос учтён")) for a in answers), answers
            await asyncio.sleep(2.5)  # the last edit of the tally is at most one interval away
            before = len(api.sent_to(group.id))
            await one.say(chair, group, "/close")
            await api.wait_for(lambda: any(m.method == "sendDocument" for m in api.sent_to(group.id)[before:]), 60)
            await asyncio.sleep(1.0)  # anything sent twice would come now

            assert await db.query(
                "SELECT outcome, votes_for, votes_against, votes_abstain, present_total, members_total FROM votes"
            ) == [("adopted", 5, 2, 1, 8, 10)]
            assert await db.query("SELECT count(*) FROM ballots") == [(8,)]
            # The presses went to both instances.
            assert api.deliveries_to(one.url) >= 5 and api.deliveries_to(two.url) >= 5
            # One tally, edited at most once per 2 s by both instances together, showing the final counts.
            tally = api.messages[(group.id, vote.message_id)]
            gaps = [b - a for a, b in zip(tally.edit_times, tally.edit_times[1:], strict=False)]
            assert all(gap >= 1.9 for gap in gaps), gaps
            assert "5" in tally.text and tally.reply_markup is None
            # One protocol: one document, and its text once in each language.
            after = api.sent_to(group.id)[before:]
            assert sum(1 for m in after if m.method == "sendDocument") == 1
            assert sum(1 for m in after if "ПРОТОКОЛ №1 заседания" in m.text) == 1
            assert await db.query("SELECT count(*) FROM outbox WHERE status = 'sent'") == await db.query(
                "SELECT count(*) FROM outbox"
            )
            # One reminder each: the group and every member (the hour-before one is not due yet).
            assert [len(reminders(p.id)) for p in [*people, group]] == [1] * (len(people) + 1)
            assert api.errors == []

            # The instance doing the scheduled work dies; the other takes it over (within LEADER_CHECK).
            (leader,) = leaders
            follower = two if leader is one else one
            led = took_over(follower)
            await leader.stop(signal.SIGKILL)
            deadline = asyncio.get_running_loop().time() + 40
            while took_over(follower) == led:
                assert asyncio.get_running_loop().time() < deadline, "no instance took over the scheduled work"
                await asyncio.sleep(0.5)
        finally:
            for process in (one, two):
                if process.process is not None:
                    await process.stop()
            await db.engine.dispose()
        for process in (one, two):
            said = process.log.read_text()
            assert "Traceback" not in said.split("Fatal Python error")[0], said[-3000:]
