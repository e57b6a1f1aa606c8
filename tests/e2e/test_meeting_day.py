"""End to end: a 10-member council announces a meeting, holds it (under libfaketime, eight days later),
votes, closes it with a protocol in both languages; then a meeting with 6 present has no quorum."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from docx import Document

from bot.ui.regulation import regulation_version

BISHKEK = ZoneInfo("Asia/Bishkek")
AGENDA = "\n1. Мектептин методикалык темасы — Осмонова Г.\n2. Окуу топторунун иш пландары"


def seed_members(bot, api, council_id: int, count: int) -> list:
    """Nine approved members besides the chair, stored as registration would store them; the chair's own
    confirmation of the regulation, as the chair's join link would store it."""
    now = datetime.now(UTC).isoformat(" ")
    edition = regulation_version()
    bot.execute(
        "UPDATE members SET regulation_confirmed_at = ?, regulation_version = ? "
        "WHERE council_id = ? AND role = 'chair'",
        [(now, edition, council_id)],
    )
    people = []
    users, members = [], []
    for n in range(1, count):
        locale = "ky" if n % 2 else "ru"
        person = api.person(200 + n, f"Мугалим{n}", f"Фамилия{n:02d}", locale)
        api.started.add(person.id)
        people.append(person)
        users.append((person.id, locale, now))
        members.append((council_id, person.id, f"Фамилия{n:02d} Мугалим{n}", "teacher", "approved", now, edition, now))
    bot.execute("INSERT INTO users (id, language, created_at) VALUES (?, ?, ?)", users)
    bot.execute(
        "INSERT INTO members (council_id, user_id, full_name, role, status, regulation_confirmed_at, "
        "regulation_version, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        members,
    )
    return people


def in_days(days: int, start: datetime | None = None) -> datetime:
    return (start or datetime.now(BISHKEK)).astimezone(BISHKEK) + timedelta(days=days)


def faketime_for(meeting_day: datetime) -> str:
    """libfaketime's offset from now to 12:00 in Bishkek on the meeting's day, three hours before it."""
    noon = meeting_day.replace(hour=12, minute=0, second=0, microsecond=0)
    return f"+{int((noon - datetime.now(UTC)).total_seconds())}"


async def hold_meeting(bot, api, chair, group, people, present: int, decisions: list[tuple[str, list[str]]]):
    attendance = await bot.say_and_find(chair, group, "/open", lambda m: "Присутствую" in str(m.reply_markup))
    for person in people[:present]:
        await bot.press(person, attendance, "Присутствую")
    for text, choices in decisions:
        vote = await bot.say_and_find(chair, group, text, lambda m: "Макул" in str(m.reply_markup))
        for person, choice in zip(people, choices, strict=False):
            answer = await bot.press(person, vote, choice)
            assert answer["text"].startswith(("Добушуңуз кабыл алынды", "Голос учтён")), answer
    before = len(api.sent_to(group.id))
    await bot.say(chair, group, "/close")
    await api.wait_for(lambda: any(m.method == "sendDocument" for m in api.sent_to(group.id)[before:]))
    return api.sent_to(group.id)[before:]


async def test_meeting_day_votes_quorum_and_protocols(api, bot_process):
    bot = bot_process
    chair = api.person(10, "Гүлнара", "Осмонова", "ru")
    group = api.group(-1005, "Мектеп №5", admins={10})
    await bot.say(chair, group, "/setup")
    ((council_id,),) = bot.query("SELECT id FROM councils")
    people = [chair, *seed_members(bot, api, council_id, 10)]
    await bot.say(chair, chair, "/start")

    # cl. 7.5: refused at 6 days, accepted at 8.
    refused = await bot.say(chair, chair, f"/agenda {in_days(6):%d.%m.%Y} 15:00 Кабинет 12{AGENDA}")
    assert "не менее чем за 7 дней" in refused.text and bot.query("SELECT count(*) FROM meetings") == [(0,)]
    meeting_day = in_days(8)
    preview = await bot.say(chair, chair, f"/agenda {meeting_day:%d.%m.%Y} 15:00 Кабинет 12{AGENDA}")
    answer = await bot.press(chair, preview, "Опубликовать")
    assert answer["text"] == "Опубликовано"
    await api.wait_for(lambda: any(m.pinned for m in api.sent_to(group.id)))
    await api.wait_for(lambda: all(api.sent_to(p.id) for p in people[1:]))  # each member told privately

    # The meeting day: the same database, the process started eight days later.
    assert await bot.stop() == 0
    await bot.start(fake_time=faketime_for(meeting_day))
    present_first = people[:7]
    sent = await hold_meeting(
        bot,
        api,
        chair,
        group,
        people,
        7,
        [
            ("/vote 1 Мектептин методикалык темасын бекитүү", ["Макул"] * 4 + ["Каршы", "Калыс", "Калыс"]),
            ("/vote 2 Иш пландарын кайра карап чыгуу", ["Макул"] * 3 + ["Каршы"] * 2 + ["Калыс"] * 2),
        ],
    )
    assert len(present_first) == 7
    assert bot.query(
        "SELECT outcome, votes_for, votes_against, votes_abstain, present_total, members_total FROM votes ORDER BY id"
    ) == [("adopted", 4, 1, 2, 7, 10), ("not_adopted", 3, 2, 2, 7, 10)]
    text = "\n".join(m.text for m in sent if m.method == "sendMessage")
    assert "ПРОТОКОЛ №1 заседания методического совета «Мектеп №5»" in text
    assert "«Мектеп №5» методикалык кеңешинин отурумунун №1 ПРОТОКОЛУ" in text
    assert "Присутствовали члены совета (7 из 10): " in text and "Катышты (10 мүчөдөн 7): " in text
    assert (
        "за 4, против 1, воздержались 2. Принято." in text and "макул 3, каршы 2, калыс 2. Кабыл алынган жок." in text
    )
    (document,) = [m for m in sent if m.method == "sendDocument"]
    content, _ = api.files[document.document["file_id"]]
    paragraphs = [p.text for p in Document(io.BytesIO(content)).paragraphs]
    assert paragraphs[0] == "«Мектеп №5» методикалык кеңешинин отурумунун №1 ПРОТОКОЛУ"
    assert "ПРОТОКОЛ №1 заседания методического совета «Мектеп №5»" in paragraphs
    assert any(p.startswith("Постановили: Мектептин методикалык темасын бекитүү") for p in paragraphs)

    # A second meeting, announced on that day for eight days later, with only six present.
    second_day = in_days(8, meeting_day)
    preview = await bot.say(chair, chair, f"/agenda {second_day:%d.%m.%Y} 15:00{AGENDA}")
    await bot.press(chair, preview, "Опубликовать")
    await api.wait_for(lambda: bot.query("SELECT count(*) FROM meetings WHERE status = 'announced'") == [(1,)])
    assert await bot.stop() == 0
    await bot.start(fake_time=faketime_for(second_day))
    sent = await hold_meeting(
        bot,
        api,
        chair,
        group,
        people,
        6,
        [
            ("/vote 1 Окуу пландарын бекитүү", ["Макул"] * 6),
        ],
    )
    assert bot.query("SELECT outcome, votes_for, present_total FROM votes ORDER BY id DESC LIMIT 1") == [
        ("no_quorum", 6, 6)
    ]
    text = "\n".join(m.text for m in sent if m.method == "sendMessage")
    assert "ПРОТОКОЛ №2" in text and "Нет кворума — решение неправомочно." in text and "Кворум жок — чечим" in text
    assert api.errors == []
    assert "Traceback" not in bot.log.read_text()
