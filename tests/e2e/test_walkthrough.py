"""End to end: the real process, a group, a chair, three teachers in two languages, the chair's decisions."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from tests.conftest import TOKEN


async def register(bot, person, code: str, language: str, name: str, role: str | None) -> None:
    prompt = await bot.say(person, person, f"/start join_{code}")
    before = len(bot.api.sent_to(person.id))
    await bot.press(person, prompt, language)
    await bot.api.wait_sent(person.id, before)
    roles_or_regulation = await bot.say(person, person, name)
    if role is not None:
        before = len(bot.api.sent_to(person.id))
        await bot.press(person, roles_or_regulation, role)

    # The regulation comes in two messages; its button is on the last.
    def regulation_with_button():
        last = bot.api.last_to(person.id)
        return last if any("Жобо" in b["text"] or "положением" in b["text"] for b in last.buttons) else None

    regulation = await bot.api.wait_for(regulation_with_button)
    before = len(bot.api.sent_to(person.id))
    await bot.press(person, regulation, "тааныштым" if language == "Кыргызча" else "ознакомлен")
    await bot.api.wait_sent(person.id, before)


async def test_group_setup_registration_and_approval_through_the_real_process(api, bot_process):
    bot = bot_process
    chair = api.person(10, "Гүлнара", "Осмонова", "ky")
    group = api.group(-1001, "№5 мектеп-гимназиясы", admins={10})

    greeting = await bot.add_bot(chair, group)
    assert "/setup" in greeting.text

    setup = await bot.say(chair, group, "/setup")
    code = re.search(r"start=join_([\w-]+)", setup.buttons[0]["url"]).group(1)
    assert bot.query("SELECT chair_id, join_code FROM councils") == [(10, code)]

    await register(bot, chair, code, "Кыргызча", "Осмонова Гүлнара", None)

    teachers = [
        (api.person(21, "Бакыт", "Алиева", "ky"), "Кыргызча", "Алиева Бакыт", "Методикалык бирикменин"),
        (api.person(22, "Анна", "Петрова", "ru"), "Русский", "Петрова Анна", "Учитель"),
        (api.person(23, "Иван", "Иванов", "ru"), "Русский", "Иванов Иван", "Руководитель творческой"),
    ]
    for person, language, name, role in teachers:
        before = len(api.sent_to(chair.id))
        await register(bot, person, code, language, name, role)
        await api.wait_sent(chair.id, before)
    applications = [m for m in api.sent_to(chair.id) if m.text.startswith("«№5 мектеп-гимназиясы» методикалык")]
    assert len(applications) == 3

    for application, decision in zip(applications, ["Бекитүү", "Бекитүү", "Четке кагуу"], strict=True):
        answer = await bot.press(chair, application, decision)
        assert answer["text"] in {"Бекитилди", "Четке кагылды"}
    await api.wait_for(lambda: "не утвердил" in api.last_to(23).text)
    assert api.last_to(21).text.startswith("Төрага сизди")
    assert api.last_to(22).text.startswith("Председатель утвердил")

    listing = await bot.say(teachers[1][0], teachers[1][0], "/members")
    text = listing.text.replace("\u202f", " ")
    assert "Алиева Бакыт" in text and "Петрова Анна" in text and "Иванов Иван" not in text
    today = format_date(datetime.now(ZoneInfo("Asia/Bishkek")), "medium", locale="ru").replace("\u202f", " ")
    assert text.count(f"с положением ознакомлен(а): {today}") == 3  # the chair and the two approved

    rows = bot.query("SELECT full_name, role, status, regulation_confirmed_at IS NOT NULL FROM members ORDER BY id")
    assert rows == [
        ("Осмонова Гүлнара", "chair", "approved", 1),
        ("Алиева Бакыт", "head_ma", "approved", 1),
        ("Петрова Анна", "teacher", "approved", 1),
        ("Иванов Иван", "head_cg", "rejected", 1),
    ]
    assert bot.query("SELECT id, language FROM users ORDER BY id") == [(10, "ky"), (21, "ky"), (22, "ru"), (23, "ru")]

    # Commands registered for both languages, private chats and groups.
    assert {
        ("all_private_chats", "ky"),
        ("all_private_chats", "ru"),
        ("all_group_chats", "ky"),
        ("all_group_chats", "ru"),
    } <= set(api.commands)
    menu = {c["command"]: c["description"] for c in api.commands[("all_private_chats", "ky")]}
    assert menu["members"] == "кеңештин мүчөлөрү" and menu["agenda"] == "отурумду жарыялоо (төрага)"
    assert menu["help"] == "командалар"  # a bot command is "команда"; "буйрук" is the director's order
    assert {c["command"]: c["description"] for c in api.commands[("all_private_chats", "ru")]}["help"] == "команды"

    assert api.errors == []  # nothing the bot sent was refused by the stand-in
    assert await bot.stop() == 0
    log = bot.log.read_text()
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    assert "Traceback" not in log
    assert "Осмонова Гүлнара" not in log  # private text stays out of the INFO log
