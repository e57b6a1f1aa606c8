"""One bot, one or several processes: who may start, and which process does the scheduled work.

- SQLite has one writer and the bot keeps some state in its memory: one process per database. An exclusive
  lock on a file next to the database proves it; a second process is refused.
- PostgreSQL without Redis: still one process (the FSM cache and the per-user lock are in memory). It holds
  an exclusive session-level advisory lock; instances with Redis hold the same lock *shared*, so any number
  of them may run together, but never beside one without Redis.
- The scheduled work (reminders, the trimester check) runs on one instance only: the one holding another
  advisory lock (LeaderLock in bot/runtime/scheduler.py). A session-level lock is released by PostgreSQL when its
  connection closes, so when the holder dies another instance takes it at its next try.
  https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import logging
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.repo import instances as instances_repo

log = logging.getLogger(__name__)

# Advisory lock keys (any bigint; advisory locks are per database, so two bots on one server do not meet).
INSTANCES_KEY = 0x4B454E45_5348_0001  # "KENESH" 1: instances running on this database
LEADER_KEY = 0x4B454E45_5348_0002  # the instance that runs the scheduled work
MIGRATION_KEY = 0x4B454E45_5348_0003  # one instance migrates at a time


class AnotherInstance(Exception):
    """Starting this process next to a running one would break the bot; the message says why."""


@functools.cache
def instance_id() -> str:
    """This process's name in the logs, /metrics and PostgreSQL's pg_stat_activity: INSTANCE_ID when the
    operator sets one (e.g. `%H-%i` in a systemd template), else host and process id."""
    given = os.environ.get("INSTANCE_ID", "").strip()
    return given[:48] if given else f"{socket.gethostname()}-{os.getpid()}"[:48]


async def dedicated_connection(engine: AsyncEngine) -> AsyncConnection:
    """A connection of its own, outside the pool's turnover, autocommit: it only holds session locks. It is
    named after this instance, so another instance can say who holds a lock (`lock_holder`)."""
    connection = await engine.connect()
    await connection.execution_options(isolation_level="AUTOCOMMIT")
    if engine.dialect.name == "postgresql":
        await instances_repo.name_session(connection, f"kenesh {instance_id()}")
    return connection


async def lock_holder(engine: AsyncEngine, key: int) -> str | None:
    """The instance holding an advisory lock (the leader's), by its connection's name; None if none does."""
    if engine.dialect.name != "postgresql":
        return None
    async with engine.connect() as connection:
        name = await instances_repo.lock_holder(connection, key)
    return name.removeprefix("kenesh ") if name else None


async def close_dedicated(connection: AsyncConnection) -> None:
    """Really close it: back in the pool, the connection would keep its session's advisory locks."""
    with contextlib.suppress(Exception):
        await connection.invalidate()
    with contextlib.suppress(Exception):
        await connection.close()


class InstanceGuard:
    """Held for the process's whole life; `acquire` raises AnotherInstance when this start must be refused."""

    def __init__(self, engine: AsyncEngine, sqlite_path: Path | None, shared: bool) -> None:
        self.engine, self.sqlite_path, self.shared = engine, sqlite_path, shared
        self._file: TextIO | None = None
        self._connection: AsyncConnection | None = None

    async def acquire(self) -> None:
        if self.engine.dialect.name == "sqlite":
            self._lock_file()
        elif self.engine.dialect.name == "postgresql":
            await self._lock_database()

    def _lock_file(self) -> None:
        if self.sqlite_path is None:  # in memory: nothing another process could share
            return
        path = self.sqlite_path.with_name(self.sqlite_path.name + ".lock")
        handle = path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise AnotherInstance(
                f"another Kenesh process is already running on {self.sqlite_path} (it holds {path}). "
                "SQLite serves one process: stop the other one first. To run several instances, use PostgreSQL "
                "(DATABASE_URL) and Redis (REDIS_URL)."
            ) from None
        self._file = handle

    async def _lock_database(self) -> None:
        self._connection = await dedicated_connection(self.engine)
        if await instances_repo.try_lock(self._connection, INSTANCES_KEY, shared=self.shared):
            return
        await self.release()
        if self.shared:
            raise AnotherInstance(
                "another Kenesh instance runs on this database without REDIS_URL; it must be the only one. "
                "Restart it with REDIS_URL set (the same Redis for every instance), then start this one."
            )
        raise AnotherInstance(
            "another Kenesh instance is already running on this database. Several instances need REDIS_URL "
            "(the same Redis server for all of them), where they share conversations and per-user locks."
        )

    @contextlib.asynccontextmanager
    async def migrating(self) -> AsyncIterator[None]:
        """Instances started together migrate one after the other (the second finds nothing to do)."""
        if self._connection is None:
            yield
            return
        await instances_repo.lock(self._connection, MIGRATION_KEY)
        try:
            yield
        finally:
            await instances_repo.unlock(self._connection, MIGRATION_KEY)

    async def release(self) -> None:
        if self._connection is not None:
            await close_dedicated(self._connection)  # PostgreSQL releases the session's locks with it
            self._connection = None
        if self._file is not None:
            self._file.close()
            self._file = None
