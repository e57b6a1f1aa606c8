"""Long posts arrive whole (9.3), odd characters never break anything (9.4), the log keeps no token and the
error path always answers (9.5), a button under a message Telegram no longer gives is answered."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from urllib.parse import quote

from aiogram.types import Update
from sqlalchemy import text

from db.models import AgendaItem, FollowUp, Material, Meeting, MeetingStatus, Member
from tests.botapi import LIMIT, utf16_len
from tests.conftest import NOW, TOKEN, seed_council
from tests.flows.test_decisions import FIRST_DAY, hold_meeting
from tests.flows.test_materials import DOCX, send_file


def day(offset: int) -> str:
    return (NOW + timedelta(days=offset)).strftime("%d.%m.%Y")


FILLER = ("окуу жылынын пландары жана жыйынтыктары " * 3)[:99]
LONG_AGENDA = "\n".join(f"{i}. Маселе {i:02d}: {FILLER}" for i in range(1, 21))


async def test_twenty_long_items_arrive_whole_in_parts_the_first_pinned(flow):
    council = await seed_council(flow, members=3)
    items = LONG_AGENDA.splitlines()
    assert all(len(item.split(". ", 1)[1]) == 110 for item in items)  # within the limits (300 each, 20 items)
    *parts, preview = await flow.say(council.chair, council.chair, f"/agenda {day(8)} 15:00 Кабинет 12\n{LONG_AGENDA}")
    # The preview is what the group will get, both languages, so it too comes in parts; Publish under the last.
    assert parts and all(utf16_len(p.text) <= LIMIT for p in [*parts, preview])
    assert "\n".join(p.text for p in [*parts, preview]).count("Маселе 20:") == 2 and not parts[0].buttons
    answer = await flow.press(council.chair, preview, "Опубликовать")
    assert answer["text"] == "Опубликовано"
    posts = flow.api.sent_to(council.group.id)[1:]  # after the /setup reply
    assert len(posts) >= 2 and all(utf16_len(p.text) <= LIMIT for p in posts)
    whole = "\n".join(p.text for p in posts)
    for n in range(1, 21):
        assert whole.count(f"Маселе {n:02d}:") == 2  # every item, in Kyrgyz and in Russian
    assert [p.pinned for p in posts] == [True] + [False] * (len(posts) - 1)
    (meeting,) = await flow.rows(Meeting)
    assert meeting.announcement_message_id == posts[0].message_id
    # The reminder is as long, and arrives whole too.
    before = len(flow.api.sent_to(council.group.id))
    assert await flow.scheduler.remind(meeting.id, int(meeting.starts_at.timestamp()), 24)
    await flow.delivery.drain()
    reminder = flow.api.sent_to(council.group.id)[before:]
    assert len(reminder) >= 2 and "\n".join(p.text for p in reminder).count("Маселе 20:") == 2


async def test_control_characters_are_removed_from_what_people_type(flow):
    council = await seed_council(flow, members=3)
    chair = council.chair
    (preview,) = await flow.say(
        chair, chair, f"/agenda {day(8)} 15:00 Кабинет\x0b 12\n1. Окуу\x0b пландары\ufffe — Осмонова\x00 Г."
    )
    await flow.press(chair, preview, "Опубликовать")
    (item,) = await flow.rows(AgendaItem)
    assert (item.title, item.reporter) == ("Окуу пландары", "Осмонова Г.")
    (meeting,) = await flow.rows(Meeting)
    assert meeting.place == "Кабинет 12"
    teacher = council.people[1]
    await send_file(flow, teacher, DOCX, "plan\x07.docx")
    await flow.say(teacher, teacher, "Бөлчөк\x1fтөр\uffff")
    await flow.press(teacher, flow.api.last_to(teacher.id), "Сабак")
    await flow.say(teacher, teacher, "Матема\x0cтика")
    await flow.say(teacher, teacher, "5-класс\x0b үчүн")
    (material,) = await flow.rows(Material)
    assert (material.title, material.subject, material.description, material.file_name) == (
        "Бөлчөктөр",
        "Математика",
        "5-класс үчүн",
        "plan.docx",
    )


async def test_a_name_typed_in_decomposed_unicode_is_accepted_as_the_same_name(flow):
    chair = flow.api.person(10, "Гүлнара", "Осмонова", "ru")
    group = flow.api.group(-100, "Мектеп №5", admins={10})
    await flow.say(chair, group, "/setup")
    council = await flow.council(group.id)
    teacher = flow.api.person(30, "Йолдош", "Ёлкин", "ru")
    decomposed = "\u0415\u0308лкин \u0418\u0306олдош"  # Е + combining diaeresis, И + combining breve
    await flow.register(teacher, council.join_code, "ru", decomposed, "учитель")
    (member,) = await flow.rows(Member, Member.user_id == teacher.id)
    assert member.full_name == "Ёлкин Йолдош"


async def test_a_year_past_the_next_two_is_refused(flow):
    council = await seed_council(flow, members=3)
    (reply,) = await flow.say(council.chair, council.chair, "/agenda 10.12.2029 15:00\n1. Окуу пландары")
    assert "слишком далеко" in reply.text and "2028" in reply.text
    assert await flow.rows(Meeting) == []
    (preview,) = await flow.say(council.chair, council.chair, "/agenda 10.12.2028 15:00\n1. Окуу пландары")
    assert preview.text.startswith("Предпросмотр.")
    assert [m.status for m in await flow.rows(Meeting)] == [MeetingStatus.DRAFT]


async def test_a_failed_download_never_writes_the_token_to_the_log(flow):
    from bot.__main__ import setup_logging

    council = await seed_council(flow, members=3)
    teacher = council.people[1]
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = setup_logging(flow.settings, stream)
    try:
        flow.api.fail("download", 404)
        update = flow.api.document_update(teacher, DOCX, "plan.docx")
        await flow.dp.feed_update(flow.bot, Update.model_validate(update, context={"bot": flow.bot}))
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        flow.errors.records.clear()  # the failure is logged, as it should be
    written = stream.getvalue()
    assert "Traceback" in written and "/file/bot<BOT_TOKEN>/" in written  # the URL is there, the token is not
    secret = TOKEN.split(":", 1)[1]
    for form in (TOKEN, secret, quote(TOKEN, safe=""), quote(secret, safe="")):
        assert form not in written
    assert flow.api.last_to(teacher.id).text.startswith("Кечиресиз, ката кетти")  # and she is answered


async def test_after_a_database_error_the_person_still_gets_an_answer(flow):
    council = await seed_council(flow, members=3)
    teacher = council.people[1]  # her Telegram app is in Kyrgyz
    async with flow.sessionmaker() as session:
        await session.execute(text("ALTER TABLE users RENAME TO users_gone"))
        await session.commit()
    update = flow.api.message_update(teacher, teacher.private_chat, "/members")
    await flow.dp.feed_update(flow.bot, Update.model_validate(update, context={"bot": flow.bot}))
    flow.errors.records.clear()
    assert flow.api.last_to(teacher.id).text == "Кечиресиз, ката кетти. Бир мүнөттөн кийин кайра аракет кылыңыз."


def under_a_message_too_old(update: dict) -> dict:
    """The same press, with the message under the button as Telegram sends one it no longer gives (deleted, or
    too old): an InaccessibleMessage, its chat and id only (https://core.telegram.org/bots/api#inaccessiblemessage)."""
    message = update["callback_query"]["message"]
    update["callback_query"]["message"] = {"chat": message["chat"], "message_id": message["message_id"], "date": 0}
    return update


async def test_a_press_under_a_message_too_old_does_its_work_and_leaves_the_message_alone(flow):
    council = await seed_council(flow, members=3)
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day(8)} 15:00 Кабинет 12\n1. Маселе")
    shown = preview.text
    press = flow.api.callback_update(council.chair, preview, preview.button("Опубликовать")["callback_data"])
    await flow.feed(under_a_message_too_old(press))  # no error: there is just nothing to edit
    assert flow.api.answers[press["callback_query"]["id"]]["text"] == "Опубликовано"
    (meeting,) = await flow.rows(Meeting)
    assert meeting.status is MeetingStatus.ANNOUNCED
    assert preview.text == shown


async def test_a_press_that_reads_a_message_too_old_is_answered_out_of_date_and_changes_nothing(flow):
    council = await seed_council(flow, members=10)
    prompts = await hold_meeting(flow, council, FIRST_DAY, [("Ачык сабактар", "Макул")])
    (prompt,) = [m for m in prompts if "Решение принято" in m.text]
    shown = prompt.text
    press = flow.api.callback_update(council.chair, prompt, prompt.button("Пропустить")["callback_data"])
    await flow.feed(under_a_message_too_old(press))
    answer = flow.api.answers[press["callback_query"]["id"]]
    assert (answer["text"], answer["show_alert"]) == ("Эта кнопка устарела.", "true")
    assert prompt.text == shown and prompt.buttons
    assert await flow.rows(FollowUp) == []
