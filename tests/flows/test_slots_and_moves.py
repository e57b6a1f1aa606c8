"""A council's meetings never share a time (rules.meetings_clash on every path that sets one), and a move says
which meeting moved: its old date and time, then the new."""

from __future__ import annotations

from datetime import datetime

import pytest

from db.models import Meeting, MeetingStatus
from tests.conftest import BISHKEK, seed_council

AGENDA = "\n1. Мектептин методикалык темасы — Осмонова Г."


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


async def _publish(flow, council, when: str) -> Meeting:
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {when} Кабинет 12{AGENDA}")
    await flow.press(council.chair, preview, "Опубликовать" if "Предпросмотр" in preview.text else "Жарыялоо")
    (meeting,) = await flow.rows(Meeting, Meeting.status == MeetingStatus.ANNOUNCED, Meeting.place == "Кабинет 12")
    return meeting


async def _move(flow, council, listing_index: int, text: str):
    listings = await flow.say(council.chair, council.chair, "/meetings")
    await flow.press(council.chair, listings[listing_index], "Перенести")
    return await flow.say(council.chair, council.chair, text)


async def test_a_move_onto_another_meetings_time_is_refused_naming_it(flow):
    council = await seed_council(flow, members=3)
    await _publish(flow, council, "16.12.2026 15:00")
    (second,) = await flow.rows(Meeting)
    async with flow.sessionmaker() as session:  # the first as "16.12 15:00" in Зал, the second to publish
        (await session.get(Meeting, second.id)).place = "Зал"
        await session.commit()
    await _publish(flow, council, "18.12.2026 15:00")
    group_before = len(flow.api.sent_to(council.group.id))

    for text in ("16.12.2026 15:00", "16.12.2026 16:30", "16.12.2026 13:30"):
        (reply,) = await _move(flow, council, 1, text)
        assert plain(reply.text).startswith(
            "Совет уже собирается примерно в это время (среда, 16 декабря 2026 г., 15:00, Зал)."
        ), reply.text
        assert "не меньше чем в 2 часа: выберите другое время" in reply.text
        await flow.say(council.chair, council.chair, "/cancel")
    starts = sorted(m.starts_at for m in await flow.rows(Meeting))
    assert starts == [datetime(2026, 12, 16, 15, 0, tzinfo=BISHKEK), datetime(2026, 12, 18, 15, 0, tzinfo=BISHKEK)]
    assert len(flow.api.sent_to(council.group.id)) == group_before  # nothing told

    sent = await _move(flow, council, 1, "16.12.2026 17:00")  # two hours after: a time of its own
    assert sent[0].text.startswith("Перенесено")
    moved = plain(flow.api.last_to(council.group.id).text)
    assert (
        "Прежняя дата: пятница, 18 декабря 2026 г., 15:00\n"
        "Новая дата: среда, 16 декабря 2026 г., 17:00, Кабинет 12"  # the weekday in lower case after a colon
    ) in moved
    assert (
        "Мурунку убактысы: 2026-ж., 18-декабрь, жума, 15:00\n"
        "Жаңы убактысы: 2026-ж., 16-декабрь, шаршемби, 17:00, Кабинет 12"
    ) in moved


async def test_a_move_names_the_old_place_when_the_place_changes_too(flow):
    council = await seed_council(flow, members=3, chair_locale="ky")
    await _publish(flow, council, "18.12.2026 15:00")
    listings = await flow.say(council.chair, council.chair, "/meetings")
    await flow.press(council.chair, listings[0], "Жылдыруу")
    await flow.say(council.chair, council.chair, "21.12.2026 10:00 Актовый зал")
    member = council.people[1]  # a Kyrgyz reader
    told = plain(flow.api.last_to(member.id).text)
    assert "Мурунку убактысы: 2026-ж., 18-декабрь, жума, 15:00, Кабинет 12\n" in told
    assert "Жаңы убактысы: 2026-ж., 21-декабрь, дүйшөмбү, 10:00, Актовый зал" in told


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("ru", "Совет уже собирается примерно в это время (среда, 16 декабря 2026 г., 15:00, Кабинет 12)."),
        ("ky", "Кеңештин бул убакытка жакын отуруму бар (2026-ж., 16-декабрь, шаршемби, 15:00, Кабинет 12)."),
    ],
)
async def test_an_agenda_for_a_taken_time_is_refused_in_each_way_it_comes(flow, locale, expected):
    council = await seed_council(flow, members=3, chair_locale=locale)
    await _publish(flow, council, "16.12.2026 15:00")
    chair = council.chair

    (reply,) = await flow.say(chair, chair, f"/agenda 16.12.2026 16:00 Зал{AGENDA}")  # one message
    assert plain(reply.text).startswith(expected)
    await flow.say(chair, chair, "/agenda")  # the steps: refused at the date, before the items are typed
    (reply,) = await flow.say(chair, chair, "16.12.2026 14:00 Зал")
    assert plain(reply.text).startswith(expected)
    assert len(await flow.rows(Meeting)) == 1


async def test_two_drafts_for_one_time_publish_once(flow):
    council = await seed_council(flow, members=3)
    chair = council.chair
    (first,) = await flow.say(chair, chair, f"/agenda 16.12.2026 15:00 Кабинет 12{AGENDA}")
    (second,) = await flow.say(chair, chair, f"/agenda 16.12.2026 15:30 Зал{AGENDA}")
    await flow.press(chair, first, "Опубликовать")
    answer = await flow.press(chair, second, "Опубликовать")
    assert answer["text"].startswith("Совет уже собирается примерно в это время")
    assert [m.place for m in await flow.rows(Meeting, Meeting.status == MeetingStatus.ANNOUNCED)] == ["Кабинет 12"]
