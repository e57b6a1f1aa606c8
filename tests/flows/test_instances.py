"""Several instances on one database and one Redis: each outbox row sent once, the scheduled work on one
instance only (and taken over when it stops), the pace and the tally's edit slot shared.
These run with `make test-pg` (KENESH_TEST_DATABASE_URL on PostgreSQL, KENESH_TEST_REDIS_URL)."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from aiogram.types import Update

from bot.runtime.live import SharedEditSlots
from bot.runtime.outbox import SENDS_AT_ONCE, Delivery, Pace, SharedPace
from bot.runtime.scheduler import LeaderLock, Scheduler
from db.engine import create_engine, make_sessionmaker
from db.models import Attendance
from db.repo.outbox import Kind, enqueue
from tests.conftest import NOW, TEST_DATABASE_URL, TEST_REDIS_URL
from tests.flows.test_meeting import meeting as meeting_today
from tests.flows.test_meeting import open_meeting

meeting = meeting_today  # the fixture, under the name the test asks for

on_postgresql = pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs KENESH_TEST_DATABASE_URL (PostgreSQL)")
with_redis = pytest.mark.skipif(not TEST_REDIS_URL, reason="needs KENESH_TEST_REDIS_URL")


@pytest.fixture
async def second_engine(engine):  # another instance's own connections, same database
    other = create_engine(engine.url.render_as_string(hide_password=False))
    yield other
    await other.dispose()


@on_postgresql
async def test_two_instances_send_each_outbox_row_once_and_each_chat_in_order(flow, second_engine):
    people = [flow.api.person(500 + n, f"Мугалим{n}") for n in range(12)]
    flow.api.started.update(p.id for p in people)
    async with flow.sessionmaker() as session:
        for turn in range(3):
            for person in people:
                enqueue(session, chat_id=person.id, kind=Kind.PERSONAL, now=NOW, text=f"{turn}")
        await session.commit()
    other = Delivery(  # as production sends: several rows on their way at once
        flow.bot,
        make_sessionmaker(second_engine),
        flow.clock,
        flow.delivery.i18n,
        pace=Pace(per_chat_burst=1000),
        sends_at_once=SENDS_AT_ONCE,
    )

    await asyncio.gather(flow.delivery.drain(), other.drain())

    sent = Counter((m.chat_id, m.text) for m in flow.api.outbox)
    assert sent == Counter({(p.id, f"{turn}"): 1 for p in people for turn in range(3)})
    for person in people:
        assert [m.text for m in flow.api.sent_to(person.id)] == ["0", "1", "2"]


@on_postgresql
async def test_scheduled_work_runs_on_one_instance_and_another_takes_over_when_it_stops(flow, second_engine):
    assert flow.scheduler.leading  # the flow's instance started first
    other = Scheduler(
        make_sessionmaker(second_engine),
        flow.delivery.i18n,
        flow.settings,
        flow.clock,
        flow.delivery,
        leader=LeaderLock(second_engine),
        on_wall_clock=False,
    )
    await other.start()
    try:
        assert not other.leading and other.aps.get_jobs() == []  # no watchdog, no reminders here
        await flow.scheduler.stop()  # the leader stops (or dies: its connection closes either way)
        await other._check_leadership()  # its next try, within LEADER_CHECK seconds
        assert other.leading and [job.id for job in other.aps.get_jobs()] == ["watchdog"]
    finally:
        await other.stop()


@with_redis
async def test_pace_and_the_tally_edit_slot_hold_for_all_instances_together(redis, redis_prefix):
    one, two = SharedPace(redis, redis_prefix), SharedPace(redis, redis_prefix)
    waits = [(await (one if n % 2 else two).reserve(-100))[0] for n in range(3)]
    assert waits == [0, 0, 0] and (await one.reserve(-100))[0] > 2  # a burst of 3 to a chat, counted together
    assert await two.reserve(-200) == (0, False)  # another chat is not held up
    await one.pause(-300, 5)  # Telegram's 429 to one instance holds the other too
    assert 4 < (await two.reserve(-300))[0] <= 5

    slots_one, slots_two = SharedEditSlots(redis, redis_prefix, 2.0), SharedEditSlots(redis, redis_prefix, 2.0)
    assert await slots_one.take(("vote", 1)) == 0
    assert 1.5 < await slots_two.take(("vote", 1)) <= 2.0  # the other instance waits for its turn
    assert await slots_two.take(("vote", 2)) == 0


@with_redis
async def test_the_bots_pace_over_all_chats_is_one_for_all_instances(redis, redis_prefix):
    one, two = (SharedPace(redis, redis_prefix, Pace(per_second=20)) for _ in range(2))
    loop = asyncio.get_running_loop()
    start, granted, chat = loop.time(), 0, 0
    while loop.time() - start < 1.0:  # both instances send as fast as the pace lets them, each to new chats
        chat += 1
        wait, whole_bot = await (one if chat % 2 else two).reserve(chat)
        assert wait == 0 or whole_bot  # no chat of its own waits: the bot does
        granted += wait == 0
        await asyncio.sleep(min(wait, 0.01))
    assert 20 <= granted <= 23  # 20 a second for both together, and a burst of 2
    await asyncio.sleep(0.2)
    for n in range(6):  # answers to people on one instance go at once, counted
        await one.count(10_000 + n)
    wait, whole_bot = await two.reserve(20_000)
    assert whole_bot and 0.2 < wait <= 0.3  # the other's queue waits for them


async def test_a_double_tap_waits_for_the_first_press(flow, meeting):
    """Issue 9.1: one person's updates are handled one at a time, so the second tap sees the first's result."""
    attendance = await open_meeting(flow, meeting)
    person = meeting.voters[2]  # a Russian reader
    data = attendance.button("Присутствую")["callback_data"]
    updates = [flow.api.callback_update(person, attendance, data) for _ in range(2)]
    await asyncio.gather(
        *(flow.dp.feed_update(flow.bot, Update.model_validate(u, context={"bot": flow.bot})) for u in updates)
    )
    answers = [flow.api.answers[u["callback_query"]["id"]]["text"] for u in updates]
    assert answers == ["Ваше присутствие отмечено.", "Ваше присутствие уже отмечено."]
    assert not flow.errors.records
    assert len(await flow.rows(Attendance, Attendance.marked_by == person.id)) == 1
