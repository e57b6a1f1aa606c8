"""Nobody fills the disk or the chair's inbox (9.6); the notice rule for a changed agenda (8.5); the chair's
own confirmation of the regulation (8.6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.runtime.middlewares import Throttle
from db.models import AgendaItem, Material, Member, MemberStatus, QuarantinedFile
from tests.conftest import NOW, seed_council
from tests.flows.test_materials import DOCX, PDF, send_file, submit


def day(offset: int) -> str:
    return (NOW + timedelta(days=offset)).strftime("%d.%m.%Y")


@pytest.fixture
async def council(flow):
    council = await seed_council(flow, members=4, participants=1)
    await flow.say(council.chair, council.chair, "/start")
    return council


def archived(flow) -> list[str]:
    return sorted(p.name for p in flow.settings.storage_dir.rglob("*.*") if p.parent.name != "quarantine")


def quarantined(flow) -> list[str]:
    folder = flow.settings.storage_dir / "quarantine"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_a_file_waits_in_quarantine_and_an_abandoned_one_is_removed_after_a_day(flow, council):
    teacher, other = council.people[1], council.people[2]
    await send_file(flow, teacher, DOCX, "plan.docx")
    assert archived(flow) == [] and len(quarantined(flow)) == 1  # not in the archive before the questions
    await flow.say(teacher, teacher, "Бөлчөктөр")  # she answers one question, then leaves the dialog
    flow.clock.advance(timedelta(hours=23))
    await send_file(flow, other, PDF, "dev.pdf")
    assert len(quarantined(flow)) == 2  # a day has not passed yet
    flow.clock.advance(timedelta(hours=2))
    await flow.say(other, other, "Долбоорлоо")  # the other dialog goes on
    await flow.press(other, flow.api.last_to(other.id), "План урока")
    await flow.say(other, other, "Математика")
    await flow.press(other, flow.api.last_to(other.id), "Пропустить")
    await send_file(flow, other, b"%PDF third file" * 10, "third.pdf")  # each submission sweeps
    assert [row.file_name for row in await flow.rows(QuarantinedFile)] == ["third.pdf"]
    assert len(quarantined(flow)) == 1 and len(archived(flow)) == 1  # the abandoned plan.docx is gone
    (material,) = await flow.rows(Material)
    assert material.stored_name in archived(flow)


async def test_a_file_being_received_survives_another_members_sweep(flow, council):
    """Two teachers send files at the same moment: the first one's file is in the quarantine, its dialog's row
    not written yet, when the second one's upload sweeps the quarantine. Found by scripts/bench_soak.py."""
    from bot.ops.materials import Archive, archive_file

    other = council.people[2]
    archive = Archive(flow.settings.storage_dir)
    # What the first teacher's upload has done so far: the file downloaded and held, its dialog not recorded.
    receiving = archive_file(archive, DOCX, file_name="plan.docx", extension="docx", file_id="f1", held=True)
    await send_file(flow, other, PDF, "dev.pdf")  # sweeps the quarantine
    assert receiving.stored_name in quarantined(flow)


async def test_cancel_removes_the_quarantined_file_at_once(flow, council):
    teacher = council.people[1]
    await send_file(flow, teacher, DOCX, "plan.docx")
    await flow.say(teacher, teacher, "/cancel")
    assert quarantined(flow) == [] and await flow.rows(QuarantinedFile) == [] and archived(flow) == []


async def test_submissions_per_day_are_limited(flow, council):
    flow.settings.max_submissions_per_day = 2
    teacher = council.people[2]
    await submit(flow, teacher, DOCX, "a.docx", "Биринчи")
    await submit(flow, teacher, PDF, "b.pdf", "Экинчи")
    (reply,) = await send_file(flow, teacher, b"%PDF third" * 10, "c.pdf")
    assert reply.text.startswith("Сегодня вы уже отправили максимум материалов за день (2);")  # not "2 материалов"
    assert len(await flow.rows(Material)) == 2 and await flow.rows(QuarantinedFile) == []
    flow.clock.advance(timedelta(days=1))
    (reply,) = await send_file(flow, teacher, b"%PDF third" * 10, "c.pdf")
    assert reply.text.startswith("Файл получен")  # a new day


async def test_a_full_archive_refuses_new_files_clearly(flow, council):
    flow.settings.max_archive_mb = 1
    teacher = council.people[2]
    (reply,) = await send_file(flow, teacher, DOCX, "big.docx", size=2 * 1024 * 1024)
    assert reply.text.startswith("Архив совета заполнен; ничего не сохранено.")
    assert archived(flow) == [] and quarantined(flow) == []


async def test_a_rejected_applicant_applies_at_most_twice_more_then_needs_a_new_link(flow, council):
    chair = council.chair
    applicant = flow.api.person(50, "Айбек", "Садыков", "ru")
    flow.api.started.add(chair.id)
    for _ in range(3):
        await flow.register(applicant, council.join_code, "ru", "Садыков Айбек", "учитель")
        await flow.press(chair, flow.api.last_to(chair.id), "Отклонить")
    (member,) = await flow.rows(Member, Member.user_id == applicant.id)
    assert member.status is MemberStatus.REJECTED and member.rejections == 3
    (reply,) = await flow.say(applicant, applicant, f"/start join_{council.join_code}")
    assert "не была утверждена 3 раза" in reply.text and "новой ссылке" in reply.text
    # The chair replaces the link from /settings: the old one stops working, the new one lets them apply.
    (menu,) = await flow.say(chair, chair, "/settings")
    await flow.press(chair, menu, "Заменить ссылку")
    confirm = flow.api.last_to(chair.id)
    data = confirm.button("Да, заменить")["callback_data"]
    answers = [await flow.press_data(chair, confirm, data), await flow.press_data(chair, confirm, data)]
    assert answers[0]["text"] == "Сохранено" and "только что заменена" in answers[1]["text"]  # replaced once
    new_code = (await flow.council(council.group.id)).join_code
    assert new_code != council.join_code and new_code in confirm.text
    (reply,) = await flow.say(applicant, applicant, f"/start join_{council.join_code}")
    assert "не действительна" in reply.text or "больше не работает" in reply.text
    await flow.register(applicant, new_code, "ru", "Садыков Айбек", "учитель")
    (member,) = await flow.rows(Member, Member.user_id == applicant.id)
    assert member.status is MemberStatus.PENDING


async def test_presses_beyond_five_a_second_are_answered_too_fast_without_the_database(flow, council):
    throttle = next(m for m in flow.dp.update.outer_middleware if isinstance(m, Throttle))
    throttle.limit = 5
    chair = council.chair
    (menu,) = await flow.say(chair, chair, "/settings")
    data = menu.button("Изменить триместры")["callback_data"]
    for _ in range(5):
        assert "Слишком быстро" not in (await flow.press_data(chair, menu, data)).get("text", "")
    async with flow.sessionmaker() as session:  # a press that reached the database would now fail
        await session.execute(text("ALTER TABLE users RENAME TO users_gone"))
        await session.commit()
    answer = await flow.press_data(chair, menu, data)
    assert answer["text"] == "Слишком быстро: подождите секунду и нажмите ещё раз."
    assert not flow.errors.records


async def _material_card(flow, council):
    await submit(flow, council.people[2], DOCX, "plan.docx", "Бөлчөктөр")
    return next(m for m in flow.api.sent_to(council.chair.id) if m.text.startswith("Материал №1"))


async def _announce(flow, council, offset: int) -> None:
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day(offset)} 15:00\n1. Окуу пландары")
    await flow.press(council.chair, preview, "Опубликовать")


async def test_a_material_added_a_week_ahead_announces_the_changed_agenda_again(flow, council):
    await _announce(flow, council, 8)
    card = await _material_card(flow, council)
    await flow.press(council.chair, card, "Поставить в повестку")
    await flow.press(council.chair, flow.api.last_to(council.chair.id), "2026")
    changed = flow.api.last_to(council.group.id)
    assert changed.pinned and "Күн тартиби өзгөрдү." in changed.text and "Повестка дня изменена." in changed.text
    assert "2. Методикалык материал №1 «Бөлчөктөр»" in changed.text or "2. Методический материал №1" in changed.text
    for person in council.people[1:]:
        assert "«Бөлчөктөр»" in flow.api.last_to(person.id).text  # each member is told, in their language


async def test_a_material_is_not_added_once_the_meeting_is_less_than_a_week_away(flow, council):
    await _announce(flow, council, 7)
    card = await _material_card(flow, council)
    flow.clock.advance(timedelta(days=1))
    await flow.press(council.chair, card, "Поставить в повестку")
    answer = await flow.press(council.chair, flow.api.last_to(council.chair.id), "2026")
    assert "text" not in answer  # too long for an alert: the reason comes as a message
    why = flow.api.last_to(council.chair.id).text.replace("\u202f", " ")
    assert "осталось меньше 7 полных дней" in why and "/agenda на 3 декабря 2026" in why
    assert len(await flow.rows(AgendaItem)) == 1
    await _announce(flow, council, 20)  # a later meeting: the chair is told it can still go there
    await flow.press(council.chair, card, "Поставить в повестку")
    answer = await flow.press(council.chair, flow.api.last_to(council.chair.id), "2 декабря 2026")
    why = (answer.get("text") or flow.api.last_to(council.chair.id).text).replace("\u202f", " ")  # alert or message
    assert "Его ещё можно внести в повестку заседания (15 декабря 2026" in why


async def test_the_chairs_card_says_the_regulation_is_unconfirmed_until_the_chair_confirms_it(flow):
    chair = flow.api.person(10, "Гүлнара", "Осмонова", "ru")
    group = flow.api.group(-100, "Мектеп №5", admins={10})
    await flow.say(chair, group, "/setup")
    council = await flow.council(group.id)
    (listing,) = await flow.say(chair, chair, "/members")
    assert "ознакомление с положением не подтверждено" in listing.text
    await flow.press(chair, listing, "Осмонова")
    assert "Ознакомление с положением ещё не подтверждено: председатель подтверждает" in listing.text
    await flow.register(chair, council.join_code, "ru", "Осмонова Гүлнара", None)
    (listing,) = await flow.say(chair, chair, "/members")
    assert "с положением ознакомлен(а): 25 нояб. 2026" in listing.text.replace("\u202f", " ")
    await flow.press(chair, listing, "Осмонова")
    assert "не подтверждено" not in listing.text and "С положением ознакомлен(а): 25" in listing.text
