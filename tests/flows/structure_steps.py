"""Steps the structure's flows share (issue 23): keeping associations from /groups, putting their heads, themes
and reports on an agenda, holding the meeting that votes on them."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import NOW

RU_NEW_ASSOCIATION = "Новое методическое объединение"


async def new_association(flow, chair, name: str, area: str):
    """/groups -> New association -> name -> area -> preview -> Save: the message, now the group's page."""
    (listing,) = await flow.say(chair, chair, "/groups")
    await flow.press(chair, listing, RU_NEW_ASSOCIATION)
    await flow.say(chair, chair, name)
    (preview,) = await flow.say(chair, chair, area)
    assert preview.text.startswith("Предпросмотр. Сохранить?")
    await flow.press(chair, preview, "Сохранить")
    return preview


async def open_page(flow, person, name: str):
    (listing,) = await flow.say(person, person, "/groups")
    await flow.press(person, listing, name)
    return listing


async def announce(flow, council, days: int = 8, items: str = "1. Иш планы"):
    """An agenda announced `days` ahead, at 15:00."""
    day = (flow.clock.now() + timedelta(days=days)).astimezone(NOW.tzinfo).strftime("%d.%m.%Y")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} 15:00\n{items}")
    await flow.press(council.chair, preview, "Опубликовать")
    return day


async def onto_agenda(flow, chair, page, button: str, day_part: str):
    """From a group's page: the head's or the theme's approval, or the report, onto the meeting of that day."""
    await flow.press(chair, page, button)
    await flow.press(chair, page, day_part)
    return page


async def propose_head(flow, chair, page, name: str):
    await flow.press(chair, page, "Кандидат в руководители")
    await flow.press(chair, page, name)


async def open_with(flow, council, people):
    """The meeting day at 15:00: /open, and these people press Present. The attendance message."""
    await flow.say(council.chair, council.group, "/open")
    attendance = next(m for m in flow.api.sent_to(council.group.id) if "Присутствую" in str(m.reply_markup))
    for person in people:
        await flow.press(person, attendance, "Присутствую")
    return attendance


async def vote(flow, council, text: str, pressing: list[tuple[object, str]], *, close: bool = True):
    """`/vote …` or `/rate …` in the group, the presses, then the chair's Close. The vote's message."""
    sent = await flow.say(council.chair, council.group, text)
    (message,) = [m for m in sent if m.chat_id == council.group.id]
    for person, button in pressing:
        await flow.press(person, message, button)
    if close:
        await flow.press(council.chair, message, "Добушту жабуу")
        await flow.live.flush()
    return message
