"""SQLite's one writer, in turns (db.engine.WriteTurns): one at a time, a short write before the long ones waiting;
as the engine takes them: a job's transaction at its start, an update's at its first write, given back at its end."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from db import engine as engine_module
from db.engine import TURN_AT_WRITE, WRITER, WriteTurns, create_engine, is_busy, make_sessionmaker, migrate, write_turns
from db.models import FsmRecord


async def test_one_writer_at_a_time_and_a_short_write_goes_before_the_long_ones_waiting():
    turns, order, inside = WriteTurns(), [], []

    async def write(name: str, short: bool, hold: float) -> None:
        async with turns.turn(short=short):
            inside.append(name)
            assert len(inside) == 1  # never two at once
            order.append(name)
            await asyncio.sleep(hold)
            inside.remove(name)

    first = asyncio.create_task(write("job 1", False, 0.05))
    await asyncio.sleep(0.01)  # job 1 writes; jobs 2 and 3 queue, then the outbox's mark arrives
    jobs = [asyncio.create_task(write(f"job {n}", False, 0.01)) for n in (2, 3)]
    await asyncio.sleep(0.01)
    mark = asyncio.create_task(write("outbox mark", True, 0.0))
    await asyncio.gather(first, *jobs, mark)
    assert order == ["job 1", "outbox mark", "job 2", "job 3"]


# --- the turns as the engine takes them (db.engine.create_engine on SQLite) ---------------------------------


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    # SQLite's busy handler gives up after 0.1 s here (5 s in production): a write not in turn would fail.
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'kenesh.db'}", busy_timeout_ms=100)
    await migrate(engine)
    yield engine
    await engine.dispose()


async def _store(session: AsyncSession, key: str) -> None:
    session.add(FsmRecord(key=key, state="Registration:name", data={}, updated_at=datetime.now(UTC)))
    await session.flush()


async def test_an_updates_reads_take_no_turn_and_its_first_write_waits_for_the_job_writing(sqlite) -> None:
    turns = write_turns(sqlite)
    assert turns is not None
    sessionmaker = make_sessionmaker(sqlite)
    job_writing, job_done = asyncio.Event(), asyncio.Event()

    async def job() -> None:
        async with sessionmaker(execution_options=WRITER) as session:
            await _store(session, "job")  # its transaction began with the turn and BEGIN IMMEDIATE
            job_writing.set()
            await asyncio.sleep(0.5)  # longer than the busy timeout
            await session.commit()
        job_done.set()

    running = asyncio.create_task(job())
    await job_writing.wait()
    async with sessionmaker(execution_options=TURN_AT_WRITE) as session:
        assert await session.scalar(select(func.count()).select_from(FsmRecord)) == 0  # a read: no waiting
        assert not job_done.is_set()
        await _store(session, "update")  # waits for the job's commit, however long past the busy timeout
        async with sessionmaker() as reader:
            assert set(await reader.scalars(select(FsmRecord.key))) == {"job"}  # committed before this write
        await session.commit()
    await running
    async with sessionmaker() as session:
        assert set(await session.scalars(select(FsmRecord.key))) == {"job", "update"}


@pytest.mark.parametrize("end", ["commit", "rollback", "close", "error"])
async def test_the_turn_is_given_back_however_the_transaction_ends(sqlite, end: str) -> None:
    turns = write_turns(sqlite)
    assert turns is not None
    sessionmaker = make_sessionmaker(sqlite)
    with contextlib.suppress(IntegrityError):
        async with sessionmaker(execution_options=TURN_AT_WRITE) as session:
            await _store(session, "first")
            if end == "commit":
                await session.commit()
            elif end == "rollback":
                await session.rollback()
            elif end == "error":
                await _store(session, "first")  # the same key again
    other = asyncio.create_task(turns.acquire(short=False, within=1.0))  # another task: it waits if the turn is held
    assert await other
    turns.release()


async def test_a_writer_that_waits_too_long_fails_as_a_locked_database(sqlite, monkeypatch) -> None:
    monkeypatch.setattr(engine_module, "TURN_TIMEOUT_S", 0.2)
    turns = write_turns(sqlite)
    assert turns is not None
    async with turns.turn(short=False):  # held by this task; the update writes from another

        async def update() -> None:
            async with make_sessionmaker(sqlite)(execution_options=TURN_AT_WRITE) as session:
                await _store(session, "update")

        with pytest.raises(OperationalError) as raised:
            await asyncio.create_task(update())
    assert is_busy(raised.value)
