"""End to end: teachers send files to the real process; the chair reviews; a member gets the file from /bank."""

from __future__ import annotations

from tests.e2e.test_meeting_day import seed_members

DOCX = b"PK\x03\x04 lesson plan " * 300
PDF = b"%PDF-1.4 development " * 300


async def test_submit_review_and_bank_through_the_real_process(api, bot_process, tmp_path):
    bot = bot_process
    chair = api.person(10, "Гүлнара", "Осмонова", "ru")
    group = api.group(-1011, "Мектеп №11", admins={10})
    await bot.say(chair, group, "/setup")
    ((council_id,),) = bot.query("SELECT id FROM councils")
    teacher, member = seed_members(bot, api, council_id, 3)
    await bot.say(chair, chair, "/start")

    async def submit(content: bytes, name: str, title: str) -> None:
        before = len(api.sent_to(teacher.id))
        await api.push(api.document_update(teacher, content, name))
        ask = await api.wait_sent(teacher.id, before)
        kinds = await bot.say(teacher, teacher, title)
        before = len(api.sent_to(teacher.id))
        await bot.press(teacher, kinds, "Сабактын планы")
        await api.wait_sent(teacher.id, before)
        skip = await bot.say(teacher, teacher, "Математика")
        before = len(api.sent_to(teacher.id))
        await bot.press(teacher, skip, "Өткөрүп жиберүү")
        saved = await api.wait_sent(teacher.id, before)
        assert "сакталды" in saved.text and ask.buttons

    await submit(DOCX, "../../etc/passwd.docx", "Бөлчөктөр боюнча сабак")
    await submit(PDF, "функционалдык.pdf", "Функционалдык сабаттуулук")

    def material_cards():
        cards = [m for m in api.sent_to(chair.id) if m.text.startswith("Материал №")]
        return cards if len(cards) == 2 else None

    cards = await api.wait_for(material_cards)
    for card, button, comment in [
        (cards[0], "Вернуть на доработку", "Мисалдар аз"),
        (cards[1], "Утвердить и включить в банк", "Жакшы иш"),
    ]:
        await bot.press(chair, card, button)
        await api.wait_for(lambda: api.last_to(chair.id).text.startswith("Комментарий для автора"))
        await bot.say_and_find(chair, chair, comment, lambda m: "автор оповещён" in m.text)
    await api.wait_for(lambda: bot.query("SELECT state FROM materials ORDER BY id") == [("returned",), ("approved",)])
    told = await api.wait_for(
        lambda: (t := [m.text for m in api.sent_to(teacher.id) if "Пикир:" in m.text]) and len(t) == 2 and t
    )
    assert "Пикир: Мисалдар аз" in told[0]  # the author reads the comment in their language (Kyrgyz)

    # Refused: a 25 MB file, an .exe, a stranger; and the same file twice is stored once.
    for content, name, size, expected in [
        (b"x", "big.pdf", 25 * 1024 * 1024, "МБдан ашат"),
        (b"MZ", "setup.exe", None, "алардын бири эмес"),
        (PDF, "again.pdf", None, "эки жолу сакталбайт"),
    ]:
        before = len(api.sent_to(teacher.id))
        await api.push(api.document_update(teacher, content, name, size))
        reply = await api.wait_sent(teacher.id, before)
        assert expected in reply.text, reply.text
    stranger = api.person(999, "Stranger", None, "ru")
    await api.push(api.document_update(stranger, DOCX, "x.docx"))
    reply = await api.wait_sent(stranger.id, 0)
    assert reply.text.startswith("Подавать материалы могут только")
    assert bot.query("SELECT count(*) FROM materials") == [(2,)]
    files = [p for p in (tmp_path / "data" / "files").rglob("*") if p.is_file()]
    assert len(files) == 2 and all(p.resolve().is_relative_to((tmp_path / "data" / "files").resolve()) for p in files)

    found = await bot.say(member, member, "/bank функционалдык")
    assert "Функционалдык сабаттуулук" in found.text and "Бөлчөктөр" not in found.text
    before = len(api.sent_to(member.id))
    await bot.press(member, found, "№2")
    document = await api.wait_sent(member.id, before)
    assert api.files[document.document["file_id"]][0] == PDF
    assert api.errors == []
