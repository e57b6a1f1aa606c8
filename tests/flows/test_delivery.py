"""Delivery through the outbox when people or the group cannot be reached (403) or Telegram refuses (400)."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from db.models import OutboxMessage, OutboxStatus
from tests.conftest import NOW, seed_council


async def test_a_member_who_blocked_the_bot_is_recorded_and_the_others_still_get_it(flow):
    council = await seed_council(flow, members=4)
    await flow.say(council.chair, council.chair, "/start")
    blocker = council.people[2]
    flow.api.blocked.add(blocker.id)
    day = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} 15:00\n1. Маселе")
    await flow.press(council.chair, preview, "Опубликовать")
    rows = {row.chat_id: row for row in await flow.rows(OutboxMessage)}
    assert rows[blocker.id].status is OutboxStatus.FORBIDDEN and "blocked" in rows[blocker.id].last_error
    assert all(rows[p.id].status is OutboxStatus.SENT for p in council.people[1:] if p is not blocker)
    assert rows[council.group.id].status is OutboxStatus.SENT
    await flow.delivery.drain()
    assert rows[blocker.id].attempts == 0  # 403 is not retried


async def test_group_that_removed_the_bot_makes_the_chair_told_once(flow):
    council = await seed_council(flow, members=3)
    await flow.say(council.chair, council.chair, "/start")
    flow.api.blocked.add(council.group.id)  # the bot was removed from the group
    day = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")
    for hour in (10, 15):  # two meetings (a council's meetings never share a time)
        (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} {hour}:00\n1. Маселе")
        await flow.press(council.chair, preview, "Опубликовать")
    told = [m for m in flow.api.sent_to(council.chair.id) if "больше не могу писать в группу" in m.text]
    assert len(told) == 1
    group_rows = await flow.rows(OutboxMessage, OutboxMessage.chat_id == council.group.id)
    assert {row.status for row in group_rows} == {OutboxStatus.FORBIDDEN}


async def test_a_refused_request_is_logged_not_retried(flow, caplog):
    from db.repo.outbox import Kind, enqueue

    council = await seed_council(flow, members=2)
    async with flow.sessionmaker() as session:
        enqueue(
            session,
            chat_id=council.group.id,
            kind=Kind.NOTICE,
            now=flow.clock.now(),
            text="<b>broken",
            council_id=council.id,
        )
        await session.commit()
    flow.api.started.add(council.chair.id)
    await flow.delivery.drain()
    (row,) = await flow.rows(OutboxMessage, OutboxMessage.chat_id == council.group.id)
    assert row.status is OutboxStatus.FAILED and "can't parse entities" in row.last_error
    # Not lost in silence: the chair is told, privately and in the chair's language, what did not go out.
    (report,) = flow.api.sent_to(council.chair.id)
    assert report.text.startswith("⚠️ Telegram отклонил сообщение в группу совета") and "broken" in report.text
    assert any("Telegram refused notice" in r.getMessage() for r in caplog.records)
    flow.errors.records.clear()  # the ERROR line is what we wanted here


async def test_a_changed_agenda_unpinning_the_old_one_holds_no_other_post_back(flow, caplog):
    """The group's new announcement is pinned and the old one unpinned after it is sent; the members' copies
    are recorded as sent meanwhile. No delivery takes SQLite's lock outside its turn to write, so none waits
    for another until the busy timeout."""
    council = await seed_council(flow, members=4)
    await flow.say(council.chair, council.chair, "/start")
    day = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} 15:00\n1. Маселе")
    await flow.press(council.chair, preview, "Опубликовать")
    unpin = flow.api._m_unpinChatMessage

    async def slow_unpin(params: dict, files: dict) -> bool:
        await asyncio.sleep(0.5)  # Telegram takes its time: the members' copies are recorded meanwhile
        return await unpin(params, files)

    flow.api._m_unpinChatMessage = slow_unpin
    # As production delivers: several rows on their way at once (the harness sends one at a time).
    flow.delivery.sends_at_once, flow.delivery._slots = 8, asyncio.Semaphore(8)
    (listing,) = await flow.say(council.chair, council.chair, "/meetings")
    await flow.press(council.chair, listing, "Перенести")
    started = time.monotonic()
    await flow.say(council.chair, council.chair, f"{(NOW + timedelta(days=9)).strftime('%d.%m.%Y')} 15:00")
    assert time.monotonic() - started < 3  # not the 5 s of the busy timeout
    assert not any("database is busy" in r.getMessage() for r in caplog.records)
    moved = [m for m in flow.api.sent_to(council.group.id) if "перенесено" in m.text]
    assert len(moved) == 1 and moved[0].pinned
    assert {r.status for r in await flow.rows(OutboxMessage)} == {OutboxStatus.SENT}
