"""Methodical materials: submit, refuse what must be refused, review with comments, the bank and its files."""

from __future__ import annotations

import hashlib

import pytest

from db.models import Material, MaterialEvent, MaterialState
from tests.conftest import seed_council

DOCX = b"PK\x03\x04 a lesson plan about fractions " * 50
PDF = b"%PDF-1.4 a methodical development " * 80


@pytest.fixture
async def council(flow):
    council = await seed_council(flow, members=4, participants=1)
    await flow.say(council.chair, council.chair, "/start")
    return council


async def send_file(flow, person, content: bytes, name: str, size: int | None = None) -> list:
    before = len(flow.api.outbox)
    await flow.feed(flow.api.document_update(person, content, name, size))
    return flow.api.outbox[before:]


async def submit(
    flow,
    person,
    content: bytes,
    name: str,
    title: str | None,
    subject: str = "Математика",
    description: str | None = None,
) -> None:
    (ask_title,) = await send_file(flow, person, content, name)
    if title is None:
        await flow.press(person, ask_title, name.rsplit(".", 1)[0][:20])
    else:
        await flow.say(person, person, title)
    kinds = flow.api.last_to(person.id)
    await flow.press_data(person, kinds, kinds.buttons[0]["callback_data"])  # a lesson plan, in either language
    await flow.say(person, person, subject)
    if description:
        await flow.say(person, person, description)
    else:
        skip = flow.api.last_to(person.id)
        await flow.press_data(person, skip, skip.buttons[0]["callback_data"])


async def test_submit_two_materials_the_chair_returns_one_approves_the_other_and_the_bank_sends_it(flow, council):
    teacher = council.people[2]  # a Russian reader
    await submit(flow, teacher, DOCX, "Бөлчөктөр_5-класс.docx", None)
    saved = flow.api.last_to(teacher.id).text
    assert saved.startswith("Материал №1 «Бөлчөктөр_5-класс» сохранён")
    await submit(
        flow,
        teacher,
        PDF,
        "development.pdf",
        "Окуучулардын функционалдык сабаттуулугу",
        "МБ математика",
        "8-9 класстар үчүн",
    )
    materials = await flow.rows(Material)
    assert [(m.id, m.state, m.size, m.sha256) for m in materials] == [
        (1, MaterialState.SUBMITTED, len(DOCX), hashlib.sha256(DOCX).hexdigest()),
        (2, MaterialState.SUBMITTED, len(PDF), hashlib.sha256(PDF).hexdigest()),
    ]
    archived = flow.settings.storage_dir / materials[1].stored_name[:2] / materials[1].stored_name
    assert archived.read_bytes() == PDF

    chair = council.chair
    cards = [m for m in flow.api.sent_to(chair.id) if m.text.startswith("Материал №")]
    assert len(cards) == 2 and "Окуучулардын функционалдык сабаттуулугу" in cards[1].text
    await flow.press(chair, cards[0], "Вернуть на доработку")
    await flow.say(chair, chair, "Мисалдарды кошуңуз, please add examples")
    await flow.press(chair, cards[1], "Утвердить и включить в банк")
    await flow.press(chair, flow.api.last_to(chair.id), "Без комментария")
    told = [m.text for m in flow.api.sent_to(teacher.id)[-2:]]
    assert told[0].startswith("Ваш материал «Бөлчөктөр_5-класс» возвращён на доработку")
    assert "Комментарий: Мисалдарды кошуңуз, please add examples" in told[0]
    assert told[1].startswith("Ваш материал «Окуучулардын функционалдык сабаттуулугу» утверждён")
    events = await flow.rows(MaterialEvent)
    assert [(e.material_id, e.state, e.by_user) for e in events] == [
        (1, MaterialState.SUBMITTED, teacher.id),
        (2, MaterialState.SUBMITTED, teacher.id),
        (1, MaterialState.RETURNED, chair.id),
        (2, MaterialState.APPROVED, chair.id),
    ]

    member = council.people[1]  # a Kyrgyz reader finds it by a word of the title, in another case
    (found,) = await flow.say(member, member, "/bank ФУНКЦИОНАЛДЫК")
    assert "№2 Окуучулардын функционалдык сабаттуулугу" in found.text and "Бөлчөктөр" not in found.text
    (empty,) = await flow.say(member, member, "/bank бөлчөктөр")  # the returned one is not in the bank
    assert empty.text.startswith("Банктан «бөлчөктөр» боюнча")
    before = len(flow.api.sent_to(member.id))
    await flow.press(member, found, "№2")
    (document,) = flow.api.sent_to(member.id)[before:]
    content, _path = flow.api.files[document.document["file_id"]]
    assert content == PDF


async def return_it(flow, council, number: int) -> None:
    card = next(m for m in flow.api.sent_to(council.chair.id) if m.text.startswith(f"Материал №{number}"))
    await flow.press(council.chair, card, "Вернуть на доработку")
    await flow.press(council.chair, flow.api.last_to(council.chair.id), "Без комментария")


async def test_a_returned_material_comes_back_as_a_new_version(flow, council):
    teacher = council.people[2]
    await submit(flow, teacher, DOCX, "plan.docx", "План урока")
    await return_it(flow, council, 1)
    (offer,) = await flow.say(teacher, teacher, "/submit")
    await flow.press(teacher, offer, "Новая версия №1")
    await send_file(flow, teacher, DOCX + b" corrected", "plan_v2.docx")
    assert flow.api.last_to(teacher.id).text.startswith("Версия 2 материала №1 сохранена")
    (material,) = await flow.rows(Material)
    assert (material.version, material.state, material.file_name) == (2, MaterialState.SUBMITTED, "plan_v2.docx")


@pytest.mark.parametrize(
    ("who", "told", "button"),
    [
        (2, "Чтобы прислать исправленный файл, нажмите кнопку «Новая версия №1» ниже", "Новая версия №1 «План урока»"),
        (1, "Оңдолгон файлды жөнөтүү үчүн төмөндөгү «№1 жаңы версиясы» баскычын", "№1 жаңы версиясы «План урока»"),
    ],
)
async def test_the_return_notice_names_its_button_and_the_button_takes_the_new_version(
    flow, council, who, told, button
):
    teacher = council.people[who]
    await submit(flow, teacher, DOCX, "plan.docx", "План урока")
    await return_it(flow, council, 1)
    notice = flow.api.last_to(teacher.id)
    assert told in notice.text
    await flow.press(teacher, notice, button)
    await send_file(flow, teacher, DOCX + b" corrected", "plan_v2.docx")
    (material,) = await flow.rows(Material)
    assert (material.version, material.state) == (2, MaterialState.SUBMITTED)


async def test_submit_with_a_returned_material_asks_new_version_or_new_material(flow, council):
    """The natural path after "send the corrected file with /submit": /submit asks which it is."""
    teacher = council.people[1]  # a Kyrgyz reader
    await submit(flow, teacher, DOCX, "plan.docx", "Открытый урок по математике")
    await return_it(flow, council, 1)
    (which,) = await flow.say(teacher, teacher, "/submit")
    assert which.text == ("Жөнөтө турган файлыңыз оңдоого кайтарылган материалдын жаңы версиясыбы же жаңы материалбы?")
    assert [b["text"] for b in which.buttons] == [
        "📝 №1 жаңы версиясы «Открытый урок по математике»",
        "➕ Жаңы материал",
    ]
    (again,) = await send_file(flow, teacher, DOCX + b" corrected", "plan_v2.docx")  # sent before choosing
    assert again.text.startswith("Адегенде баскыч менен тандаңыз") and again.button("№1 жаңы версиясы")
    assert [(m.version, m.state) for m in await flow.rows(Material)] == [(1, MaterialState.RETURNED)]
    await flow.press(teacher, which, "№1 жаңы версиясы")
    await send_file(flow, teacher, DOCX + b" corrected", "plan_v2.docx")
    assert flow.api.last_to(teacher.id).text.startswith("№1 материалдын 2-версиясы")
    assert [(m.version, m.state) for m in await flow.rows(Material)] == [(2, MaterialState.SUBMITTED)]

    await return_it(flow, council, 1)
    other = council.people[2]  # a Russian reader
    await submit(flow, other, PDF, "dev.pdf", "Разработка")
    await return_it(flow, council, 2)
    (which,) = await flow.say(other, other, "/submit")
    assert which.text.startswith("Файл, который вы пришлёте, — новая версия материала")
    await flow.press(other, which, "Новый материал")
    assert flow.api.last_to(other.id).text.startswith("Пришлите файл материала")
    (ask_title,) = await send_file(flow, other, DOCX + b" another", "new.docx")
    assert "название" in ask_title.text


@pytest.mark.parametrize(
    ("name", "size", "expected"),
    [
        ("virus.exe", None, "Файлы такого типа не принимаются"),
        ("big.pdf", 25 * 1024 * 1024, "Файл больше 20 МБ"),
        ("noextension", None, "Файлы такого типа не принимаются"),
    ],
)
async def test_wrong_type_and_too_big_are_refused_and_nothing_is_stored(flow, council, name, size, expected):
    teacher = council.people[2]
    (reply,) = await send_file(flow, teacher, b"MZ\x90\x00", name, size)
    assert expected in reply.text
    assert await flow.rows(Material) == []
    assert not flow.settings.storage_dir.exists() or not any(flow.settings.storage_dir.rglob("*.*"))
    assert not [c for c in flow.api.calls if c[0] == "getFile"]  # refused before downloading


async def test_a_stranger_cannot_submit(flow, council):
    stranger = flow.api.person(777, "Stranger", None, "ru")
    (reply,) = await send_file(flow, stranger, DOCX, "plan.docx")
    assert reply.text.startswith("Подавать материалы могут только члены и участники совета.")
    assert await flow.rows(Material) == []


async def test_the_same_file_twice_is_stored_once(flow, council):
    await submit(flow, council.people[2], DOCX, "plan.docx", "План")
    (reply,) = await send_file(flow, council.people[2], DOCX, "copy of plan.docx")  # the author sees their own
    assert reply.text.startswith("Этот файл уже подан как материал №1 «План»")
    assert len(await flow.rows(Material)) == 1
    assert len(list(flow.settings.storage_dir.rglob("*.docx"))) == 1


async def test_the_same_file_as_someone_elses_pending_material_tells_neither_title_nor_author(flow, council):
    """Another teacher's material still under review is private: the same bytes say only that they are taken."""
    await submit(flow, council.people[2], DOCX, "plan.docx", "Открытый урок по математике")
    (reply,) = await send_file(flow, council.people[3], DOCX, "copy of plan.docx")  # a Kyrgyz reader
    assert reply.text == "Бул файл кеңешке мурунтан эле берилген; ал эки жолу сакталбайт."
    (reply,) = await send_file(flow, council.people[4], DOCX, "copy.docx")  # a Russian reader
    assert reply.text == "Этот файл уже подан в совет; дважды он не сохраняется."
    assert len(await flow.rows(Material)) == 1

    card = next(m for m in flow.api.sent_to(council.chair.id) if m.text.startswith("Материал №1"))
    await flow.press(council.chair, card, "Утвердить и включить в банк")
    await flow.press(council.chair, flow.api.last_to(council.chair.id), "Без комментария")
    (reply,) = await send_file(flow, council.people[3], DOCX, "copy of plan.docx")  # in the bank: public now
    assert reply.text.startswith("Бул файл №1 «Открытый урок по математике» материалы катары мурунтан эле берилген")


async def test_a_path_in_the_file_name_stays_a_name(flow, council):
    await submit(flow, council.people[2], DOCX, "../../etc/passwd.docx", "Passwd")
    (material,) = await flow.rows(Material)
    assert material.file_name == "../../etc/passwd.docx"
    stored = flow.settings.storage_dir / material.stored_name[:2] / material.stored_name
    assert stored.resolve().is_relative_to(flow.settings.storage_dir.resolve()) and stored.exists()
    assert material.stored_name == f"{material.sha256}.docx"


async def test_participants_may_submit_and_only_the_chair_reviews(flow, council):
    participant = council.people[-1]
    await submit(flow, participant, PDF, "report.pdf", "Отчёт")
    (material,) = await flow.rows(Material)
    card = next(m for m in flow.api.sent_to(council.chair.id) if m.text.startswith("Материал №1"))
    member = council.people[2]
    answer = await flow.press_data(member, card, card.button("Утвердить")["callback_data"])
    assert answer["text"] == "Это может сделать только председатель или секретарь совета."
    (listing,) = await flow.say(council.chair, council.chair, "/materials")
    assert "Подано 1 · утверждено 0" in listing.text
    assert material.state is MaterialState.SUBMITTED


async def test_the_bank_falls_back_to_the_archive_when_telegram_lost_the_file(flow, council):
    teacher = council.people[2]
    await submit(flow, teacher, PDF, "dev.pdf", "Иштеп чыгуу")
    card = next(m for m in flow.api.sent_to(council.chair.id) if m.text.startswith("Материал №1"))
    await flow.press(council.chair, card, "Утвердить и включить в банк")
    await flow.press(council.chair, flow.api.last_to(council.chair.id), "Без комментария")
    flow.api.files.clear()  # Telegram no longer has it
    (found,) = await flow.say(teacher, teacher, "/bank")
    before = len(flow.api.sent_to(teacher.id))
    await flow.press(teacher, found, "№1")
    (document,) = flow.api.sent_to(teacher.id)[before:]
    assert flow.api.files[document.document["file_id"]][0] == PDF


async def test_the_bank_shows_the_date_in_the_councils_time_zone_in_each_language(flow, council):
    """Approved at 02:30 in Bishkek on 26 November (20:30 UTC on the 25th): the bank says the 26th, through Babel."""
    from datetime import timedelta

    teacher = council.people[2]  # a Russian reader
    flow.clock.advance(timedelta(hours=16, minutes=30))  # NOW is 25.11 10:00 in Bishkek
    await submit(flow, teacher, PDF, "dev.pdf", "Долбоорлоо ыкмасы")
    card = next(m for m in flow.api.sent_to(council.chair.id) if m.text.startswith("Материал №1"))
    await flow.press(council.chair, card, "Утвердить и включить в банк")
    await flow.press(council.chair, flow.api.last_to(council.chair.id), "Без комментария")
    (material,) = await flow.rows(Material)
    assert material.updated_at.day == 25  # stored in UTC
    (found,) = await flow.say(teacher, teacher, "/bank")
    assert found.text.replace("\u202f", " ").rstrip().endswith("· 26 нояб. 2026 г.")
    member = council.people[1]  # a Kyrgyz reader
    (found,) = await flow.say(member, member, "/bank")
    assert found.text.rstrip().endswith("· 2026-ж., 26-ноя.")


async def test_a_material_on_the_agenda_is_decided_by_the_meetings_vote(flow, council):
    from datetime import timedelta

    from tests.conftest import NOW

    teacher = council.people[2]
    await submit(flow, teacher, PDF, "dev.pdf", "Долбоорлоо ыкмасы")
    chair = council.chair
    day = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")
    (preview,) = await flow.say(chair, chair, f"/agenda {day} 15:00\n1. Окуу пландары")
    await flow.press(chair, preview, "Опубликовать")
    card = next(m for m in flow.api.sent_to(chair.id) if m.text.startswith("Материал №1"))
    await flow.press(chair, card, "Поставить в повестку")
    await flow.press(chair, flow.api.last_to(chair.id), "2026")
    (material,) = await flow.rows(Material)
    assert material.state is MaterialState.ON_AGENDA
    flow.clock.advance(timedelta(days=8, hours=5))
    await flow.say(chair, council.group, "/open")
    attendance = next(m for m in flow.api.sent_to(council.group.id) if "Присутствую" in str(m.reply_markup))
    for person in council.people[:4]:
        await flow.press(person, attendance, "Присутствую")
    sent = await flow.say(chair, council.group, "/vote 2 Материалды банкка кошуу")
    vote = next(m for m in sent if m.chat_id == council.group.id)
    for person in council.people[:4]:
        await flow.press(person, vote, "Макул")
    sent = await flow.say(chair, council.group, "/close")
    protocol = "\n".join(m.text for m in sent if m.chat_id == council.group.id)
    assert "2. Методический материал №1 «Долбоорлоо ыкмасы»" in protocol
    (material,) = await flow.rows(Material)
    assert material.state is MaterialState.APPROVED
    assert flow.api.last_to(teacher.id).text.startswith("Ваш материал «Долбоорлоо ыкмасы» утверждён")
    assert "Решено на заседании, протокол №1." in flow.api.last_to(teacher.id).text
