"""Decisions followed up (cl. 7.6): a responsible member and a due date after an adopted vote, reminders,
the report of what was done, /decisions, and the next protocol's "carrying out" block."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from db.models import FollowUp, FollowUpState
from tests.conftest import BISHKEK, NOW, seed_council

RESPONSIBLE = "Фамилия01 Мугалим1"  # a Kyrgyz reader


def move_to(flow, when: datetime) -> None:
    flow.clock.advance(when - flow.clock.now())


async def hold_meeting(flow, council, day: datetime, decisions: list[tuple[str, str]]):
    """Announce a meeting on `day`, hold it with 8 present, put each (decision, choice) to the vote and close
    each vote by hand. Returns the chair's private messages sent while the votes closed."""
    move_to(flow, day - timedelta(days=8))
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day:%d.%m.%Y} 15:00\n1. Маселе")
    await flow.press(council.chair, preview, "Опубликовать")
    move_to(flow, day.replace(hour=15))
    await flow.say(council.chair, council.group, "/open")
    attendance = next(m for m in reversed(flow.api.sent_to(council.group.id)) if "Присутствую" in str(m.reply_markup))
    for person in council.people[:8]:
        await flow.press(person, attendance, "Присутствую")
    before = len(flow.api.sent_to(council.chair.id))
    for text, choice in decisions:
        sent = await flow.say(council.chair, council.group, f"/vote 1 {text}")
        (vote,) = [m for m in sent if m.chat_id == council.group.id]
        for person in council.people[:8]:
            await flow.press(person, vote, choice)
        await flow.press(council.chair, vote, "Добушту жабуу")
    return flow.api.sent_to(council.chair.id)[before:]


@pytest.fixture
async def council(flow):
    council = await seed_council(flow, members=10)
    await flow.say(council.chair, council.chair, "/start")
    return council


FIRST_DAY = datetime(2026, 12, 3, 10, 0, tzinfo=BISHKEK)


async def assign(flow, council, prompt, due: str = "15.12.2026"):
    await flow.press(council.chair, prompt, RESPONSIBLE)
    return await flow.say(council.chair, council.chair, due)


async def test_the_chair_gives_a_responsible_member_and_a_due_date(flow, council):
    prompts = await hold_meeting(flow, council, FIRST_DAY, [("Ачык сабактарды өткөрүү", "Макул"), ("Жок", "Каршы")])
    (prompt,) = [m for m in prompts if "Решение принято" in m.text]  # only the adopted one is asked about
    assert "Ачык сабактарды өткөрүү" in prompt.text
    names = [b["text"] for b in prompt.buttons]
    assert len(names) == 9 and names[-1] == "Пропустить: без ответственного"  # the 8 present, then skip
    assert RESPONSIBLE in names and "Фамилия09 Мугалим9" not in names  # absent members are not offered

    await flow.press(council.chair, prompt, RESPONSIBLE)
    (ask,) = flow.api.sent_to(council.chair.id)[-1:]
    assert "Пришлите срок исполнения" in ask.text
    (bad,) = await flow.say(council.chair, council.chair, "31.11.2026")
    assert bad.text == "Даты «31 ноября» нет: последний день этого месяца — 30 ноября"
    (bad,) = await flow.say(council.chair, council.chair, "завтра")
    assert "Не удалось прочитать дату" in bad.text
    (past,) = await flow.say(council.chair, council.chair, "01.12.2026")
    assert "уже прошла" in past.text
    assert await flow.rows(FollowUp) == []
    sent = await flow.say(council.chair, council.chair, "15.12.2026")
    (saved,) = [m for m in sent if m.chat_id == council.chair.id]
    assert "ответственный — Фамилия01 Мугалим1, срок — 15 декабря 2026" in saved.text
    (row,) = await flow.rows(FollowUp)
    assert (row.due_on.isoformat(), row.state) == ("2026-12-15", FollowUpState.OPEN)
    (told,) = [m for m in sent if m.chat_id == council.people[1].id]
    assert "Сиз методикалык кеңештин чечимин аткарууга жооптуусуз" in told.text  # in their language
    assert "Ачык сабактарды өткөрүү" in told.text and told.buttons[0]["text"] == "Аткарылды деп белгилөө"
    again = await flow.press(council.chair, prompt, "Фамилия02")
    assert again["text"] == "У этого решения уже есть ответственный."


async def test_skip(flow, council):
    prompts = await hold_meeting(flow, council, FIRST_DAY, [("Ачык сабактар", "Макул")])
    (prompt,) = [m for m in prompts if "Решение принято" in m.text]
    await flow.press(council.chair, prompt, "Пропустить")
    assert "Ответственный не назначен." in prompt.text
    assert await flow.rows(FollowUp) == []


async def test_only_the_chair_or_secretary_assigns(flow, council):
    prompts = await hold_meeting(flow, council, FIRST_DAY, [("Ачык сабактар", "Макул")])
    (prompt,) = [m for m in prompts if "Решение принято" in m.text]
    answer = await flow.press(council.people[2], prompt, RESPONSIBLE)
    assert answer["text"] == "Это может сделать только председатель или секретарь совета."


async def remind(flow, when: datetime) -> list:
    move_to(flow, when)
    before = len(flow.api.outbox)
    await flow.scheduler.year_check()
    await flow.delivery.drain()
    return flow.api.outbox[before:]


async def test_reminded_three_days_before_and_on_the_day_once_each(flow, council):
    prompts = await hold_meeting(flow, council, FIRST_DAY, [("Ачык сабактар", "Макул")])
    await assign(flow, council, next(m for m in prompts if "Решение принято" in m.text))
    assert await remind(flow, datetime(2026, 12, 11, 9, tzinfo=BISHKEK)) == []
    (first,) = await remind(flow, datetime(2026, 12, 12, 9, tzinfo=BISHKEK))
    assert first.chat_id == council.people[1].id and "2026-ж., 15-декабрь" in first.text
    assert first.buttons[0]["text"] == "Аткарылды деп белгилөө"
    assert await remind(flow, datetime(2026, 12, 13, 9, tzinfo=BISHKEK)) == []
    (second,) = await remind(flow, datetime(2026, 12, 15, 9, tzinfo=BISHKEK))
    assert "бүгүн" in second.text
    assert await remind(flow, datetime(2026, 12, 16, 9, tzinfo=BISHKEK)) == []
    (row,) = await flow.rows(FollowUp)
    assert row.reminded == 2


async def test_decisions_list_and_the_report_of_what_was_done(flow, council):
    prompts = await hold_meeting(flow, council, FIRST_DAY, [("Ачык сабактар", "Макул")])
    await flow.say(council.chair, council.group, "/close")
    await assign(flow, council, next(m for m in prompts if "Решение принято" in m.text))
    viewer = council.people[2]
    (listing,) = await flow.say(viewer, viewer, "/decisions")
    text = listing.text
    assert text.index("На исполнении") < text.index("Ачык сабактар") < text.index("Исполнены")
    assert "Протокол №1: Ачык сабактар — Фамилия01 Мугалим1, срок 15.12.2026" in text
    move_to(flow, datetime(2026, 12, 16, 10, tzinfo=BISHKEK))
    (listing,) = await flow.say(viewer, viewer, "/decisions")
    assert listing.text.index("Просрочены") < listing.text.index("Ачык сабактар") < listing.text.index("На исполнении")

    responsible = council.people[1]
    (mine,) = await flow.say(responsible, responsible, "/decisions")
    refused = await flow.press(viewer, mine, "Ачык сабактар")
    assert refused["text"] == "Об исполнении этого решения сообщает только ответственный за него член совета."
    await flow.press(responsible, mine, "Ачык сабактар")
    sent = await flow.say(responsible, responsible, "Бардык МБлар ачык сабак өткөрүштү")
    (row,) = await flow.rows(FollowUp)
    assert row.state is FollowUpState.DONE and row.report == "Бардык МБлар ачык сабак өткөрүштү"
    (chair_told,) = [m for m in sent if m.chat_id == council.chair.id]
    assert "Решение исполнено" in chair_told.text and "Бардык МБлар" in chair_told.text
    again = await flow.press(responsible, mine, "Ачык сабактар")
    assert again["text"] == "Бул чечимдин аткарылышы мурунтан эле билдирилген."
    (listing,) = await flow.say(viewer, viewer, "/decisions")
    assert listing.text.index("Исполнены") < listing.text.index("Ачык сабактар")


async def test_a_file_as_the_report_and_the_next_protocol_lists_it(flow, council):
    prompts = await hold_meeting(flow, council, FIRST_DAY, [("Ачык сабактар", "Макул")])
    await flow.say(council.chair, council.group, "/close")
    await assign(flow, council, next(m for m in prompts if "Решение принято" in m.text))
    responsible = council.people[1]
    told = next(m for m in flow.api.sent_to(responsible.id) if m.buttons and "Аткарылды" in m.buttons[0]["text"])
    flow.clock.advance(timedelta(days=5))
    await flow.press(responsible, told, "Аткарылды")
    await flow.feed(flow.api.document_update(responsible, b"%PDF-1.4 report", "отчёт.pdf"))
    (row,) = await flow.rows(FollowUp)
    assert row.state is FollowUpState.DONE and row.report_file_name == "отчёт.pdf" and row.report_file_id

    await hold_meeting(flow, council, datetime(2027, 1, 20, 10, tzinfo=BISHKEK), [("Башка", "Макул")])
    sent = await flow.say(council.chair, council.group, "/close")
    protocol = "\n".join(m.text for m in sent if m.chat_id == council.group.id and m.method == "sendMessage")
    assert "Исполнение решений" in protocol and "Чечимдердин аткарылышы" in protocol
    assert "Протокол №1: Ачык сабактар — исполнил(а) Фамилия01 Мугалим1. отчёт.pdf" in protocol

    # The meeting after that has nothing new carried out: no such block.
    await hold_meeting(flow, council, datetime(2027, 2, 10, 10, tzinfo=BISHKEK), [("Үчүнчү", "Каршы")])
    sent = await flow.say(council.chair, council.group, "/close")
    protocol = "\n".join(m.text for m in sent if m.chat_id == council.group.id and m.method == "sendMessage")
    assert "ПРОТОКОЛ №3" in protocol and "Исполнение решений" not in protocol


async def test_decided_at_close_is_asked_about_too(flow, council):
    await hold_meeting(flow, council, FIRST_DAY, [])
    sent = await flow.say(council.chair, council.group, "/vote 1 Ачык сабактар")
    (vote,) = [m for m in sent if m.chat_id == council.group.id]
    for person in council.people[:8]:
        await flow.press(person, vote, "Макул")
    sent = await flow.say(council.chair, council.group, "/close")
    assert any("Решение принято" in m.text for m in sent if m.chat_id == council.chair.id)
    assert NOW < flow.clock.now()


@pytest.mark.parametrize(
    ("who", "label"),
    [
        (1, "Аткарылды деп белгилөө: Мектептин методикалык кеңешинин иш…"),  # a Kyrgyz reader
        (2, "Отметить исполнение: Мектептин методикалык кеңешинин иш…"),  # a Russian reader
    ],
)
async def test_the_decisions_button_says_what_it_does_and_cuts_at_a_word(flow, council, who, label):
    decision = "Мектептин методикалык кеңешинин иш планын жана «Окуучулардын функционалдык сабаттуулугу» темасы"
    prompts = await hold_meeting(flow, council, FIRST_DAY, [(decision, "Макул")])
    await flow.say(council.chair, council.group, "/close")
    responsible = council.people[who]
    await flow.press(council.chair, next(m for m in prompts if "Решение принято" in m.text), f"Мугалим{who}")
    await flow.say(council.chair, council.chair, "15.12.2026")
    (mine,) = await flow.say(responsible, responsible, "/decisions")
    assert [b["text"] for b in mine.buttons] == [label]
