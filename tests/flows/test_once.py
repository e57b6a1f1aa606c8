"""Every action happens once, whatever is pressed twice at the same moment (issue 9.1).

Each test fires the same update twice at once through the real Dispatcher (which runs one user's updates
concurrently) and counts what was sent and the rows: the database, not the order of events, is the judge.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from aiogram.types import Update

from db.models import AgendaItem, Material, MaterialEvent, MaterialState, Meeting, MeetingStatus, Member, MemberStatus
from tests.conftest import NOW, seed_council
from tests.flows.test_materials import DOCX, send_file


def day(offset: int) -> str:
    return (NOW + timedelta(days=offset)).strftime("%d.%m.%Y")


async def at_once(flow, *updates: dict) -> list[dict]:
    """Feed the updates concurrently, then let the outbox send; returns the answers to the presses."""
    await asyncio.gather(
        *(flow.dp.feed_update(flow.bot, Update.model_validate(u, context={"bot": flow.bot})) for u in updates)
    )
    await flow.delivery.drain()
    assert not flow.errors.records, [r.getMessage() for r in flow.errors.records]
    return [flow.api.answers.get(u["callback_query"]["id"]) for u in updates if "callback_query" in u]


async def twice(flow, person, message, button: str) -> list[dict]:
    data = message.button(button)["callback_data"]
    return await at_once(flow, *(flow.api.callback_update(person, message, data) for _ in range(2)))


def texts_to(flow, chat_id: int, part: str) -> list[str]:
    return [m.text for m in flow.api.sent_to(chat_id) if part in m.text]


@pytest.fixture
async def council(flow):
    council = await seed_council(flow, members=4, participants=1)
    await flow.say(council.chair, council.chair, "/start")
    return council


async def _preview(flow, council, offset: int = 8):
    (preview,) = await flow.say(
        council.chair, council.chair, f"/agenda {day(offset)} 15:00 Кабинет 12\n1. Окуу пландары"
    )
    return preview


async def _publish(flow, council, offset: int = 8) -> Meeting:
    await flow.press(council.chair, await _preview(flow, council, offset), "Опубликовать")
    (meeting,) = await flow.rows(Meeting, Meeting.status == MeetingStatus.ANNOUNCED)
    return meeting


async def test_publish_pressed_twice_announces_once_to_the_group_and_each_member(flow, council):
    preview = await _preview(flow, council)
    answers = await twice(flow, council.chair, preview, "Опубликовать")
    assert sorted(a["text"] for a in answers) == ["Опубликовано", "Эта повестка уже опубликована или отменена."]
    assert len(texts_to(flow, council.group.id, "Заседание методического совета")) == 1
    for person in council.people[1:]:
        assert len([m for m in flow.api.sent_to(person.id) if "Окуу пландары" in m.text]) == 1
    assert len([m for m in flow.api.sent_to(council.group.id) if m.pinned]) == 1


async def test_cancel_pressed_twice_tells_the_group_once(flow, council):
    meeting = await _publish(flow, council)
    (listing,) = await flow.say(council.chair, council.chair, "/meetings")
    await flow.press(council.chair, listing, "Отменить заседание")
    answers = await twice(flow, council.chair, listing, "Да, отменить")
    assert len(texts_to(flow, council.group.id, "отменено")) == 1
    assert "Перенести или отменить можно только объявленное" in str(answers)
    assert (await flow.rows(Meeting, Meeting.id == meeting.id))[0].status is MeetingStatus.CANCELLED


async def test_the_same_move_sent_twice_moves_once(flow, council):
    meeting = await _publish(flow, council)
    (listing,) = await flow.say(council.chair, council.chair, "/meetings")
    await flow.press(council.chair, listing, "Перенести")
    chat = council.chair.private_chat
    updates = [flow.api.message_update(council.chair, chat, f"{day(12)} 10:00") for _ in range(2)]
    before = len(flow.api.outbox)
    await at_once(flow, *updates)
    replies = [m.text for m in flow.api.outbox[before:] if m.chat_id == council.chair.id]
    assert len(texts_to(flow, council.group.id, "перенесено")) == 1
    assert sum(r.startswith("Перенесено") for r in replies) == 1
    (moved,) = await flow.rows(Meeting, Meeting.id == meeting.id)
    assert moved.starts_at.date().day == 7


async def test_skip_pressed_twice_makes_one_material(flow, council):
    teacher = council.people[2]
    (ask_title,) = await send_file(flow, teacher, DOCX, "plan.docx")
    await flow.say(teacher, teacher, "Бөлчөктөр")
    await flow.press(teacher, flow.api.last_to(teacher.id), "План урока")
    await flow.say(teacher, teacher, "Математика")
    answers = await twice(flow, teacher, flow.api.last_to(teacher.id), "Пропустить")
    assert len(await flow.rows(Material)) == 1
    assert len(texts_to(flow, council.chair.id, "Бөлчөктөр")) == 1  # the chair is told of it once
    assert len(texts_to(flow, teacher.id, "сохранён и отправлен")) == 1
    assert any(a.get("show_alert") for a in answers)  # the second press is told, not silently dropped


async def _submitted(flow, council):  # the chair's card of material No. 1
    from tests.flows.test_materials import submit

    await submit(flow, council.people[2], DOCX, "plan.docx", "Бөлчөктөр")
    return next(m for m in flow.api.sent_to(council.chair.id) if m.text.startswith("Материал №1"))


async def test_a_material_decision_sent_twice_tells_the_author_once(flow, council):
    card = await _submitted(flow, council)
    await flow.press(council.chair, card, "Утвердить и включить в банк")
    await twice(flow, council.chair, flow.api.last_to(council.chair.id), "Без комментария")
    (material,) = await flow.rows(Material)
    assert material.state is MaterialState.APPROVED
    assert len(texts_to(flow, council.people[2].id, "утверждён")) == 1
    assert len(await flow.rows(MaterialEvent, MaterialEvent.state == MaterialState.APPROVED)) == 1


async def test_put_on_the_agenda_twice_adds_one_item_and_announces_once(flow, council):
    await _publish(flow, council)
    card = await _submitted(flow, council)
    await flow.press(council.chair, card, "Поставить в повестку")
    before = len(texts_to(flow, council.group.id, "Заседание методического совета"))
    await twice(flow, council.chair, flow.api.last_to(council.chair.id), "2026")
    assert len(await flow.rows(AgendaItem)) == 2
    assert len(texts_to(flow, council.group.id, "Заседание методического совета")) == before + 1


@pytest.fixture
async def registered(flow):
    chair = flow.api.person(10, "Гүлнара", "Осмонова", "ky")
    group = flow.api.group(-100, "Мектеп №5", admins={10})
    await flow.say(chair, group, "/setup")
    council = await flow.council(group.id)
    await flow.register(chair, council.join_code, "ky", "Осмонова Гүлнара", None)
    teacher = flow.api.person(32, "Айбек", "Садыков", "ru")
    await flow.register(teacher, council.join_code, "ru", "Садыков Айбек", "учитель")
    council.chair, council.group, council.teacher = chair, group, teacher
    return council


@pytest.mark.parametrize(
    ("button", "status"), [("Бекитүү", MemberStatus.APPROVED), ("Четке кагуу", MemberStatus.REJECTED)]
)
async def test_approve_or_reject_pressed_twice_tells_the_applicant_once(flow, registered, button, status):
    told = len(flow.api.sent_to(registered.teacher.id))
    answers = await twice(flow, registered.chair, flow.api.last_to(registered.chair.id), button)
    assert len(flow.api.sent_to(registered.teacher.id)) == told + 1
    assert "Бул арыз боюнча чечим мурунтан эле кабыл алынган." in [a["text"] for a in answers]
    (member,) = await flow.rows(Member, Member.user_id == registered.teacher.id)
    assert member.status is status and member.rejections == (status is MemberStatus.REJECTED)


async def test_remove_pressed_twice_tells_the_member_once(flow, registered):
    await flow.press(registered.chair, flow.api.last_to(registered.chair.id), "Бекитүү")
    (listing,) = await flow.say(registered.chair, registered.chair, "/members")
    await flow.press(registered.chair, listing, "Садыков Айбек")
    await flow.press(registered.chair, listing, "Кеңештен чыгаруу")
    told = len(flow.api.sent_to(registered.teacher.id))
    await twice(flow, registered.chair, listing, "Ооба, чыгаруу")
    assert len(flow.api.sent_to(registered.teacher.id)) == told + 1
    (member,) = await flow.rows(Member, Member.user_id == registered.teacher.id)
    assert member.status is MemberStatus.REMOVED


@pytest.mark.parametrize(("buttons", "told"), [(["Төрагалыкты өткөрүп берүү"], "Ооба, өткөрүп берүү"), ([], "Катчы")])
async def test_hand_over_or_name_secretary_pressed_twice_happens_once(flow, registered, buttons, told):
    from db.models import Council

    await flow.press(registered.chair, flow.api.last_to(registered.chair.id), "Бекитүү")
    (listing,) = await flow.say(registered.chair, registered.chair, "/members")
    await flow.press(registered.chair, listing, "Садыков Айбек")
    for button in buttons:
        await flow.press(registered.chair, listing, button)
    before = len(flow.api.sent_to(registered.teacher.id))
    answers = await twice(flow, registered.chair, listing, told)
    assert len(flow.api.sent_to(registered.teacher.id)) == before + 1  # told once
    assert sum(bool(a.get("show_alert")) for a in answers) == 1  # the second press is told why not
    (council,) = await flow.rows(Council)
    teacher_is = council.chair_id if buttons else council.secretary_id
    assert teacher_is == registered.teacher.id
