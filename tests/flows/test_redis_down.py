"""Redis down (issue 18 §7): an update that cannot take its per-person lock is answered, not dropped.

The flow here runs with a Redis client that reaches nothing (port 1), as an instance whose Redis died: the
per-person lock and the conversation state live there (bot/app.py create_storage)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from db.models import Council, Member, User
from tests.botapi import Sent

KY = "кайра аракет кылыңыз"
RU = "попробуйте ещё раз через минутку"


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:  # the flow fixture's Redis, replaced by a dead one
    client = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    yield client
    await client.aclose()


async def test_a_message_is_answered_try_again_in_the_persons_language_and_changes_nothing(flow):
    aigul = flow.api.person(21, "Айгүл", "Токтогулова", "ky")
    anna = flow.api.person(22, "Анна", "Петрова", "ru")
    for person, expected in ((aigul, KY), (anna, RU)):
        (reply,) = await flow.say(person, person, "/start")
        assert expected in reply.text
    group = flow.api.group(-100, "Мектеп №5", admins={21})
    (reply,) = await flow.say(aigul, group, "/setup")
    assert KY in reply.text
    assert await flow.rows(Council) == [] and await flow.rows(Member) == [] and await flow.rows(User) == []


async def test_a_press_is_answered_with_an_alert(flow):
    person = flow.api.person(23, "Анна", "Петрова", "ru")
    message = Sent(chat_id=person.id, message_id=1, html="…", text="…", reply_markup=None, method="sendMessage")
    answer = await flow.press_data(person, message, "lang:ky")
    assert RU in answer["text"] and answer["show_alert"]
