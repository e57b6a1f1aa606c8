"""End to end, a year of the council's structure (issue 23, "Done when") in the real process: two associations
kept from /groups, their heads and themes approved by the votes on the items made for them; a material
reviewed by two members, the reviews listed with the changed agenda; at the next meeting one association's
report rated and the material approved; `/report … docx` drafts the 7.6 report with the year's figures."""

from __future__ import annotations

import io

from docx import Document

from tests.botapi import Person, Sent
from tests.e2e.test_meeting_day import faketime_for, hold_meeting, in_days, seed_members
from tests.e2e.test_year_e2e import at, autumn, restart

DOCX = b"PK\x03\x04 fractions, grade 5 " * 300
ASSOCIATIONS = (
    ("Табигый илимдер", "биология, химия", "Фамилия02", "Изилдөө аркылуу окутуу"),
    ("Тил жана адабият", "кыргыз тили, орус тили", "Фамилия03", "Окуу сабаттуулугу"),
)


async def test_a_year_with_two_associations(api, bot_process):
    bot = bot_process
    start = autumn()
    await restart(bot, at(start, 10))
    chair = api.person(10, "Гүлнара", "Осмонова", "ru")
    group = api.group(-1023, "Мектеп №23", admins={10})
    await bot.say(chair, group, "/setup")
    ((council_id,),) = bot.query("SELECT id FROM councils")
    people = [chair, *seed_members(bot, api, council_id, 10)]
    await bot.say(chair, chair, "/start")

    async def press_then(message: Sent, label: str, shows: str, person: Person = chair) -> Sent:
        """Press, then wait until the message, edited by the press, shows this in its text or a button."""
        await bot.press(person, message, label)
        return await api.wait_for(
            lambda: (shows in message.text or any(shows in b["text"] for b in message.buttons)) and message
        )

    async def group_page(name: str) -> Sent:
        listing = await bot.say(chair, chair, "/groups")
        return await press_then(listing, name, "Руководитель:")

    async def material_card() -> Sent:
        """/materials: with one material to review, its card at once."""
        card = await bot.say(chair, chair, "/materials")
        if "Поставить в повестку" not in str(card.buttons):
            await press_then(card, "Бөлчөктөр", "Поставить в повестку")
        return card

    async def review_form(reviewer: Person) -> Sent:
        return await api.wait_for(
            lambda: next((m for m in api.sent_to(reviewer.id) if m.buttons and "Файл" in m.buttons[0]["text"]), None)
        )

    # -- two associations, each with its candidate for head and this year's theme -------------------------------
    for name, area, head, theme in ASSOCIATIONS:
        listing = await bot.say(chair, chair, "/groups")
        before = len(api.sent_to(chair.id))
        await bot.press(chair, listing, "Новое методическое объединение")
        await api.wait_sent(chair.id, before)
        await bot.say(chair, chair, name)
        preview = await bot.say(chair, chair, area)
        page = await press_then(preview, "Сохранить", "Руководитель:")
        await press_then(page, "Кандидат в руководители", head)
        await press_then(page, head, "кандидат в руководители —")
        before = len(api.sent_to(chair.id))
        await bot.press(chair, page, "Тема этого года")
        await api.wait_sent(chair.id, before)
        proposed = await bot.say(chair, chair, theme)
        assert "тема предложена" in proposed.text
    assert bot.query("SELECT count(*) FROM group_proposals WHERE state = 'proposed'") == [(4,)]

    # -- the first meeting's agenda: the plan of work, then an item for each head and each theme -----------------
    first_day = in_days(8, start)
    preview = await bot.say(chair, chair, f"/agenda {first_day:%d.%m.%Y} 15:00 Кабинет 12\n1. Иш планы")
    await bot.press(chair, preview, "Опубликовать")
    await api.wait_for(lambda: bot.query("SELECT count(*) FROM meetings WHERE status = 'announced'") == [(1,)])
    for name, *_rest in ASSOCIATIONS:
        for button in ("Утверждение руководителя в повестку", "Утверждение темы в повестку"):
            page = await group_page(name)
            await press_then(page, button, "В повестку какого заседания?")
            await press_then(page, f"{first_day.day}", "— вопрос")
    assert bot.query("SELECT position FROM agenda_items ORDER BY position") == [(1,), (2,), (3,), (4,), (5,)]

    # -- a material, reviewed by two members (a Russian and a Kyrgyz reader) ---------------------------------------
    author = people[4]  # a Russian reader
    before = len(api.sent_to(author.id))
    await api.push(api.document_update(author, DOCX, "Бөлчөктөр.docx"))
    await api.wait_sent(author.id, before)
    kinds = await bot.say(author, author, "Бөлчөктөр: 5-класс")
    before = len(api.sent_to(author.id))
    await bot.press(author, kinds, "План урока")
    await api.wait_sent(author.id, before)
    skip = await bot.say(author, author, "Математика")
    before = len(api.sent_to(author.id))
    await bot.press(author, skip, "Пропустить")
    saved = await api.wait_sent(author.id, before)
    assert "сохранён и отправлен в совет" in saved.text
    for reviewer, consent in ((people[6], "Да"), (people[7], "Ооба")):
        listing = await material_card()
        name = f"Фамилия0{people.index(reviewer)}"
        await press_then(listing, "Запросить экспертное заключение", name)
        await press_then(listing, name, "запрошено заключение")
        form = await review_form(reviewer)
        before = len(api.sent_to(reviewer.id))
        await bot.press(reviewer, form, "банк")
        await api.wait_sent(reviewer.id, before)
        ask_named = await bot.say(reviewer, reviewer, "Жакшы иштелип чыккан")
        await bot.press(reviewer, ask_named, consent)
    await api.wait_for(lambda: bot.query("SELECT count(*) FROM material_reviews WHERE named") == [(2,)])

    # -- the first meeting: every head and theme adopted, so they count ---------------------------------------------
    await restart(bot, faketime_for(first_day))
    await hold_meeting(
        bot, api, chair, group, people, 8, [(f"/vote {n} Бекитилсин", ["Макул"] * 8) for n in range(1, 6)]
    )
    assert bot.query("SELECT DISTINCT state FROM group_proposals") == [("approved",)]
    page = await group_page("Табигый")
    assert "Руководитель: Фамилия02 Мугалим2" in page.text and "«Изилдөө аркылуу окутуу»" in page.text

    # -- the second meeting's agenda: the report of Табигый илимдер and the material, with its reviews ---------------
    second_day = in_days(9, first_day)
    preview = await bot.say(chair, chair, f"/agenda {second_day:%d.%m.%Y} 15:00 Кабинет 12\n1. Жарым жылдын жыйынтыгы")
    await bot.press(chair, preview, "Опубликовать")
    await api.wait_for(lambda: bot.query("SELECT count(*) FROM meetings WHERE status = 'announced'") == [(1,)])
    page = await group_page("Табигый")
    await press_then(page, "Его отчёт в повестку", "В повестку какого заседания?")
    await press_then(page, f"{second_day.day}", "— вопрос 2")
    before_group = len(api.sent_to(group.id))
    listing = await material_card()
    before = len(api.sent_to(chair.id))
    await bot.press(chair, listing, "Поставить в повестку заседания")
    choose = await api.wait_sent(chair.id, before)
    await bot.press(chair, choose, f"{second_day.day}")
    changed = await api.wait_for(
        lambda: next((m for m in api.sent_to(group.id)[before_group:] if "Методический материал №1" in m.text), None)
    )
    assert "Экспертное заключение (Фамилия06 Мугалим6): утвердить и включить в банк" in changed.text
    assert "Эксперттик корутунду (Фамилия07 Мугалим7): бекитип, банкка кошуу" in changed.text

    # -- the second meeting: the report rated high (6 to 3), the material approved for the bank -------------------
    await restart(bot, faketime_for(second_day))
    present = people[:9]
    attendance = await bot.say_and_find(chair, group, "/open", lambda m: "Присутствую" in str(m.reply_markup))
    for person in present:
        await bot.press(person, attendance, "Присутствую")
    rating = await bot.say_and_find(chair, group, "/rate 2", lambda m: "Высокий" in str(m.reply_markup))
    for person, choice in zip(present, ["Высокий"] * 6 + ["Удовлетворительный"] * 3, strict=True):
        await bot.press(person, rating, choice)
    await bot.press(chair, rating, "Добушту жабуу")
    await api.wait_for(lambda: "Оценка: высокий уровень." in rating.text, within=20)
    vote = await bot.say_and_find(chair, group, "/vote 3 Банкка кошулсун", lambda m: "Макул" in str(m.reply_markup))
    for person in present:
        await bot.press(person, vote, "Макул")
    before = len(api.sent_to(group.id))
    await bot.say(chair, group, "/close")
    await api.wait_for(lambda: any(m.method == "sendDocument" for m in api.sent_to(group.id)[before:]))
    sent = api.sent_to(group.id)[before:]
    assert bot.query("SELECT rating, votes_high, votes_satisfactory FROM group_reports") == [("high", 6, 3)]
    assert bot.query("SELECT state FROM materials") == [("approved",)]
    protocol = "\n".join(m.text for m in sent if m.method == "sendMessage")
    assert "Открытое голосование: высокий 6, удовлетворительный 3, неудовлетворительный 0. Оценка: высокий" in protocol
    assert "Экспертное заключение (Фамилия06 Мугалим6): утвердить и включить в банк. Жакшы" in protocol
    assert "МО «Табигый илимдер»: руководитель Фамилия02 Мугалим2" in protocol

    # -- the 7.6 report, drafted on demand, with the year's figures ----------------------------------------------------
    year = f"{start.year}-{start.year + 1}"
    document = await bot.say_and_find(chair, chair, f"/report {year} docx", lambda m: m.method == "sendDocument")
    content, _name = api.files[document.document["file_id"]]
    text = [p.text.replace("\u202f", " ") for p in Document(io.BytesIO(content)).paragraphs]
    ru = text[text.index("1. Заседания") :]
    ky = text[: text.index("1. Заседания")]
    assert "Заседаний запланировано: 0; проведено: 2." in ru
    assert "Решений поставлено на голосование: 6; принято: 6; не принято: 0; без кворума: 0." in ru
    assert "Подано материалов: 1; прошли экспертизу: 1; включено в банк педагогических идей: 1." in ru
    assert (
        "МО «Табигый илимдер»; руководитель: Фамилия02 Мугалим2; тема: «Изилдөө аркылуу окутуу»; "
        "оценка отчёта: высокий уровень (протокол №2)." in ru
    )
    assert (
        "МО «Тил жана адабият»; руководитель: Фамилия03 Мугалим3; тема: «Окуу сабаттуулугу»; "
        "в этом году отчёт не оценивался." in ru
    )
    assert "Средняя посещаемость: 85%" in ru  # 8 of 10, then 9 of 10
    assert "Пландалган отурумдар: 0; өткөрүлгөндөр: 2." in ky
    assert (
        "«Табигый илимдер» МБ; жетекчиси: Фамилия02 Мугалим2; темасы: «Изилдөө аркылуу окутуу»; "
        "отчетуна берилген баа: жогорку деңгээл (№2 протокол)." in ky
    )
    assert "Traceback" not in bot.log.read_text()
