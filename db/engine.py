"""Engine, sessionmaker and migrations. The caller owns the engine and disposes of it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/kenesh.db"  # bot/config.py and alembic.ini read it
URL_VARIABLE = "KENESH_MIGRATE_URL"  # how the parent hands the database URL to a migrating child
# The PostgreSQL advisory lock held while migrating ("KENESH" 4; bot/runtime/instances.py numbers the others).
MIGRATION_LOCK = 0x4B454E45_5348_0004


# A session opened with these execution options (`sessionmaker(execution_options=WRITER)`) begins its
# transactions with BEGIN IMMEDIATE on SQLite: it takes the one write lock first, waiting out the busy timeout
# for it, and then reads and writes as one. Python's sqlite3 (3.11, "legacy" transaction control) begins a
# transaction only before the first INSERT/UPDATE/DELETE, so a session's earlier reads each see the database of
# their own moment, and its writes wait for the lock midway. With BEGIN first (Python 3.12's autocommit=False,
# or SQLAlchemy's own BEGIN) a read-then-write transaction in WAL mode gets SQLITE_BUSY at once, without waiting:
# https://sqlite.org/rescode.html#busy_snapshot. Scheduled work uses it (bot/runtime/scheduler.py); a vote press
# does not (its group commit writes first: bot/runtime/ballot_box.py). PostgreSQL ignores the option.
WRITER = {"kenesh_writer": True}
BUSY_TIMEOUT_MS = 5000


def create_engine(url: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> AsyncEngine:
    engine = create_async_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "begin")
        def _begin_immediate(connection: Connection) -> None:
            options = connection.get_execution_options()
            if options.get("kenesh_writer") and options.get("isolation_level") != "AUTOCOMMIT":
                connection.exec_driver_sql("BEGIN IMMEDIATE")

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            cursor = dbapi_connection.cursor()
            # WAL lets readers go on while the one writer commits; busy_timeout makes a second
            # writer wait instead of failing with "database is locked".
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            # What is deleted is overwritten with zeros, not left in free space: a closed secret ballot's
            # rows must not be readable from the file (https://sqlite.org/pragma.html#pragma_secure_delete).
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

    return engine


def is_busy(error: BaseException) -> bool:
    """SQLite's "database is locked" (the busy timeout ran out): worth trying again shortly."""
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


def engine_of(session: AsyncSession) -> AsyncEngine:
    """The engine a session works on: make_sessionmaker binds every session to one."""
    if not isinstance(session.bind, AsyncEngine):
        raise TypeError(f"the session is bound to {session.bind!r}, not to an engine")
    return session.bind


async def checkpoint(engine: AsyncEngine) -> bool:
    """SQLite: copy the WAL into the database file and truncate it, so no earlier page version (a secret
    ballot's sealed rows before their deletion) stays in the -wal file. Run after the commit; True when it
    completed. PostgreSQL keeps dead rows until VACUUM: what they hold is sealed under a key already dropped."""
    if engine.dialect.name != "sqlite":
        return True
    async with engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        # SQLAlchemy 2.1 types exec_driver_sql's rows as one column (CursorResult[Any]); this PRAGMA returns three.
        busy, _log, _done = (await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).one()  # type: ignore[misc]
    return not busy


# What the operations recorded to follow a commit (session.info): pending until the transaction commits, then
# committed, where the session's owner takes them (bot/runtime/after_commit.py). A rollback drops the pending.
PENDING_EFFECTS, COMMITTED_EFFECTS = "effects_pending", "effects_committed"


class EffectsSession(Session):
    """A Session whose commit moves the recorded effects from pending to committed, and whose rollback drops
    the pending ones: nothing follows a change that did not happen."""


@event.listens_for(EffectsSession, "after_commit")
def _effects_committed(session: Session) -> None:
    if pending := session.info.pop(PENDING_EFFECTS, None):
        session.info.setdefault(COMMITTED_EFFECTS, []).extend(pending)


@event.listens_for(EffectsSession, "after_rollback")
def _effects_rolled_back(session: Session) -> None:
    session.info.pop(PENDING_EFFECTS, None)


ONE_WRITER = "one_writer"  # in a SQLite sessionmaker's info: the process's turns to write (write_turn)


class WriteTurns:
    """SQLite has one writer. Writers of one process that come together take turns here, instead of racing in
    SQLite's busy handler, which is not fair: there the reminder jobs, each taking the lock as the last one let
    go, kept the outbox waiting past the busy timeout. A short write (the outbox marking a post sent) goes
    before the long ones waiting (a job's whole transaction), so the posts keep their pace meanwhile."""

    def __init__(self) -> None:
        self._changed = asyncio.Condition()
        self._busy = False
        self._short_waiting = 0

    @contextlib.asynccontextmanager
    async def turn(self, *, short: bool) -> AsyncIterator[None]:
        async with self._changed:
            self._short_waiting += short
            try:
                await self._changed.wait_for(lambda: not self._busy and (short or not self._short_waiting))
            finally:
                self._short_waiting -= short
            self._busy = True
        try:
            yield
        finally:
            async with self._changed:
                self._busy = False
                self._changed.notify_all()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    info = {ONE_WRITER: WriteTurns()} if engine.dialect.name == "sqlite" else {}
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=EffectsSession, info=info)


def reading_sessionmaker(sessionmaker: async_sessionmaker) -> async_sessionmaker:
    """Sessions that only read, as `sessionmaker`'s but on PostgreSQL in autocommit: no BEGIN before the first
    query and no ROLLBACK after the last, two round trips of a few each (every statement of a READ COMMITTED
    transaction takes a snapshot of its own anyway, so the reads see what they would have seen). On SQLite the
    same sessionmaker: Python's sqlite3 begins no transaction for reads, and switching its mode would cost a hop
    to aiosqlite's thread each way."""
    engine = sessionmaker.kw["bind"]
    if engine.dialect.name == "sqlite":
        return sessionmaker
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        expire_on_commit=False,
        sync_session_class=EffectsSession,
        info=sessionmaker.kw.get("info", {}),
    )


@contextlib.asynccontextmanager
async def write_turn(sessionmaker: async_sessionmaker, *, short: bool = False) -> AsyncIterator[None]:
    """This process's turn to write on SQLite (WriteTurns; a vote press writes through its own group commit and
    does not wait here); on PostgreSQL writers go side by side, and this does not wait."""
    turns = sessionmaker.kw.get("info", {}).get(ONE_WRITER)
    if turns is None:
        yield
        return
    async with turns.turn(short=short):
        yield


def _alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    from alembic import command

    command.upgrade(_alembic_config(connection), "head")


def head_revision() -> str | None:
    """The newest migration, read from the files without Alembic (None if the chain is not one line)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("[0-9]*.py"):
        source = path.read_text(encoding="utf-8")
        revision = re.search(r"^revision\s*=\s*[\"']([^\"']+)[\"']", source, re.MULTILINE)
        down = re.search(r"^down_revision\s*=\s*[\"']([^\"']+)[\"']", source, re.MULTILINE)
        if revision is None:
            return None
        revisions.add(revision.group(1))
        if down is not None:
            parents.add(down.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


async def at_head(engine: AsyncEngine) -> bool:
    head = head_revision()
    if head is None:
        return False
    try:
        async with engine.connect() as connection:
            versions = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
    except DBAPIError:  # no alembic_version table yet: a new database
        return False
    return versions == [head]


def _in_bot_process() -> bool:
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return spec is not None and spec.name == "bot.__main__"


async def _migrate_in_child(engine: AsyncEngine) -> None:
    env = {**os.environ, URL_VARIABLE: engine.url.render_as_string(hide_password=False)}  # not in argv: ps shows it
    child = await asyncio.create_subprocess_exec(sys.executable, "-m", "db.engine", env=env)
    if await child.wait() != 0:
        raise RuntimeError(f"migrations failed (exit code {child.returncode}); see the output above")


async def migrate(engine: AsyncEngine) -> None:
    """Apply every migration up to head on this engine (idempotent).

    Alembic is imported only when a migration is due. In the bot's long-running process (`python -m bot`)
    a due migration runs in a short-lived child process, so Alembic and its scripts (~11 MB) never stay
    resident in the bot; tests and scripts migrate in their own process.
    """
    if await at_head(engine):
        return
    async with _migration_lock(engine):
        if await at_head(engine):  # another process migrated while this one waited for the lock
            return
        if _in_bot_process() and engine.url.database not in (None, "", ":memory:"):  # a child can't see :memory:
            await _migrate_in_child(engine)
            return
        await _apply(engine)


async def _apply(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


@contextlib.asynccontextmanager
async def _migration_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """PostgreSQL: processes starting together on an empty database (two instances, a test run) migrate one
    after the other, and the later ones find the schema at head; without it both create the same tables and
    one fails. A session-level advisory lock on a connection of its own; if the unlock cannot run, the
    connection is dropped, and PostgreSQL releases the lock with its session.
    https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS"""
    if engine.dialect.name != "postgresql":
        yield  # SQLite: one process per database file (bot/runtime/instances.py)
        return
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        try:
            yield
        finally:
            try:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            except BaseException:
                await connection.invalidate()
                raise


async def _migrate_from_environment() -> None:
    engine = create_engine(os.environ[URL_VARIABLE])
    try:
        await _apply(engine)  # the parent holds the migration lock
    finally:
        await engine.dispose()


if __name__ == "__main__":  # the child of _migrate_in_child
    asyncio.run(_migrate_from_environment())
