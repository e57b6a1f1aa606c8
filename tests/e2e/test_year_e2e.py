"""End to end, the school year (issue 13): a plan entered, put on an agenda, adopted and approved by order; a
reminder from the plan; a decision given a responsible member and a due date, reminded, marked done and listed
in the next protocol; a vote closing itself after 2 minutes; /report checked against the meetings held."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from docx import Document
from openpyxl import load_workbook
from PIL import Image

from tests.e2e.test_meeting_day import faketime_for, in_days, seed_members

BISHKEK = ZoneInfo("Asia/Bishkek")


def at(day: datetime, hour: int, minute: int = 0) -> str:
    """libfaketime's offset from now to hour:minute in Bishkek on that day."""
    moment = day.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return f"+{int((moment - datetime.now(UTC)).total_seconds())}"


async def restart(bot, fake_time: str) -> None:
    assert await bot.stop() == 0
    await bot.start(fake_time=fake_time)


def autumn() -> datetime:
    """A fixed point in a school year (5 October, ahead), so the plan's two dates share one school year
    whatever day the test runs on."""
    now = datetime.now(BISHKEK)
    year = now.year if (now.month, now.day) < (10, 5) else now.year + 1
    return datetime(year, 10, 5, 10, 0, tzinfo=BISHKEK)


async def test_the_year(api, bot_process):
    bot = bot_process
    start = autumn()
    await restart(bot, at(start, 10))
    chair = api.person(10, "Гүлнара", "Осмонова", "ru")
    group = api.group(-1007, "Мектеп №7", admins={10})
    await bot.say(chair, group, "/setup")
    ((council_id,),) = bot.query("SELECT id FROM councils")
    people = [chair, *seed_members(bot, api, council_id, 10)]
    responsible = people[2]  # a Russian reader
    await bot.say(chair, chair, "/start")

    first_day, second_day = in_days(8, start), in_days(40, start)
    # -- the plan: entered, previewed, saved as a draft ------------------------------------------------------
    preview = await bot.say(
        chair,
        chair,
        f"/plan {first_day:%d.%m.%Y} Мектептин методикалык темасы — Осмонова Г.\n"
        f"{second_day:%d.%m.%Y} Жарым жылдын жыйынтыгы — Токтосунова А.",
    )
    assert "Предпросмотр годового плана" in preview.text
    await bot.press(chair, preview, "Сохранить")
    await api.wait_for(lambda: bot.query("SELECT state, version FROM plans") == [("draft", 1)])

    # -- put on the agenda of the first meeting ----------------------------------------------------------------
    preview = await bot.say(chair, chair, f"/agenda {first_day:%d.%m.%Y} 15:00 Кабинет 12\n1. Окуу пландары")
    await bot.press(chair, preview, "Опубликовать")
    shown = await bot.say(chair, chair, "/plan")
    before = len(api.sent_to(chair.id))
    await bot.press(chair, shown, "повестку")
    choose = await api.wait_sent(chair.id, before)
    await bot.press(chair, choose, f"{first_day.day}")
    await api.wait_for(lambda: bot.query("SELECT item_position FROM plans") == [(2,)])

    # -- the meeting day: the plan adopted by its item's vote; a decision given a responsible member -------------
    await restart(bot, faketime_for(first_day))
    attendance = await bot.say_and_find(chair, group, "/open", lambda m: "Присутствую" in str(m.reply_markup))
    for person in people[:8]:
        await bot.press(person, attendance, "Присутствую")
    vote = await bot.say_and_find(
        chair, group, "/vote 2 Жылдык план кабыл алынсын", lambda m: "Макул" in str(m.reply_markup)
    )
    for person in people[:8]:
        await bot.press(person, vote, "Макул")
    before = len(api.sent_to(chair.id))
    await bot.press(chair, vote, "Добушту жабуу")
    await api.wait_for(lambda: bot.query("SELECT state FROM plans") == [("discussed",)])
    prompt = await api.wait_for(
        lambda: next((m for m in api.sent_to(chair.id)[before:] if "Решение принято" in m.text), None)
    )
    vote = await bot.say_and_find(
        chair, group, "/vote 1 Ачык сабактар өткөрүлсүн", lambda m: "Макул" in str(m.reply_markup)
    )
    for person in people[:8]:
        await bot.press(person, vote, "Макул")
    before = len(api.sent_to(chair.id))
    await bot.press(chair, vote, "Добушту жабуу")
    prompt = await api.wait_for(
        lambda: next((m for m in api.sent_to(chair.id)[before:] if "Ачык сабактар" in m.text), None)
    )
    before = len(api.sent_to(chair.id))
    await bot.press(chair, prompt, "Фамилия02")
    await api.wait_sent(chair.id, before)  # the question of the due date
    due = first_day + timedelta(days=10)
    saved = await bot.say(chair, chair, f"{due:%d.%m.%Y}")
    assert "ответственный — Фамилия02 Мугалим2, срок —" in saved.text
    told = await api.wait_for(
        lambda: next((m for m in api.sent_to(responsible.id) if "Вы отвечаете за исполнение" in m.text), None)
    )
    assert "Ачык сабактар өткөрүлсүн" in told.text

    # -- a vote that closes itself after 2 minutes, even across a restart ---------------------------------------
    vote = await bot.say_and_find(chair, group, "/vote 1 Үчүнчү маселе", lambda m: "Макул" in str(m.reply_markup))
    for person in people[:5]:
        await bot.press(person, vote, "Макул")
    answer = await bot.press(chair, vote, "⏱ 2")
    assert answer["text"] == "Голосование закроется само через 2 мин."
    ((closes_at,),) = bot.query("SELECT closes_at FROM votes WHERE decision = 'Үчүнчү маселе'")
    assert closes_at is not None
    await restart(bot, at(first_day, 12, 5))  # down over the deadline: closed at start, as planned
    await api.wait_for(lambda: "Итог: принято." in vote.text, within=20)
    assert bot.query("SELECT is_open, votes_for FROM votes WHERE decision = 'Үчүнчү маселе'") == [(0, 5)]

    before = len(api.sent_to(group.id))
    await bot.say(chair, group, "/close")
    await api.wait_for(lambda: any(m.method == "sendDocument" for m in api.sent_to(group.id)[before:]))

    # -- the director's order approves the plan: posted to the group with its .docx --------------------------------
    before = len(api.sent_to(group.id))
    done = await bot.say(chair, chair, f"/plan order 15 {first_day:%d.%m.%Y}")
    assert "утверждён приказом директора №15" in done.text
    document = await api.wait_for(
        lambda: next((m for m in api.sent_to(group.id)[before:] if m.method == "sendDocument"), None)
    )
    assert "Годовой план утверждён" in api.sent_to(group.id)[before].text
    table = Document(io.BytesIO(api.files[document.document["file_id"]][0])).tables[-1]
    assert [c.text for c in table.rows[0].cells] == ["Дата", "Темы", "Ответственный"]
    assert table.rows[2].cells[0].text == f"{second_day:%d.%m.%Y}"

    # -- the responsible member is reminded 3 days before the due date, and reports it done -----------------------
    before = len(api.sent_to(responsible.id))
    await restart(bot, faketime_for(due - timedelta(days=3)))
    reminder = await api.wait_sent(responsible.id, before, within=20)
    assert "Напоминание: срок исполнения решения, за которое вы отвечаете, —" in reminder.text
    await bot.press(responsible, reminder, "Отметить исполнение")
    await api.wait_sent(responsible.id, before + 1)
    thanks = await bot.say(responsible, responsible, "Бардык МО ачык сабак өткөрдү")
    assert "Записано как исполненное" in thanks.text
    assert bot.query("SELECT state FROM follow_ups") == [("done",)]

    # -- the plan reminds the chair 3 days before the last day to announce the second meeting ---------------------
    before = len(api.sent_to(chair.id))
    await restart(bot, faketime_for(second_day - timedelta(days=10)))
    reminder = await api.wait_for(
        lambda: next((m for m in api.sent_to(chair.id)[before:] if "по годовому плану" in m.text), None), within=20
    )
    assert "Жарым жылдын жыйынтыгы" in reminder.text
    offer = await bot.say_and_find(chair, chair, "/agenda", lambda m: "Взять из плана" in str(m.reply_markup))
    before = len(api.sent_to(chair.id))
    await bot.press(chair, offer, "Взять из плана")
    await api.wait_sent(chair.id, before)  # the question of the time and place
    preview = await bot.say_and_find(chair, chair, "15:00 Кабинет 12", lambda m: "Опубликовать" in str(m.reply_markup))
    assert "1. Жарым жылдын жыйынтыгы — Токтосунова А." in preview.text
    await bot.press(chair, preview, "Опубликовать")
    await api.wait_for(lambda: bot.query("SELECT count(*) FROM meetings WHERE status = 'announced'") == [(1,)])

    # -- the second meeting: its protocol lists the decision carried out ------------------------------------------
    await restart(bot, faketime_for(second_day))
    attendance = await bot.say_and_find(chair, group, "/open", lambda m: "Присутствую" in str(m.reply_markup))
    for person in people[:7]:
        await bot.press(person, attendance, "Присутствую")
    before = len(api.sent_to(group.id))
    await bot.say(chair, group, "/close")
    await api.wait_for(lambda: any(m.method == "sendDocument" for m in api.sent_to(group.id)[before:]))
    protocol = "\n".join(m.text for m in api.sent_to(group.id)[before:] if m.method == "sendMessage")
    assert "ПРОТОКОЛ №2" in protocol and "Исполнение решений" in protocol and "Чечимдердин аткарылышы" in protocol
    assert "Протокол №1: Ачык сабактар өткөрүлсүн — исполнил(а) Фамилия02 Мугалим2. Бардык МО" in protocol

    # -- /report: the figures of the meetings this test held -----------------------------------------------------
    before = len(api.sent_to(chair.id))
    await bot.say(chair, chair, "/report")
    await api.wait_for(lambda: len(api.sent_to(chair.id)) >= before + 3, within=30)
    text, sheet, chart = api.sent_to(chair.id)[before : before + 3]
    assert "Проведено заседаний: 2; запланировано: 2." in text.text
    assert f"Протокол №1 ({first_day:%d.%m.%Y}): присутствовали 8 из 10" in text.text
    assert f"Протокол №2 ({second_day:%d.%m.%Y}): присутствовали 7 из 10" in text.text
    assert "Средняя посещаемость: 75%" in text.text
    assert "Решений поставлено на голосование: 3; принято 3" in text.text
    assert "исполнены 1, на исполнении 0, просрочены 0" in text.text
    book = load_workbook(io.BytesIO(api.files[sheet.document["file_id"]][0]))
    rows = list(book["Заседания"].iter_rows(values_only=True))[1:]
    assert [(r[0], r[1].date(), r[3], r[4]) for r in rows] == [  # dates are dates in the sheet
        (1, first_day.date(), 8, 10),
        (2, second_day.date(), 7, 10),
    ]
    decisions = list(book["Решения"].iter_rows(values_only=True))[1:]
    assert [d[5] for d in decisions] == ["—", "исполнено", "—"]
    image = Image.open(io.BytesIO(api.files[chart.photo["file_id"]][0]))  # sent as a photo
    image.verify()
    assert image.format == "PNG"
    # Only refusals of edits that would change nothing: after the restart the new process does not know the
    # two votes closed by hand before it already show their result, and /close edits them again (harmless).
    assert {(method, code) for method, code, _ in api.errors} <= {("editMessageText", 400)}
    assert all("message is not modified" in description for _, _, description in api.errors)
    assert "Traceback" not in bot.log.read_text()


async def test_a_vote_closes_itself_while_the_bot_runs(api, bot_process):
    """The 2 minutes pass in the running process (libfaketime's clock runs 20 times faster): the members
    present who have not voted are reminded a minute before, then the vote closes with its result."""
    bot = bot_process
    chair = api.person(10, "Гүлнара", "Осмонова", "ru")
    group = api.group(-1008, "Мектеп №8", admins={10})
    await bot.say(chair, group, "/setup")
    ((council_id,),) = bot.query("SELECT id FROM councils")
    people = [chair, *seed_members(bot, api, council_id, 10)]
    await bot.say(chair, chair, "/start")
    day = in_days(8)
    preview = await bot.say(chair, chair, f"/agenda {day:%d.%m.%Y} 15:00\n1. Маселе")
    await bot.press(chair, preview, "Опубликовать")
    await api.wait_for(lambda: bot.query("SELECT count(*) FROM meetings WHERE status = 'announced'") == [(1,)])
    assert await bot.stop() == 0
    await bot.start(fake_time=faketime_for(day) + " x10", fake_monotonic=True)
    attendance = await bot.say_and_find(chair, group, "/open", lambda m: "Присутствую" in str(m.reply_markup))
    for person in people[:8]:
        await bot.press(person, attendance, "Присутствую")
    vote = await bot.say_and_find(chair, group, "/vote 1 Маселе чечилсин", lambda m: "Макул" in str(m.reply_markup))
    for person in people[:6]:
        await bot.press(person, vote, "Макул")
    await bot.press(chair, vote, "⏱ 2")
    late = people[6:8]
    await api.wait_for(
        lambda: all(
            any("закроется через минуту" in m.text or "бир мүнөттөн" in m.text for m in api.sent_to(p.id)) for p in late
        ),
        within=30,
    )
    await api.wait_for(lambda: "Итог: принято." in vote.text, within=30)
    assert bot.query("SELECT is_open, votes_for, nudged FROM votes") == [(0, 6, 1)]
    assert not any("закроется через минуту" in m.text for p in people[:6] for m in api.sent_to(p.id))
