"""PostgreSQL advisory locks on a connection of their own: who may start, who leads, who migrates.
https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


async def try_lock(connection: AsyncConnection, key: int, *, shared: bool = False) -> bool:
    """A session-level advisory lock if it is free now (shared or exclusive); never waits."""
    function = "pg_try_advisory_lock_shared" if shared else "pg_try_advisory_lock"
    return bool(await connection.scalar(text(f"SELECT {function}(:key)"), {"key": key}))


async def lock(connection: AsyncConnection, key: int) -> None:
    """An exclusive session-level advisory lock, waiting for it."""
    await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})


async def unlock(connection: AsyncConnection, key: int) -> None:
    await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})


async def ping(connection: AsyncConnection) -> None:
    """Raises when the connection (and with it every lock it holds) is gone."""
    await connection.scalar(text("SELECT 1"))


async def name_session(connection: AsyncConnection, name: str) -> None:
    """application_name of this session, as pg_stat_activity shows it to the other instances."""
    await connection.execute(text("SELECT set_config('application_name', :name, false)"), {"name": name})


async def lock_holder(connection: AsyncConnection, key: int) -> str | None:
    """application_name of the session holding an exclusive advisory lock on a bigint key in this database
    (advisory locks are per database; pg_locks keeps the key's high and low 32 bits in classid and objid)."""
    name = await connection.scalar(
        text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND l.classid::bigint = :high AND l.objid::bigint = :low LIMIT 1"
        ),
        {"high": key >> 32, "low": key & 0xFFFFFFFF},
    )
    return str(name) if name else None
