"""Shared fixtures: the Bot API stand-in, a migrated database, and a Flow that feeds updates to the bot."""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import Update
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from bot.app import Runtime, build_runtime
from bot.clock import FixedClock
from bot.config import Settings
from bot.runtime.outbox import Pace
from db.engine import create_engine, migrate
from db.models import Council, Member
from tests.botapi import BotAPI, Group, Person, Sent

TOKEN = "123456:TEST-token-for-the-stand-in"
BISHKEK = ZoneInfo("Asia/Bishkek")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=BISHKEK)


@pytest.fixture
async def api() -> AsyncIterator[BotAPI]:
    server = BotAPI()
    await server.start()
    yield server
    await server.stop()


# The flows run on SQLite by default; with KENESH_TEST_DATABASE_URL (a PostgreSQL server's URL, e.g.
# postgresql+asyncpg://postgres@127.0.0.1:5432/test) each test creates its own database there and drops it
# after. With KENESH_TEST_REDIS_URL the FSM state, update isolation, live-edit throttle and pacing live in
# Redis, under a key prefix of the test's own.
TEST_DATABASE_URL = os.environ.get("KENESH_TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("KENESH_TEST_REDIS_URL", "")


@asynccontextmanager
async def scratch_database(tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty database of this test's own: a SQLite file, or a new PostgreSQL database."""
    if not TEST_DATABASE_URL:
        yield f"sqlite+aiosqlite:///{tmp_path / 'kenesh.db'}"
        return
    server = make_url(TEST_DATABASE_URL)
    name = f"kenesh_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        template = await _migrated_template(admin, server)
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:  # a failed test's database goes too
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


async def _migrated_template(admin: AsyncEngine, server) -> str:  # a sqlalchemy URL
    """A database migrated to head, named after the migrations, copied for each test: migrating ~100 new
    databases one by one would take minutes. Made under a temporary name, then renamed, so a run that
    stops halfway never leaves a half-migrated template behind."""
    import hashlib

    from db.engine import MIGRATIONS

    digest = hashlib.sha256()
    for path in sorted(MIGRATIONS.rglob("*.py")):
        digest.update(path.read_bytes())
    name = f"kenesh_template_{digest.hexdigest()[:12]}"
    async with admin.connect() as connection:
        if await connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
            return name
        # The migrations changed: the templates of earlier migrations are of no use any more; remove them so
        # the server keeps one (a template another run is copying right now stays, and goes next time).
        stale = await connection.scalars(
            text("SELECT datname FROM pg_database WHERE datname LIKE 'kenesh\\_template\\_%' AND datname <> :name"),
            {"name": name},
        )
        for old in stale.all():
            try:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{old}"'))
            except Exception:  # in use by another run
                pass
        building = f"{name}_{uuid.uuid4().hex[:6]}"
        await connection.execute(text(f'CREATE DATABASE "{building}"'))
    migrating = create_engine(server.set(database=building).render_as_string(hide_password=False))
    try:
        await migrate(migrating)
    finally:
        await migrating.dispose()
    async with admin.connect() as connection:
        try:
            await connection.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{name}"'))
        except Exception:  # another run made it meanwhile: use theirs
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)'))
    return name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """A SQLite file migrated to head once per run, copied for each test that wants a migrated database, as
    PostgreSQL's tests copy their template: migrating a new file takes ~0.4 s, copying one ~1 ms."""
    if TEST_DATABASE_URL:
        return None
    import asyncio
    import sqlite3

    path = tmp_path_factory.mktemp("template") / "kenesh.db"

    async def build() -> None:
        migrating = create_engine(f"sqlite+aiosqlite:///{path}")
        try:
            await migrate(migrating)
        finally:
            await migrating.dispose()

    asyncio.run(build())
    with sqlite3.connect(path) as connection:  # everything in the main file: the copy is the whole database
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
async def database_url(tmp_path: Path, sqlite_template: Path | None) -> AsyncIterator[str]:
    """This test's own database, migrated to head."""
    async with scratch_database(tmp_path) as url:
        if sqlite_template is not None:
            shutil.copyfile(sqlite_template, str(make_url(url).database))
        yield url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await migrate(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def redis_prefix() -> str:
    return f"kenesh-test-{uuid.uuid4().hex[:12]}"


class _ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Flow:
    """The dispatcher fed updates one at a time, with the real migrated database and the stand-in."""

    def __init__(
        self,
        api: BotAPI,
        bot: Bot,
        dp: Dispatcher,
        sessionmaker: async_sessionmaker,
        clock: FixedClock,
        settings: Settings,
    ) -> None:
        self.api, self.bot, self.dp, self.sessionmaker = api, bot, dp, sessionmaker
        self.clock, self.settings = clock, settings
        self.errors = _ErrorLog()

    def use(self, runtime: Runtime) -> None:
        """Feed this runtime's Dispatcher from now on: the flow's own, or the one a restart built."""
        self.runtime, self.bot, self.dp, self.sessionmaker = runtime, runtime.bot, runtime.dp, runtime.sessionmaker
        self.live, self.scheduler, self.delivery = runtime.live, runtime.scheduler, runtime.delivery
        self.vote_keys = runtime.vote_keys

    async def feed(self, update: dict) -> None:
        await self.dp.feed_update(self.bot, Update.model_validate(update, context={"bot": self.bot}))
        await self.delivery.drain()  # what the worker would send right after the update
        if self.errors.records:
            record = self.errors.records.pop()
            raise AssertionError(f"the bot logged an error: {record.getMessage()}") from (
                record.exc_info[1] if record.exc_info else None
            )

    async def say(self, person: Person, chat: dict | Group | Person, text: str) -> list[Sent]:
        """Person sends text in chat; returns what the bot sent in reply (to any chat)."""
        before = len(self.api.outbox)
        await self.feed(self.api.message_update(person, _chat(chat), text))
        return self.api.outbox[before:]

    async def press(self, person: Person, message: Sent, button_text: str) -> dict:
        """Person presses the button whose label contains button_text; returns the callback answer."""
        return await self.press_data(person, message, message.button(button_text)["callback_data"])

    async def press_data(self, person: Person, message: Sent, data: str) -> dict:
        update = self.api.callback_update(person, message, data)
        await self.feed(update)
        query_id = update["callback_query"]["id"]
        assert query_id in self.api.answers, "the button press was not answered"
        return self.api.answers[query_id]

    async def add_bot(self, person: Person, group: Group) -> list[Sent]:
        before = len(self.api.outbox)
        await self.feed(self.api.bot_added_update(person, group))
        return self.api.outbox[before:]

    async def rows(self, model, *where):
        async with self.sessionmaker() as session:
            return list((await session.scalars(select(model).where(*where))).all())

    async def council(self, chat_id: int) -> Council | None:
        found = await self.rows(Council, Council.chat_id == chat_id)
        return found[0] if found else None

    async def members(self, council_id: int) -> list[Member]:
        return await self.rows(Member, Member.council_id == council_id)

    async def register(self, person: Person, join_code: str, locale: str, full_name: str, role: str | None) -> None:
        """Walk a person through the join link: language, name, role (None for the chair), the regulation."""
        chat = person.private_chat
        (language_prompt,) = await self.say(person, chat, f"/start join_{join_code}")
        await self.press(person, language_prompt, "Кыргызча" if locale == "ky" else "Русский")
        sent = await self.say(person, chat, full_name)
        if role is not None:
            await self.press(person, sent[-1], role)
        regulation = self.api.last_to(person.id)
        await self.press(person, regulation, "тааныштым" if locale == "ky" else "ознакомлен")


def _chat(chat: dict | Group | Person) -> dict:
    if isinstance(chat, Group):
        return chat.chat
    if isinstance(chat, Person):
        return chat.private_chat
    return chat


def make_settings(api: BotAPI, engine: AsyncEngine, **overrides) -> Settings:
    values = {
        "bot_token": TOKEN,
        "database_url": engine.url.render_as_string(hide_password=False),
        "telegram_api_url": api.base_url,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # the test says every setting it needs


@asynccontextmanager
async def redis_namespace(prefix: str) -> AsyncIterator[object]:
    """A Redis client for KENESH_TEST_REDIS_URL (None without it); the prefix's keys are deleted after."""
    if not TEST_REDIS_URL:
        yield None
        return
    from redis.asyncio import Redis

    redis = Redis.from_url(TEST_REDIS_URL)
    try:
        yield redis
    finally:
        keys = [key async for key in redis.scan_iter(f"{prefix}:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


@pytest.fixture
async def redis(redis_prefix: str) -> AsyncIterator[object]:
    async with redis_namespace(redis_prefix) as client:
        yield client


async def close_quickly(bot: Bot) -> None:
    """Close the bot's HTTP session without aiogram's quarter-second wait for TLS connections to shut down
    (AiohttpSession.close): the stand-in speaks plain HTTP on loopback, and ~1,000 flows would wait 4 minutes."""
    client = getattr(bot.session, "_session", None)
    if client is not None and not client.closed:
        await client.close()


def build_test_runtime(
    settings: Settings, engine: AsyncEngine, redis, clock: FixedClock, bot: Bot | None = None
) -> Runtime:
    """The bot as production builds it (bot.app.build_runtime), with what a test needs: the scheduler plans its
    jobs but runs what is due when the test calls run_due() at the FixedClock's moment; a chat takes as many
    messages at once as a test sends; with Redis, the cross-instance edit slot is short, so a test's flush
    need not wait out two real seconds. Nothing else starts: the live edits are flushed and the outbox is
    drained by the test after each update. The flow fixture builds with it, and so does a test that
    restarts the bot on the same database."""
    return build_runtime(
        settings,
        engine=engine,
        redis=redis,
        clock=clock,
        bot=bot,
        scheduler_on_wall_clock=False,
        pace=Pace(per_chat_burst=1000),
        sends_at_once=1,  # the test drains the outbox after each update, one row at a time
        shared_edit_interval=0.05,
    )


@pytest.fixture
async def flow(api: BotAPI, engine: AsyncEngine, tmp_path: Path, redis, redis_prefix: str) -> AsyncIterator[Flow]:
    settings = make_settings(
        api,
        engine,
        admin_ids="999",
        storage_dir=tmp_path / "files",
        redis_url=TEST_REDIS_URL or None,
        redis_prefix=redis_prefix,
        # A test presses faster than any hand: the "too fast" limit is tested on its own (test_limits).
        max_presses_per_second=1000,
    )
    runtime = build_test_runtime(settings, engine, redis, FixedClock(BISHKEK, NOW))
    bot, dp, sessionmaker, clock, scheduler = (
        runtime.bot,
        runtime.dp,
        runtime.sessionmaker,
        runtime.clock,
        runtime.scheduler,
    )
    await scheduler.start()
    harness = Flow(api, bot, dp, sessionmaker, clock, settings)
    harness.use(runtime)
    logging.getLogger().addHandler(harness.errors)
    try:
        yield harness
    finally:
        logging.getLogger().removeHandler(harness.errors)
        await scheduler.stop()
        await close_quickly(bot)
        # The handler modules' routers are module-level (one per capability); let the next test's
        # Dispatcher attach them again (and its own parents, handlers.get_routers builds them anew).
        for router in dp.chain_tail:
            router._parent_router = None


async def seed_council(
    flow: Flow, *, members: int, participants: int = 0, chat_id: int = -100, chair_locale: str = "ru"
):  # the council row, with .chair, .group, .people
    """A council made by /setup, with `members` approved voting members (the chair among them) and some
    participants, stored directly: registration itself is tested in test_registration."""
    from bot.ui.regulation import regulation_version
    from db.models import MemberStatus, Role, User

    api = flow.api
    chair = api.person(10, "Гүлнара", "Осмонова", chair_locale)
    group = api.group(chat_id, "Мектеп №5", admins={10})
    await flow.say(chair, group, "/setup")
    council = await flow.council(group.id)
    people = [chair]
    async with flow.sessionmaker() as session:
        chair_user = await session.get(User, chair.id)
        chair_user.language = chair_locale
        (chair_member,) = (
            await session.scalars(select(Member).where(Member.council_id == council.id, Member.user_id == chair.id))
        ).all()
        chair_member.regulation_confirmed_at = flow.clock.now()  # as the chair's own join link would
        chair_member.regulation_version = regulation_version()
        for n in range(1, members + participants):
            locale = "ky" if n % 2 else "ru"
            person = api.person(100 + n, f"Мугалим{n}", f"Фамилия{n:02d}", locale)
            api.started.add(person.id)
            people.append(person)
            session.add(User(id=person.id, language=locale, created_at=flow.clock.now()))
            await session.flush()
            session.add(
                Member(
                    council_id=council.id,
                    user_id=person.id,
                    full_name=f"Фамилия{n:02d} Мугалим{n}",
                    role=Role.TEACHER if n < members else Role.PARTICIPANT,
                    status=MemberStatus.APPROVED,
                    regulation_confirmed_at=flow.clock.now(),
                    regulation_version=regulation_version(),
                    applied_at=flow.clock.now(),
                )
            )
        await session.commit()
    council.chair, council.group, council.people = chair, group, people
    return council


_KIND_BY_FOLDER = {"unit": "unit", "flows": "flow", "e2e": "e2e"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by its folder, so `pytest -m unit` or `-m "not e2e"` picks a kind without a list of paths."""
    for item in items:
        kind = _KIND_BY_FOLDER.get(item.path.parent.name)
        if kind is not None:
            item.add_marker(kind)
