"""Engine, sessionmaker and migrations. The caller owns the engine and disposes of it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sqlite3
import sys
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.interfaces import AdaptedConnection, DBAPIConnection
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


# SQLite has one writer, and this process takes turns at it (WriteTurns, one per engine): every write
# transaction of a session opened with one of these execution options waits for its turn, holding its
# connection, and keeps it until the connection goes back to the pool (after the commit or the rollback).
#
# WRITER (`sessionmaker(execution_options=WRITER)`, the scheduled jobs): the turn at the transaction's start,
# then BEGIN IMMEDIATE: it takes the write lock first and then reads and writes as one. Python's sqlite3 (3.11,
# "legacy" transaction control) begins a transaction only before the first INSERT/UPDATE/DELETE, so a session's
# earlier reads each see the database of their own moment, and its writes wait for the lock midway. With BEGIN
# first (Python 3.12's autocommit=False, or SQLAlchemy's own BEGIN) a read-then-write transaction in WAL mode
# gets SQLITE_BUSY at once, without waiting: https://sqlite.org/rescode.html#busy_snapshot.
#
# TURN_AT_WRITE (an update's session, bot/runtime/middlewares.py; the outbox's, bot/runtime/outbox.py): the
# turn at the transaction's first write, where sqlite3 begins it; the reads before it take none, so an update
# that only reads never waits for one. A person waits for the answer, and the outbox keeps a pace: the turn is
# a short one, taken before the jobs waiting. Without it a handler's write waited in SQLite's busy handler,
# which is not fair (it polls, and the jobs in turn took the lock as each let go), and failed after the busy
# timeout: "something went wrong" on /open during a busy minute. Every write of such a session is in its turn,
# an autoflush's too: a write begun outside the turn would hold SQLite's lock while waiting for it.
#
# A vote press does neither: its group commit writes first, with its own retries (bot/runtime/ballot_box.py).
# Waiting for a turn always holds a connection, so the writer whose turn it is has its own and finishes: the
# writers waiting never keep it from the pool. A writer that waits TURN_TIMEOUT_S fails as a locked database
# does (is_busy), so a turn somehow never given back stops writes with errors, not a silent hang.
# PostgreSQL ignores both options.
WRITER = {"kenesh_writer": True}
TURN_AT_WRITE = {"kenesh_turn_at_write": True}
_HOLDS_TURN = "kenesh_holds_write_turn"  # in the pooled connection's info: its transaction has the turn
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)  # where Python's sqlite3 begins one
BUSY_TIMEOUT_MS = 5000
TURN_TIMEOUT_S = 30.0  # as SQLAlchemy's pool waits for a connection


def create_engine(url: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> AsyncEngine:
    engine = create_async_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        turns = _TURNS[engine.sync_engine] = WriteTurns()

        def take_turn(connection: Connection, *, short: bool) -> None:
            # A sync event inside SQLAlchemy's greenlet: run_async awaits the turn in the caller's task.
            # https://docs.sqlalchemy.org/en/20/orm/extensions/asyncio.html#asyncio-events-run-async
            if connection.info.get(_HOLDS_TURN):
                return
            driver = connection.connection.dbapi_connection
            assert isinstance(driver, AdaptedConnection), "an asyncio driver (aiosqlite)"
            if not driver.run_async(lambda _driver: turns.acquire(short=short, within=TURN_TIMEOUT_S)):
                locked = sqlite3.OperationalError(f"database is locked (no turn to write in {TURN_TIMEOUT_S:.0f} s)")
                raise OperationalError("a write turn", None, locked)
            connection.info[_HOLDS_TURN] = True

        @event.listens_for(engine.sync_engine, "begin")
        def _begin_immediate(connection: Connection) -> None:
            options = connection.get_execution_options()
            if options.get("kenesh_writer") and options.get("isolation_level") != "AUTOCOMMIT":
                take_turn(connection, short=False)
                connection.exec_driver_sql("BEGIN IMMEDIATE")

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _turn_at_write(connection: Connection, _cursor: object, statement: str, *_args: object) -> None:
            options = connection.get_execution_options()
            if options.get("kenesh_turn_at_write") and _WRITES.match(statement):
                take_turn(connection, short=True)

        @event.listens_for(engine.sync_engine, "checkin")
        def _turn_done(_dbapi_connection: DBAPIConnection | None, record: ConnectionPoolEntry) -> None:
            # Back in the pool: its transaction committed or rolled back (or the connection was dropped).
            if record.info.pop(_HOLDS_TURN, False):
                turns.release()

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


class WriteTurns:
    """SQLite has one writer. Writers of one process that come together take turns here, instead of racing in
    SQLite's busy handler, which is not fair: there the reminder jobs, each taking the lock as the last one let
    go, kept the outbox waiting past the busy timeout. A short write (an update's, the outbox marking a post
    sent) goes before the long ones waiting (a job's whole transaction), so the posts keep their pace
    and people their answers meanwhile.

    The turn passes straight to the next writer waiting, and it is the task's: a task that has it and asks
    again (a second session of the same update) does not wait for itself; its write meets SQLite's lock and busy
    timeout, as before there were turns. `release` is synchronous: the pool's checkin event calls it."""

    def __init__(self) -> None:
        self._owner: asyncio.Task | None = None
        self._holds = 0
        self._waiting: list[tuple[bool, asyncio.Task, asyncio.Future[None]]] = []

    async def acquire(self, *, short: bool, within: float | None = None) -> bool:
        """Wait for the turn (True), or for `within` seconds at most (False: not taken)."""
        task = asyncio.current_task()
        assert task is not None, "a write turn is taken in a task"
        if self._owner is task or self._owner is None:
            self._owner, self._holds = task, self._holds + 1
            return True
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiter = (short, task, granted)
        self._waiting.append(waiter)
        try:
            await asyncio.wait_for(granted, within)
        except BaseException as error:
            if granted.done() and not granted.cancelled():  # handed over as it was cancelled: pass it on
                self.release()
            elif waiter in self._waiting:
                self._waiting.remove(waiter)
            if isinstance(error, TimeoutError):
                return False
            raise
        return True

    def release(self) -> None:
        self._holds -= 1
        if self._holds > 0:
            return
        self._owner = None
        waiting = [waiter for waiter in self._waiting if not waiter[2].done()]
        if not waiting:
            self._waiting.clear()
            return
        chosen = next((waiter for waiter in waiting if waiter[0]), waiting[0])  # the first short one, else the first
        self._waiting.remove(chosen)
        _short, self._owner, granted = chosen
        self._holds = 1
        granted.set_result(None)

    @contextlib.asynccontextmanager
    async def turn(self, *, short: bool) -> AsyncIterator[None]:
        await self.acquire(short=short)
        try:
            yield
        finally:
            self.release()


_TURNS: weakref.WeakKeyDictionary[Engine, WriteTurns] = weakref.WeakKeyDictionary()  # SQLite engines' turns


def write_turns(engine: AsyncEngine) -> WriteTurns | None:
    """The process's turns to write on this SQLite database (None on PostgreSQL, where writers go side by side)."""
    return _TURNS.get(engine.sync_engine)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=EffectsSession)


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
    )


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
