"""The migrations build exactly the schema the models describe (no forgotten column or index)."""

import asyncio
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from db.engine import at_head, create_engine, migrate
from db.models import Base
from tests.conftest import TEST_DATABASE_URL


async def test_migrations_match_the_models(engine):
    async with engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"render_as_batch": True}), Base.metadata
            )
        )
    assert diff == []


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL only: KENESH_TEST_DATABASE_URL")
async def test_two_processes_migrating_a_new_postgresql_database_at_once_both_succeed():
    """Two instances started together on an empty database: one migrates, the other waits and finds it done."""
    server = make_url(TEST_DATABASE_URL)
    name = f"kenesh_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    engines = [create_engine(server.set(database=name).render_as_string(hide_password=False)) for _ in range(2)]
    try:
        async with asyncio.timeout(120):  # without the lock, the second one waits on the first's tables
            await asyncio.gather(*(migrate(engine) for engine in engines))
        assert all([await at_head(engine) for engine in engines])
        async with engines[0].connect() as connection:
            assert await connection.scalar(text("SELECT count(*) FROM alembic_version")) == 1
    finally:
        for engine in engines:
            await engine.dispose()
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
