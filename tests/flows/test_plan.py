"""The annual plan (cl. 7.3): drawn up, previewed, saved as a draft, adopted by its item's vote, approved by the
director's order, a new version after a change; the reminders and the /agenda draft it drives."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from docx import Document

from db.models import AgendaItem, JobRun, Meeting, Plan, PlanEntry, PlanState, WatchdogWarning
from tests.conftest import BISHKEK, NOW, seed_council

PLAN = (
    "/plan 10.12.2026 Мектептин методикалык темасы — Осмонова Г.\n"
    "10.12.2026 Окуу пландары — Токтосунова А.\n"
    "18.03.2027 Жылдын жыйынтыгы\n"
    "15.10.2026 Окуу жылынын башталышы — Осмонова Г."
)


@pytest.fixture
async def council(flow):
    council = await seed_council(flow, members=10)
    await flow.say(council.chair, council.chair, "/start")
    return council


async def save_plan(flow, council, text: str = PLAN):
    sent = await flow.say(council.chair, council.chair, text)
    preview = sent[-1]
    await flow.press(council.chair, preview, "Сохранить")
    return preview


def move_to(flow, when: datetime) -> None:
    flow.clock.advance(when - flow.clock.now())


async def test_lines_preview_by_trimester_then_saved_as_a_draft(flow, council):
    sent = await flow.say(council.chair, council.chair, PLAN)
    (preview,) = sent
    text = preview.text
    assert text.index("Триместр I (01.09–30.11)") < text.index("15.10.2026") < text.index("Триместр II")
    assert text.index("Триместр II (01.12–28.02)") < text.index("10.12.2026") < text.index("Триместр III")
    assert "Мектептин методикалык темасы — Осмонова Г." in text and "18.03.2027" in text
    assert await flow.rows(Plan) == []  # nothing saved before Save
    await flow.press(council.chair, preview, "Сохранить")
    (plan,) = await flow.rows(Plan)
    assert (plan.state, plan.version, plan.school_year) == (PlanState.DRAFT, 1, 2026)
    entries = sorted(await flow.rows(PlanEntry), key=lambda e: e.position)
    assert [(e.day.isoformat(), e.topic, e.responsible) for e in entries] == [
        ("2026-10-15", "Окуу жылынын башталышы", "Осмонова Г."),
        ("2026-12-10", "Мектептин методикалык темасы", "Осмонова Г."),
        ("2026-12-10", "Окуу пландары", "Токтосунова А."),
        ("2027-03-18", "Жылдын жыйынтыгы", None),
    ]
    assert "черновик" in preview.text and "редакция 1" in preview.text


async def test_cancel_saves_nothing_and_bad_lines_are_refused(flow, council):
    (preview,) = await flow.say(council.chair, council.chair, PLAN)
    await flow.press(council.chair, preview, "Отмена")
    assert await flow.rows(Plan) == []
    (reply,) = await flow.say(council.chair, council.chair, "/plan 10.12.2026 Тема\nТема без даты")
    assert "Строка 2" in reply.text
    (reply,) = await flow.say(council.chair, council.chair, "/plan 31.11.2026 Тема")
    assert reply.text == "Строка 1: Даты «31 ноября» нет: последний день этого месяца — 30 ноября"
    (reply,) = await flow.say(council.chair, council.chair, "/plan 10.12.2026 Тема\n10.09.2027 Тема")
    assert "одном учебном году" in reply.text
    assert await flow.rows(Plan) == []


async def test_step_by_step(flow, council):
    (ask,) = await flow.say(council.chair, council.chair, "/plan")
    assert "нет годового плана" in ask.text
    (reply,) = await flow.say(council.chair, council.chair, "32.12.2026")
    assert reply.text == "Даты «32 декабря» нет: последний день этого месяца — 31 декабря"
    (reply,) = await flow.say(council.chair, council.chair, "10-12")
    assert "не удалось прочитать дату" in reply.text.lower()
    await flow.say(council.chair, council.chair, "10.12.2026")
    (added,) = await flow.say(council.chair, council.chair, "1. Тема один — Осмонова Г.\n2. Тема два")
    await flow.say(council.chair, council.chair, "18.03.2027")
    (added,) = await flow.say(council.chair, council.chair, "Жыйынтык")
    await flow.press(council.chair, added, "показать")
    preview = flow.api.last_to(council.chair.id)
    await flow.press(council.chair, preview, "Сохранить")
    entries = sorted(await flow.rows(PlanEntry), key=lambda e: e.position)
    assert [(e.day.isoformat(), e.topic, e.responsible) for e in entries] == [
        ("2026-12-10", "Тема один", "Осмонова Г."),
        ("2026-12-10", "Тема два", None),
        ("2027-03-18", "Жыйынтык", None),
    ]


async def test_members_see_the_plan_and_cannot_change_it(flow, council):
    member = council.people[2]  # a Russian reader
    (reply,) = await flow.say(member, member, "/plan")
    assert "нет годового плана" in reply.text
    (reply,) = await flow.say(member, member, PLAN)
    assert "только председатель или секретарь" in reply.text
    await save_plan(flow, council)
    (shown,) = await flow.say(member, member, "/plan")
    assert "Окуу пландары" in shown.text and "черновик" in shown.text
    assert [b["text"] for b in shown.buttons] == ["План в .docx"]


async def adopt_at_meeting(flow, council) -> None:
    """Announce a meeting, put the plan on it, hold it, adopt the plan's item."""
    day = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} 15:00\n1. Маселе")
    await flow.press(council.chair, preview, "Опубликовать")
    (shown,) = await flow.say(council.chair, council.chair, "/plan")
    await flow.press(council.chair, shown, "повестку")
    choose = flow.api.last_to(council.chair.id)
    await flow.press(council.chair, choose, "декабря")
    assert "вопрос 2" in choose.text
    items = sorted(await flow.rows(AgendaItem), key=lambda i: i.position)
    assert items[-1].title.startswith("Годовой план (циклограмма) методического совета на 2026-2027")
    flow.clock.advance(timedelta(days=8, hours=5))
    await flow.say(council.chair, council.group, "/open")
    attendance = next(m for m in flow.api.sent_to(council.group.id) if "Присутствую" in str(m.reply_markup))
    for person in council.people[:8]:
        await flow.press(person, attendance, "Присутствую")
    sent = await flow.say(council.chair, council.group, "/vote 2 Годовой план бекитилсин")
    (vote,) = [m for m in sent if m.chat_id == council.group.id]
    for person in council.people[:8]:
        await flow.press(person, vote, "Макул")
    await flow.press(council.chair, vote, "Добушту жабуу")


async def test_agenda_vote_then_the_order_approves_and_posts_it(flow, council):
    await save_plan(flow, council)
    (early,) = await flow.say(council.chair, council.chair, "/plan order 15 01.12.2026")
    assert "после того как совет примет" in early.text
    await adopt_at_meeting(flow, council)
    (plan,) = await flow.rows(Plan)
    assert plan.state is PlanState.DISCUSSED and plan.item_position == 2
    (bad,) = await flow.say(council.chair, council.chair, "/plan order 15")
    assert "/plan order 15 01.10.2026" in bad.text
    before = len(flow.api.sent_to(council.group.id))
    sent = await flow.say(council.chair, council.chair, "/plan order 15 03.12.2026")
    (done,) = [m for m in sent if m.chat_id == council.chair.id]
    assert "приказом директора №15" in done.text
    (plan,) = await flow.rows(Plan)
    assert (plan.state, plan.order_number, plan.order_date.isoformat()) == (PlanState.APPROVED, "15", "2026-12-03")
    posted = flow.api.sent_to(council.group.id)[before:]
    text = posted[0].text
    assert "Годовой план утверждён" in text and "Жылдык план бекитилди" in text
    assert "утверждён приказом директора №15 от 03.12.2026" in text
    (document,) = [m for m in posted if m.method == "sendDocument"]
    assert document.document["file_name"] == "plan_2026-2027_v1.docx"
    content, _ = flow.api.files[document.document["file_id"]]
    doc = Document(io.BytesIO(content))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Датасы", "Темалар", "Жооптуу"]  # Kyrgyz first
    assert [c.text for c in table.rows[2].cells] == [
        "10.12.2026",
        "1. Мектептин методикалык темасы\n2. Окуу пландары",
        "Осмонова Г.\nТоктосунова А.",
    ]
    assert [c.text for c in doc.tables[1].rows[0].cells] == ["Дата", "Темы", "Ответственный"]

    # A change to the approved plan is edition 2, a draft; the approved one stays as it was.
    await save_plan(flow, council, PLAN + "\n20.05.2027 Кошумча")
    plans = sorted(await flow.rows(Plan), key=lambda p: p.version)
    assert [(p.version, p.state) for p in plans] == [(1, PlanState.APPROVED), (2, PlanState.DRAFT)]
    (shown,) = await flow.say(council.people[2], council.people[2], "/plan")
    assert "Редакция 2. Статус: черновик" in shown.text and "Кошумча" in shown.text


async def test_not_adopted_leaves_the_plan_a_draft(flow, council):
    await save_plan(flow, council)
    day = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} 15:00\n1. Маселе")
    await flow.press(council.chair, preview, "Опубликовать")
    (shown,) = await flow.say(council.chair, council.chair, "/plan")
    await flow.press(council.chair, shown, "повестку")
    await flow.press(council.chair, flow.api.last_to(council.chair.id), "декабря")
    flow.clock.advance(timedelta(days=8, hours=5))
    await flow.say(council.chair, council.group, "/open")
    attendance = next(m for m in flow.api.sent_to(council.group.id) if "Присутствую" in str(m.reply_markup))
    for person in council.people[:8]:
        await flow.press(person, attendance, "Присутствую")
    sent = await flow.say(council.chair, council.group, "/vote 2 Годовой план")
    (vote,) = [m for m in sent if m.chat_id == council.group.id]
    for person in council.people[:8]:
        await flow.press(person, vote, "Каршы")
    await flow.say(council.chair, council.group, "/close")
    (plan,) = await flow.rows(Plan)
    assert plan.state is PlanState.DRAFT


async def test_the_chair_is_reminded_three_days_before_the_last_day_to_announce(flow, council):
    await save_plan(flow, council)
    # 10.12.2026: the last day to announce is 03.12, the reminder comes on 30.11.
    move_to(flow, datetime(2026, 11, 29, 9, 0, tzinfo=BISHKEK))
    before = len(flow.api.outbox)
    await flow.scheduler.year_check()
    await flow.delivery.drain()
    assert flow.api.outbox[before:] == []
    move_to(flow, datetime(2026, 11, 30, 9, 0, tzinfo=BISHKEK))
    await flow.scheduler.year_check()
    await flow.delivery.drain()
    (reminder,) = flow.api.outbox[before:]
    assert reminder.chat_id == council.chair.id
    assert "10 декабря 2026" in reminder.text and "3 декабря 2026" in reminder.text
    assert "Окуу пландары" in reminder.text and "/agenda" in reminder.text
    await flow.scheduler.year_check()  # once
    await flow.delivery.drain()
    assert len(flow.api.outbox) == before + 1
    assert [r.name for r in await flow.rows(JobRun) if r.name.startswith("plan:")] == [f"plan:{council.id}:2026-12-10"]


async def test_no_reminder_once_the_planned_meeting_is_announced(flow, council):
    await save_plan(flow, council)
    move_to(flow, datetime(2026, 11, 29, 10, 0, tzinfo=BISHKEK))
    (preview,) = await flow.say(council.chair, council.chair, "/agenda 10.12.2026 15:00\n1. Маселе")
    await flow.press(council.chair, preview, "Опубликовать")
    move_to(flow, datetime(2026, 11, 30, 9, 0, tzinfo=BISHKEK))
    before = len(flow.api.outbox)
    await flow.scheduler.year_check()
    await flow.delivery.drain()
    assert flow.api.outbox[before:] == []


async def test_agenda_offers_the_planned_date_and_topics(flow, council):
    await save_plan(flow, council)
    move_to(flow, datetime(2026, 11, 30, 10, 0, tzinfo=BISHKEK))
    sent = await flow.say(council.chair, council.chair, "/agenda")
    offer = sent[-1]
    assert "10 декабря 2026" in offer.text and "Окуу пландары" in offer.text
    await flow.press(council.chair, offer, "Взять из плана: 10.12.2026")
    (preview,) = await flow.say(council.chair, council.chair, "15:00 Кабинет 12")
    assert "1. Мектептин методикалык темасы — Осмонова Г." in preview.text
    assert "2. Окуу пландары — Токтосунова А." in preview.text
    assert "10 декабря 2026" in preview.text and "Кабинет 12" in preview.text
    await flow.press(council.chair, preview, "Опубликовать")
    (meeting,) = await flow.rows(Meeting)
    assert meeting.starts_at.astimezone(BISHKEK) == datetime(2026, 12, 10, 15, 0, tzinfo=BISHKEK)


async def test_the_trimester_warning_names_the_planned_meeting(flow, council):
    await save_plan(flow, council, "/plan 25.02.2027 Экинчи триместрдин жыйынтыгы — Осмонова Г.")
    move_to(flow, datetime(2027, 2, 7, 9, 0, tzinfo=BISHKEK))
    before = len(flow.api.outbox)
    await flow.scheduler.watchdog_check()
    await flow.delivery.drain()
    group, chair = flow.api.outbox[before : before + 2]
    assert "По годовому плану заседание запланировано на 25 февраля 2027" in chair.text.replace("\u202f", " ")
    assert "Экинчи триместрдин жыйынтыгы" in group.text and len(await flow.rows(WatchdogWarning)) == 1


async def test_the_plans_agenda_item_reads_in_each_readers_language(flow, council):
    """The item the bot composes for the plan is kept in both languages: the Russian chair puts it on the agenda,
    a Kyrgyz member, the group's Kyrgyz part and the Mini App in Kyrgyz read it in Kyrgyz."""
    await save_plan(flow, council)
    day = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} 15:00\n1. Маселе")
    await flow.press(council.chair, preview, "Опубликовать")
    (shown,) = await flow.say(council.chair, council.chair, "/plan")
    await flow.press(council.chair, shown, "повестку")
    before = len(flow.api.outbox)
    await flow.press(council.chair, flow.api.last_to(council.chair.id), "декабря")
    ky = "2. Методикалык кеңештин 2026-2027-окуу жылына жылдык планы (циклограммасы), 1-редакция"
    ru = "2. Годовой план (циклограмма) методического совета на 2026-2027 учебный год, редакция 1"
    kyrgyz, russian = council.people[1], council.people[2]
    told = {m.chat_id: m.text for m in flow.api.outbox[before:]}
    assert ky in told[kyrgyz.id] and ru not in told[kyrgyz.id]
    assert ru in told[russian.id] and ky not in told[russian.id]
    assert ky in told[council.group.id] and ru in told[council.group.id]  # both parts of the group's post
    (item,) = [i for i in await flow.rows(AgendaItem) if i.position == 2]
    assert item.title == ru[3:]  # as the chair put it; the others in `titles`

    # The protocol: its Kyrgyz part reads the item in Kyrgyz, its Russian part in Russian.
    flow.clock.advance(timedelta(days=8, hours=5))
    await flow.say(council.chair, council.group, "/open")
    sent = await flow.say(council.chair, council.group, "/close")
    kyrgyz_part, russian_part = [m.text for m in sent if m.chat_id == council.group.id and "1. Маселе" in m.text]
    assert kyrgyz_part.count(ky[3:]) == 2 and ru[3:] not in kyrgyz_part  # the agenda and the item's heading
    assert russian_part.count(ru[3:]) == 2 and ky[3:] not in russian_part


async def test_a_plan_voted_down_plans_nothing_and_a_draft_before_its_vote_says_so(flow, council):
    """/report and the Mini App's year count only the adopted plan; a draft before its vote counts, said to be one."""
    from tests.conftest import TOKEN
    from tests.miniapp import init_data, miniapp_server

    await save_plan(flow, council)
    text, *_ = await flow.say(council.chair, council.chair, "/report")
    assert "запланировано: 3." in text.text
    assert "Запланированные заседания взяты из черновика годового плана" in text.text
    kyrgyz = council.people[1]
    async with miniapp_server(flow) as server:
        code, page, _headers = await server.api("year", init_data(TOKEN, kyrgyz, flow.clock.now()))
        assert code == 200 and "Пландалган 1 · өткөрүлгөн 0" in page

    day = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} 15:00\n1. Маселе")
    await flow.press(council.chair, preview, "Опубликовать")
    (shown,) = await flow.say(council.chair, council.chair, "/plan")
    await flow.press(council.chair, shown, "повестку")
    await flow.press(council.chair, flow.api.last_to(council.chair.id), "декабря")
    flow.clock.advance(timedelta(days=8, hours=5))
    await flow.say(council.chair, council.group, "/open")
    attendance = next(m for m in flow.api.sent_to(council.group.id) if "Присутствую" in str(m.reply_markup))
    for person in council.people[:8]:
        await flow.press(person, attendance, "Присутствую")
    sent = await flow.say(council.chair, council.group, "/vote 2 Годовой план")
    (vote,) = [m for m in sent if m.chat_id == council.group.id]
    for person in council.people[:8]:
        await flow.press(person, vote, "Каршы")
    await flow.say(council.chair, council.group, "/close")
    (plan,) = await flow.rows(Plan)
    assert plan.state is PlanState.DRAFT

    text, *_ = await flow.say(council.chair, council.chair, "/report")
    assert "Проведено заседаний: 1; запланировано: 0." in text.text and "черновик" not in text.text
    async with miniapp_server(flow) as server:
        code, page, _headers = await server.api("year", init_data(TOKEN, kyrgyz, flow.clock.now()))
        assert code == 200 and "Пландалган 1" not in page and "Пландалган 0" in page
