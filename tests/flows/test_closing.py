"""One way to close a vote (issue 18 §2): the Close button, the ⏱ timer, /close and the daily check of a
meeting left open all close a vote through bot/ops/voting.py's close_once. Each path, for an open vote and a
secret ballot, leaves the same record: the totals, one /log entry, the chair's question once, and of a secret
ballot nothing but its totals and who voted (no sealed ballot in the database's files, its key dropped). The
timer racing the button: one of them closes it, the other finds it closed and changes nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from aiogram.types import Update

from db.models import AuditAction, AuditEntry, Ballot, Outcome, SealedBallot, SecretVoter, Vote
from tests.conftest import NOW, seed_council
from tests.flows.test_meeting import AGENDA, mark_present, open_meeting, post_vote

PATHS = ("button", "timer", "close", "daily")
CHOICES = ["Макул"] * 5 + ["Каршы"] * 2 + ["Калыс"]  # 5/2/1 of 8 present: adopted
FOLLOW_UP = "Решение принято:"  # the chair's question after an adopted decision (the chair reads Russian)
CLOSED_BY_HAND = "Голосование закрыто: принято"
ALREADY_CLOSED = "Голосование закрыто."
CHAIR_NAME = "Гүлнара Осмонова"


@pytest.fixture
async def day(flow):
    """A 10-member council at its meeting, 8 members present."""
    council = await seed_council(flow, members=10)
    await flow.say(council.chair, council.chair, "/start")
    when = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {when} 15:00{AGENDA}")
    await flow.press(council.chair, preview, "Опубликовать")
    flow.clock.advance(timedelta(days=8, hours=5))
    attendance = await open_meeting(flow, council)
    council.present = council.people[:8]
    await mark_present(flow, council, attendance, council.present)
    return council


async def vote_cast(flow, council, secret: bool):
    """A vote on item 1 with 5 for, 2 against, 1 abstaining; a change of mind on the way."""
    message = await post_vote(flow, council, f"{'/secretvote' if secret else '/vote'} 1 Методикалык теманы бекитүү")
    await flow.press(council.present[5], message, "Макул")
    for person, choice in zip(council.present, CHOICES, strict=True):
        await flow.press(person, message, choice)
    (vote,) = await flow.rows(Vote)
    return message, vote


def sqlite_files(flow, tmp_path: Path) -> bytes | None:
    """kenesh.db, -wal and -shm as they are on disk (None on PostgreSQL: test_secret_ballot reads its pages)."""
    if flow.sessionmaker.kw["bind"].dialect.name != "sqlite":
        return None
    return b"".join(
        f.read_bytes() for f in (tmp_path / n for n in ("kenesh.db", "kenesh.db-wal", "kenesh.db-shm")) if f.exists()
    )


async def close_by(flow, council, message, vote: Vote, path: str) -> None:
    chair = council.chair
    if path == "button":
        answer = await flow.press(chair, message, "Добушту жабуу")
        assert answer["text"] == CLOSED_BY_HAND
    elif path == "timer":
        await flow.press(chair, message, "⏱ 2")
        await flow.scheduler.run_due()  # the meeting's reminders, left due by the jump to its day
        flow.clock.advance(timedelta(minutes=2))
        assert await flow.scheduler.run_due() == [f"vote-nudge:{vote.id}", f"vote-close:{vote.id}"]
    elif path == "close":
        await flow.say(chair, council.group, "/close")
    else:  # the meeting left open: the next day's check closes it with its votes
        flow.clock.advance(timedelta(days=1))
        await flow.scheduler.daily_check()
    await flow.delivery.drain()


async def assert_closed_once(flow, council, message, vote_id: int, *, secret: bool, by_chair: bool) -> Vote:
    """The record, the group's message, the /log and the chair's question, as any path leaves them."""
    (vote,) = await flow.rows(Vote, Vote.id == vote_id)
    assert not vote.is_open and vote.outcome is Outcome.ADOPTED
    assert (vote.votes_for, vote.votes_against, vote.votes_abstain, vote.present_total) == (5, 2, 1, 8)
    assert "Итог: принято." in message.text and message.buttons == []
    followed = [m for m in flow.api.sent_to(council.chair.id) if m.text.startswith(FOLLOW_UP)]
    assert len(followed) == 1  # the chair's question, once
    (entry,) = await flow.rows(AuditEntry, AuditEntry.action == AuditAction.VOTE_CLOSED)
    assert (entry.obj_id, entry.after, entry.actor_id) == (vote.id, "adopted", council.chair.id if by_chair else None)
    (page,) = await flow.say(council.chair, council.chair, "/log")
    (line,) = [block for block in page.text.split("\n\n") if "закрытие голосования" in block]
    assert ("— " + (CHAIR_NAME if by_chair else "бот")) in line and "принято" in line
    if secret:
        assert await flow.rows(SealedBallot) == [] and await flow.rows(Ballot) == []
        voted = sorted(m.id for m in await flow.members(council.id) if m.user_id in {p.id for p in council.present})
        assert [v.member_id for v in await flow.rows(SecretVoter)] == voted
        assert await flow.vote_keys.key(vote.id) is None  # the key is dropped: nothing sealed can be read again
    else:
        assert len(await flow.rows(Ballot)) == 8  # an open vote's names stay: the protocol lists them
    return vote


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
@pytest.mark.parametrize("path", PATHS)
async def test_every_path_closes_a_vote_the_same_way(flow, day, tmp_path, path, secret):
    message, vote = await vote_cast(flow, day, secret)
    sealed = [row.sealed for row in await flow.rows(SealedBallot)]
    assert len(sealed) == (8 if secret else 0)
    before = sqlite_files(flow, tmp_path)
    if secret and before is not None:
        assert all(box in before for box in sealed)  # the files are read whole: a sealed ballot is seen there

    await close_by(flow, day, message, vote, path)

    await assert_closed_once(flow, day, message, vote.id, secret=secret, by_chair=path in ("button", "close"))
    after = sqlite_files(flow, tmp_path)
    if secret and after is not None:  # SQLite: deleted with secure_delete, the WAL emptied after the commit
        assert not [box for box in sealed if box in after]
        for choice in (b"against", b"abstain"):  # a choice's name is only in the schema's column names
            assert after.count(choice) == after.count(b"votes_" + choice)


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
async def test_the_timer_racing_the_button_closes_the_vote_once(flow, day, tmp_path, secret):
    message, vote = await vote_cast(flow, day, secret)
    await flow.press(day.chair, message, "⏱ 2")
    flow.clock.advance(timedelta(minutes=2))
    press = flow.api.callback_update(day.chair, message, message.button("Добушту жабуу")["callback_data"])

    _, timer_closed = await asyncio.gather(
        flow.dp.feed_update(flow.bot, Update.model_validate(press, context={"bot": flow.bot})),
        flow.scheduler.close_vote_on_time(vote.id),
    )
    await flow.delivery.drain()
    assert not flow.errors.records, [r.getMessage() for r in flow.errors.records]

    answer = flow.api.answers[press["callback_query"]["id"]]["text"]
    assert (answer, timer_closed) in {(CLOSED_BY_HAND, False), (ALREADY_CLOSED, True)}  # one of them closed it
    await assert_closed_once(flow, day, message, vote.id, secret=secret, by_chair=not timer_closed)
    after = sqlite_files(flow, tmp_path)
    if secret and after is not None:
        assert after.count(b"against") == after.count(b"votes_against")


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
async def test_the_timer_after_the_button_finds_the_vote_closed_and_changes_nothing(flow, day, secret):
    message, vote = await vote_cast(flow, day, secret)
    await flow.press(day.chair, message, "⏱ 5")
    close = message.button("Добушту жабуу")["callback_data"]
    assert (await flow.press_data(day.chair, message, close))["text"] == CLOSED_BY_HAND
    (closed,) = await flow.rows(Vote)
    flow.clock.advance(timedelta(minutes=5))
    assert not await flow.scheduler.close_vote_on_time(vote.id)
    await flow.delivery.drain()
    again = await assert_closed_once(flow, day, message, vote.id, secret=secret, by_chair=True)
    assert again.closed_at == closed.closed_at
    # the button again (a message not yet edited on a phone), after the timer's try: "closed", nothing written
    assert (await flow.press_data(day.chair, message, close))["text"] == ALREADY_CLOSED
    assert len(await flow.rows(AuditEntry, AuditEntry.action == AuditAction.VOTE_CLOSED)) == 1


async def test_close_twice_at_once_posts_one_result_and_one_log_entry(flow, day):
    """/close and the Close button at once: the vote closes once, in whichever transaction came first."""
    message, vote = await vote_cast(flow, day, True)
    press = flow.api.callback_update(day.chair, message, message.button("Добушту жабуу")["callback_data"])
    close = flow.api.message_update(day.chair, day.group.chat, "/close")
    await asyncio.gather(
        *(flow.dp.feed_update(flow.bot, Update.model_validate(u, context={"bot": flow.bot})) for u in (press, close))
    )
    await flow.delivery.drain()
    assert not flow.errors.records, [r.getMessage() for r in flow.errors.records]
    answer = flow.api.answers[press["callback_query"]["id"]]["text"]
    assert answer in {CLOSED_BY_HAND, ALREADY_CLOSED}
    await assert_closed_once(flow, day, message, vote.id, secret=True, by_chair=True)
