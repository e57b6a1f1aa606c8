"""A person's action during a busy minute of scheduled work: a district's reminders all falling due at once.

On SQLite the jobs' transactions and an update's write take turns at the one writer (db/engine.py WriteTurns):
an update's write waits for the job writing now, not for every job queued, and never for SQLite's busy timeout.
Before, an update's write waited in SQLite's busy handler while the jobs, in turn, took the lock each time it
was let go, and the person was told "something went wrong" (/open during a year's busiest minute)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine, migrate
from db.models import (
    AgendaItem,
    Council,
    JobRun,
    Meeting,
    MeetingStatus,
    Member,
    MemberStatus,
    OutboxMessage,
    Role,
    User,
)
from db.repo.outbox import Kind
from tests.conftest import Flow
from tests.flows.test_at_once import WENT_WRONG, _register

COUNCILS, MEMBERS = 60, 6  # each council's day-before reminder: the group and each member, from one job
PEOPLE = 6
BUSY_TIMEOUT_MS = 500  # how long a write may wait in SQLite's busy handler (5 s in production): a few jobs' worth


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, busy_timeout_ms=BUSY_TIMEOUT_MS)
    await migrate(engine)
    yield engine
    await engine.dispose()


async def _seed_meetings(flow: Flow) -> list[tuple[int, int]]:
    """COUNCILS councils of MEMBERS approved members, each with a meeting announced for tomorrow at this time.
    Their (meeting id, council id)."""
    now, starts_at = flow.clock.now(), flow.clock.now() + timedelta(days=1)
    meetings = []
    async with flow.sessionmaker() as session:
        for c in range(1, COUNCILS + 1):
            people = [10_000_000 + c * 100 + n for n in range(MEMBERS)]
            languages = [
                {"id": p, "language": "ky" if n % 2 else "ru", "created_at": now} for n, p in enumerate(people)
            ]
            await session.execute(insert(User), languages)
            council = Council(
                chat_id=-1_000_000 - c, title=f"Мектеп №{c}", join_code=f"busy{c}", chair_id=people[0], created_at=now
            )
            session.add(council)
            await session.flush()
            for n, person in enumerate(people):
                role = Role.CHAIR if n == 0 else Role.TEACHER
                session.add(
                    Member(
                        council_id=council.id,
                        user_id=person,
                        full_name=f"Мугалим{n} Фамилия",
                        role=role,
                        status=MemberStatus.APPROVED,
                        applied_at=now,
                        regulation_confirmed_at=now,
                    )
                )
            meeting = Meeting(
                council_id=council.id,
                starts_at=starts_at,
                place="Мугалимдер бөлмөсү",
                status=MeetingStatus.ANNOUNCED,
                created_by=people[0],
                created_at=now,
                announced_at=now,
            )
            session.add(meeting)
            await session.flush()
            session.add(AgendaItem(meeting_id=meeting.id, position=1, title="Окуу пландары"))
            meetings.append((meeting.id, council.id))
        await session.commit()
    return meetings


async def test_people_register_while_a_districts_reminders_are_written(flow: Flow) -> None:
    meetings = await _seed_meetings(flow)
    starts_at = int((flow.clock.now() + timedelta(days=1)).timestamp())
    # The reminder jobs fire together, as APScheduler starts them at their minute, and write one after another.
    jobs = asyncio.gather(*(flow.scheduler.remind(meeting, starts_at, 24, council) for meeting, council in meetings))
    await asyncio.sleep(0.2)  # the first jobs are writing
    people = [
        flow.api.person(200 + n, f"Мугалим{'абвгде'[n]}", f"Ас{'абвгде'[n]}ова", "ky" if n % 2 else "ru")
        for n in range(PEOPLE)
    ]
    async with asyncio.timeout(60):
        await asyncio.gather(*(_register(flow, person, "busy1") for person in people))
        jobs_left = not jobs.done()
        reminded = await jobs

    assert not flow.errors.records, flow.errors.records[0].getMessage()
    assert [m.text for m in flow.api.outbox if any(words in m.text for words in WENT_WRONG)] == []
    applied = await flow.rows(Member, Member.user_id.in_([p.id for p in people]))
    assert sorted((m.user_id, m.status) for m in applied) == [(p.id, MemberStatus.PENDING) for p in people]
    assert jobs_left  # the people were answered while the jobs were still writing, not after them
    assert reminded == [True] * COUNCILS  # and every job did its work at its first attempt
    assert len(await flow.rows(JobRun, JobRun.name.startswith("remind:"))) == COUNCILS
    reminders = await flow.rows(OutboxMessage, OutboxMessage.kind == Kind.REMINDER)
    assert len(reminders) == COUNCILS * (MEMBERS + 1)  # to each group and each member
