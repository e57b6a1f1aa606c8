"""Votes that close on time: the chair's 2/5/10 minutes, the reminder a minute before (once), the scheduler's
close, and the deadline planned again after a restart."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from datetime import timedelta

import pytest

from bot import log_context
from bot.runtime.scheduler import Scheduler
from db.models import Vote
from tests.conftest import BISHKEK, NOW, seed_council


@pytest.fixture
async def vote(flow):
    council = await seed_council(flow, members=10)
    await flow.say(council.chair, council.chair, "/start")
    day = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} 15:00\n1. Маселе")
    await flow.press(council.chair, preview, "Опубликовать")
    flow.clock.advance(timedelta(days=8, hours=5))
    await flow.say(council.chair, council.group, "/open")
    attendance = next(m for m in flow.api.sent_to(council.group.id) if "Присутствую" in str(m.reply_markup))
    for person in council.people[:8]:
        await flow.press(person, attendance, "Присутствую")
    sent = await flow.say(council.chair, council.group, "/vote 1 Ачык сабактар")
    (message,) = [m for m in sent if m.chat_id == council.group.id]
    for person in council.people[:3]:
        await flow.press(person, message, "Макул")
    council.message = message
    return council


async def test_close_in_two_minutes(flow, vote):
    council, message = vote, vote.message
    refused = await flow.press(council.people[4], message, "⏱ 2")
    assert refused["text"] == "Это может сделать только председатель или секретарь совета."
    answer = await flow.press(council.chair, message, "⏱ 2")
    assert answer["text"] == "Голосование закроется само через 2 мин."
    (row,) = await flow.rows(Vote)
    assert row.closes_at == flow.clock.now() + timedelta(minutes=2) and row.is_open
    jobs = {job.id: job.next_run_time for job in flow.scheduler.aps.get_jobs()}
    assert jobs[f"vote-close:{row.id}"] == row.closes_at
    assert jobs[f"vote-nudge:{row.id}"] == row.closes_at - timedelta(minutes=1)

    assert not await flow.scheduler.close_vote_on_time(row.id)  # too early: nothing happens
    flow.clock.advance(timedelta(minutes=1))
    before = len(flow.api.outbox)
    assert await flow.scheduler.nudge_voters(row.id) == 5  # the 8 present, less the 3 who voted
    await flow.delivery.drain()
    nudged = flow.api.outbox[before:]
    assert sorted(m.chat_id for m in nudged) == sorted(p.id for p in council.people[3:8])
    texts = {m.text.split("\n")[0] for m in nudged}
    assert texts == {
        "Голосование закроется через минуту, а вы ещё не проголосовали: Ачык сабактар",
        "Добуш берүү бир мүнөттөн кийин жабылат, бирок сиз али добуш бере элексиз: Ачык сабактар",
    }
    assert await flow.scheduler.nudge_voters(row.id) == 0  # once

    flow.clock.advance(timedelta(minutes=1))
    assert await flow.scheduler.close_vote_on_time(row.id)
    await flow.delivery.drain()
    (row,) = await flow.rows(Vote)
    assert not row.is_open and row.votes_for == 3 and row.closed_at == row.closes_at
    assert "Итог: принято." in message.text and message.buttons == []  # 3 for of 3 cast, 8 of 10 present
    assert "Решение принято" in flow.api.last_to(council.chair.id).text  # the follow-up question, as by hand
    assert not await flow.scheduler.close_vote_on_time(row.id)


async def test_the_vote_message_says_when_it_closes(flow, vote):
    """Not only the chair (who sees the alert): every member reads on the vote itself when it closes, in the
    council's time zone; a later choice of the chair moves it; once closed, the line goes."""
    council, message = vote, vote.message
    assert "⏱ Голосование закроется" not in message.text
    await flow.press(council.chair, message, "⏱ 2")
    await flow.live.flush()
    assert flow.clock.now().astimezone(BISHKEK).strftime("%H:%M") == "15:00"  # UTC 09:00
    assert "⏱ Голосование закроется само в 15:02" in message.text
    assert "⏱ Добуш берүү өзү жабылат: саат 15:02" in message.text
    assert message.buttons  # the choices stay
    await flow.press(council.chair, message, "⏱ 10")
    await flow.live.flush()
    assert "в 15:10" in message.text and "саат 15:10" in message.text and "15:02" not in message.text
    flow.clock.advance(timedelta(minutes=10))
    (row,) = await flow.rows(Vote)
    assert await flow.scheduler.close_vote_on_time(row.id)
    await flow.delivery.drain()
    await flow.live.flush()
    assert "Итог: принято." in message.text and "⏱" not in message.text


async def test_a_vote_closed_by_hand_first_is_left_alone(flow, vote):
    await flow.press(vote.chair, vote.message, "⏱ 5")
    await flow.press(vote.chair, vote.message, "Добушту жабуу")
    (row,) = await flow.rows(Vote)
    closed_at = row.closed_at
    flow.clock.advance(timedelta(minutes=5))
    assert await flow.scheduler.nudge_voters(row.id) == 0
    assert not await flow.scheduler.close_vote_on_time(row.id)
    (row,) = await flow.rows(Vote)
    assert row.closed_at == closed_at


async def test_the_deadline_survives_a_restart(flow, vote):
    await flow.press(vote.chair, vote.message, "⏱ 10")
    (row,) = await flow.rows(Vote)
    restarted = Scheduler(
        flow.sessionmaker, flow.scheduler.i18n, flow.settings, flow.clock, flow.delivery, on_wall_clock=False
    )
    await restarted.start()
    try:
        jobs = {job.id: job.next_run_time for job in restarted.aps.get_jobs()}
        assert jobs[f"vote-close:{row.id}"] == row.closes_at
        assert f"vote-nudge:{row.id}" in jobs
        flow.clock.advance(timedelta(minutes=30))  # down past the deadline: closed at start, late
        again = Scheduler(
            flow.sessionmaker, flow.scheduler.i18n, flow.settings, flow.clock, flow.delivery, on_wall_clock=False
        )
        await again.start()
        try:
            jobs = {job.id: job for job in again.aps.get_jobs()}
            assert f"vote-nudge:{row.id}" not in jobs  # too late to remind
            assert await again.close_vote_on_time(row.id)
        finally:
            await again.stop()
    finally:
        await restarted.stop()
    (row,) = await flow.rows(Vote)
    assert not row.is_open


async def test_the_planned_jobs_run_when_the_clock_reaches_them(flow, vote):
    await flow.press(vote.chair, vote.message, "⏱ 2")
    (row,) = await flow.rows(Vote)
    earlier = await flow.scheduler.run_due()  # the meeting's reminders, left due by the fixture's jump of days
    assert earlier and all(job.startswith("remind:") for job in earlier)  # the vote's jobs are not due yet
    flow.clock.advance(timedelta(minutes=2))
    ran = await flow.scheduler.run_due()
    assert ran == [f"vote-nudge:{row.id}", f"vote-close:{row.id}"]  # in time order, each once
    await flow.delivery.drain()
    (row,) = await flow.rows(Vote)
    assert not row.is_open and "Итог: принято." in vote.message.text
    assert await flow.scheduler.run_due() == []


class _ContextLog(logging.Handler):
    """Each log line with the ids the formatter would add to it (bot/runtime/logs.py reads the same)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[tuple[str, dict[str, int]]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.getMessage(), log_context.current()))


async def test_a_job_planned_within_an_update_logs_without_that_updates_ids(flow, vote, monkeypatch, caplog):
    """APScheduler runs a job in the context of whoever planned or woke it (asyncio copies context variables
    into call_soon and tasks): the chair's ⏱ press plans the timed close. The close is the bot's own work: its
    log lines carry its council, never the press's update_id and user_id."""
    planned: dict[str, contextvars.Context] = {}
    add_job = flow.scheduler.aps.add_job

    def add_job_noting_its_context(*args, **kwargs):  # what AsyncIOScheduler's wakeup and task would inherit
        planned[kwargs["id"]] = contextvars.copy_context()
        return add_job(*args, **kwargs)

    monkeypatch.setattr(flow.scheduler.aps, "add_job", add_job_noting_its_context)
    await flow.press(vote.chair, vote.message, "⏱ 2")
    (row,) = await flow.rows(Vote)
    context = planned[f"vote-close:{row.id}"]
    assert context.run(log_context.current).get("user_id") == vote.chair.id  # planned inside the press

    flow.clock.advance(timedelta(minutes=2))
    caplog.set_level(logging.INFO)
    capture = _ContextLog()
    logging.getLogger().addHandler(capture)
    try:
        closed = await asyncio.get_running_loop().create_task(
            flow.scheduler.close_vote_on_time(row.id), context=context
        )
    finally:
        logging.getLogger().removeHandler(capture)
    assert closed
    (line,) = [(text, ids) for text, ids in capture.lines if text == f"Vote {row.id} closed on time"]
    assert line[1] == {"council_id": vote.id}
