"""Many people at once on one process without Redis (SQLite, or PostgreSQL with KENESH_TEST_DATABASE_URL): the
conversation state lives in the database, and each update must get by with its own session's connection."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiogram.types import Update

from bot.runtime.fsm_storage import DatabaseStorage
from db.models import FsmRecord, Member, MemberStatus, Role
from tests.botapi import Person, Sent
from tests.conftest import Flow

PEOPLE = 20
# A stall waits out SQLAlchemy's pool, which gives a connection up after 30 s; SQLite's busy timeout (5 s) ends
# in an error, which fails the test by itself. On an idle machine the whole run takes a second or two; on a busy
# one (this test's twenty people share the CPU with everything else) an update may wait a few seconds for it.
EACH_WITHIN_S, ALL_WITHIN_S = 10.0, 20.0
WENT_WRONG = ("У меня что-то пошло не так", "Кечиресиз, ката кетти")


@pytest.fixture
async def redis() -> AsyncIterator[None]:
    """The flow without Redis even when KENESH_TEST_REDIS_URL is set: the FSM state in the database."""
    yield None


@pytest.fixture
async def join_code(flow: Flow) -> str:
    chair = flow.api.person(10, "Гүлнара", "Осмонова", "ky")
    group = flow.api.group(-100, "Мектеп №5", admins={10})
    await flow.say(chair, group, "/setup")
    council = await flow.council(group.id)
    await flow.register(chair, council.join_code, "ky", "Осмонова Гүлнара", None)
    return council.join_code


async def _feed(flow: Flow, update: dict) -> None:
    """One update through the Dispatcher, as polling hands it over: side by side with the others."""
    began = time.monotonic()
    await flow.dp.feed_update(flow.bot, Update.model_validate(update, context={"bot": flow.bot}))
    took = time.monotonic() - began
    if flow.errors.records:
        raise AssertionError(f"the bot logged an error: {flow.errors.records[0].getMessage()}") from (
            flow.errors.records[0].exc_info[1] if flow.errors.records[0].exc_info else None
        )
    assert took < EACH_WITHIN_S, f"update {update['update_id']} took {took:.1f} s"


async def _said(flow: Flow, person: Person, text: str) -> Sent:
    before = len(flow.api.sent_to(person.id))
    await _feed(flow, flow.api.message_update(person, person.private_chat, text))
    sent = flow.api.sent_to(person.id)[before:]
    assert sent, f"no answer to {text!r} for {person.id}"
    return sent[-1]


async def _pressed(flow: Flow, person: Person, message: Sent, label: str) -> dict:
    update = flow.api.callback_update(person, message, message.button(label)["callback_data"])
    await _feed(flow, update)
    return flow.api.answers[update["callback_query"]["id"]]


async def _register(flow: Flow, person: Person, join_code: str) -> None:
    """The join link, the language, the name, the role, the regulation: each step answered before the next."""
    kyrgyz = person.language_code == "ky"
    prompt = await _said(flow, person, f"/start join_{join_code}")
    await _pressed(flow, person, prompt, "Кыргызча" if kyrgyz else "Русский")
    roles = await _said(flow, person, f"{person.last_name} {person.first_name}")
    await _pressed(flow, person, roles, "Мугалим" if kyrgyz else "учитель")
    answer = await _pressed(flow, person, flow.api.last_to(person.id), "тааныштым" if kyrgyz else "ознакомлен")
    assert answer["text"] == ("Сакталды" if kyrgyz else "Сохранено")


async def test_twenty_people_register_at_once_and_every_one_is_answered(flow: Flow, join_code: str) -> None:
    assert isinstance(flow.dp.storage, DatabaseStorage)
    letters = "абвгдежзиклмнопрстуфх"
    people = [
        flow.api.person(200 + n, f"Мугалим{letters[n]}", f"Ас{letters[n]}ова", "ky" if n % 2 else "ru")
        for n in range(PEOPLE)
    ]
    began = time.monotonic()
    async with asyncio.timeout(60), asyncio.TaskGroup() as everyone:  # a failure stops the others
        for person in people:
            everyone.create_task(_register(flow, person, join_code))
    took = time.monotonic() - began
    await flow.delivery.drain()

    assert not flow.errors.records, flow.errors.records[0].getMessage()
    went_wrong = [m.text for m in flow.api.outbox if any(words in m.text for words in WENT_WRONG)]
    assert went_wrong == []
    for person in people:
        told = flow.api.last_to(person.id).text
        assert ("Арызыңыз төрагага жөнөтүлдү" if person.language_code == "ky" else "Заявка отправлена") in told
    applied = await flow.rows(Member, Member.user_id.in_([p.id for p in people]))
    assert sorted((m.user_id, m.full_name, m.role, m.status) for m in applied) == [
        (p.id, f"{p.last_name} {p.first_name}", Role.TEACHER, MemberStatus.PENDING) for p in people
    ]
    assert await flow.rows(FsmRecord) == []  # every conversation finished: no state left behind
    assert took < ALL_WITHIN_S, f"{PEOPLE} registrations at once took {took:.1f} s"
