"""Engine, sessionmaker and migrations. The caller owns the engine and disposes of it."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def create_engine(url: str) -> AsyncEngine:
    engine = create_async_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            # WAL lets readers go on while the one writer commits; busy_timeout makes a second
            # writer wait instead of failing with "database is locked".
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            # What is deleted is overwritten with zeros, not left in free space: a closed secret ballot's
            # rows must not be readable from the file (https://sqlite.org/pragma.html#pragma_secure_delete).
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

    return engine


async def checkpoint(engine: AsyncEngine) -> bool:
    """SQLite: copy the WAL into the database file and truncate it, so no earlier page version (a secret
    ballot before its deletion) stays in the -wal file. Run after the commit; True when it completed.
    PostgreSQL keeps dead rows until VACUUM, which is the operator's (see the README)."""
    if engine.dialect.name != "sqlite":
        return True
    async with engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        busy, _log, _done = (await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).one()
    return not busy


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    command.upgrade(_alembic_config(connection), "head")


async def migrate(engine: AsyncEngine) -> None:
    """Apply every migration up to head on this engine (idempotent)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)
