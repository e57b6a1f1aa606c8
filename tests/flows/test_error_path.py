"""The error path always answers: a press or a message that fails on the database (here SQLite's one write lock
held past the busy timeout by another writer, as a backup or a second tool might) still gets "try again"."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from db.models import Meeting
from tests.conftest import NOW, seed_council


async def test_a_message_that_finds_the_database_locked_is_still_answered(flow):
    database = flow.sessionmaker.kw["bind"].url.database
    if flow.sessionmaker.kw["bind"].dialect.name != "sqlite":
        pytest.skip("SQLite's one write lock")
    council = await seed_council(flow, members=2)
    chair = council.chair
    await flow.say(chair, chair, "/start")
    day = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")
    other = sqlite3.connect(database, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock past the bot's busy timeout
    try:
        with pytest.raises(AssertionError, match="the bot logged an error: Update"):
            await flow.say(chair, chair, f"/agenda {day} 15:00\n1. Маселе")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert flow.api.last_to(chair.id).text == "У меня что-то пошло не так. Попробуйте ещё раз через минуту."
    assert await flow.rows(Meeting) == []  # nothing half-done
    (preview,) = await flow.say(chair, chair, f"/agenda {day} 15:00\n1. Маселе")  # and again, it works
    assert "Опубликовать" in str(preview.buttons)
