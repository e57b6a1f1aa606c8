"""What follows a change (its meeting's reminders, its vote's tally) follows the commit, without the handler
asking; a change that rolls back is followed by nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.ops import effects
from bot.runtime import after_commit
from db.models import Meeting, MeetingStatus, Vote
from db.repo import change_if
from tests.conftest import BISHKEK, NOW, seed_council

AGENDA = "\n1. Мектептин методикалык темасы — Осмонова Г.\n2. Окуу топторунун иш пландары"


def day(offset: int) -> str:
    return (NOW + timedelta(days=offset)).strftime("%d.%m.%Y")


@pytest.fixture
async def council(flow):
    return await seed_council(flow, members=10, participants=1)


async def _publish(flow, council) -> Meeting:
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day(8)} 15:00 Кабинет 12{AGENDA}")
    await flow.press(council.chair, preview, "Опубликовать")
    (meeting,) = await flow.rows(Meeting, Meeting.status == MeetingStatus.ANNOUNCED)
    return meeting


def _jobs_for(meeting: Meeting, starts_at: datetime) -> list[str]:
    ts = int(starts_at.timestamp())
    return [f"remind:{meeting.id}:{ts}:1", f"remind:{meeting.id}:{ts}:24"]


async def test_a_meeting_the_chair_moves_gets_its_reminders_for_the_new_time(flow, council):
    meeting = await _publish(flow, council)
    assert flow.scheduler.reminder_jobs(meeting.id) == _jobs_for(meeting, meeting.starts_at)
    (listing,) = await flow.say(council.chair, council.chair, "/meetings")
    await flow.press(council.chair, listing, "Перенести")
    await flow.say(council.chair, council.chair, f"{day(12)} 10:00")
    new_start = datetime(2026, 12, 7, 10, 0, tzinfo=BISHKEK)
    assert flow.scheduler.reminder_jobs(meeting.id) == _jobs_for(meeting, new_start)
    # Cancelled: no reminder is left to go out.
    (listing,) = await flow.say(council.chair, council.chair, "/meetings")
    await flow.press(council.chair, listing, "Отменить")
    await flow.press(council.chair, flow.api.last_to(council.chair.id), "Да")
    assert flow.scheduler.reminder_jobs(meeting.id) == []


async def test_a_vote_press_is_followed_by_the_tally_edit(flow, council):
    meeting = await _publish(flow, council)
    flow.clock.advance(meeting.starts_at - flow.clock.now())
    await flow.say(council.chair, council.group, "/open")
    attendance = next(m for m in flow.api.sent_to(council.group.id) if "Присутствую" in str(m.reply_markup))
    for person in council.people[:7]:
        await flow.press(person, attendance, "Присутствую")
    sent = await flow.say(council.chair, council.group, "/vote 1 Бекитилсин")
    (vote_message,) = [m for m in sent if m.chat_id == council.group.id]
    await flow.press(council.people[1], vote_message, "За")
    assert vote_message.edits == 0  # the press only marked it: the live timer edits it
    await flow.live.flush()
    assert vote_message.edits == 1 and "За: 1" in vote_message.text
    (vote,) = await flow.rows(Vote)
    await flow.press(council.chair, vote_message, "Закрыть")  # a closing is on the message at once
    assert vote_message.edits == 2 and vote_message.reply_markup is None and vote.id


async def test_nothing_follows_a_change_that_rolls_back(flow, council):
    meeting = await _publish(flow, council)
    planned = flow.scheduler.reminder_jobs(meeting.id)
    later = meeting.starts_at + timedelta(days=2)
    async with flow.sessionmaker() as session:
        with pytest.raises(RuntimeError):
            async with session.begin():  # e.g. a handler failing after the operation's writes
                assert await change_if(session, Meeting, meeting.id, starts_at=later)
                row = await session.get(Meeting, meeting.id)
                effects.reminders_changed(session, row)
                raise RuntimeError("the update failed")
        await after_commit.run(session, scheduler=flow.scheduler, live=flow.live, delivery=flow.delivery)
    (kept,) = await flow.rows(Meeting, Meeting.id == meeting.id)
    assert kept.starts_at == meeting.starts_at and flow.scheduler.reminder_jobs(meeting.id) == planned

    async with flow.sessionmaker() as session:  # the same change, committed: its reminders follow it
        async with session.begin():
            assert await change_if(session, Meeting, meeting.id, starts_at=later)
            row = await session.get(Meeting, meeting.id)
            await session.refresh(row)
            effects.reminders_changed(session, row)
        await after_commit.run(session, scheduler=flow.scheduler, live=flow.live, delivery=flow.delivery)
    assert flow.scheduler.reminder_jobs(meeting.id) == _jobs_for(meeting, later)
