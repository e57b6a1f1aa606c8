"""A date typed without a year is the next such day (bot.agenda.parse_day on every path a person types one),
shown back with its year, unless it is a day of the last weeks (that day, refused as passed); a day that
cannot exist is named."""

from __future__ import annotations

from datetime import datetime

import pytest

from db.models import FollowUp, Meeting, MeetingStatus
from tests.conftest import BISHKEK, seed_council
from tests.flows.test_decisions import FIRST_DAY, RESPONSIBLE, hold_meeting

AGENDA = "\n1. Мектептин методикалык темасы — Осмонова Г."


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.mark.parametrize(
    ("locale", "shown", "no_such_day"),
    [
        ("ru", "Понедельник, 21 декабря 2026 г., 10:00, Зал", "Даты «31 февраля» нет"),
        ("ky", "2026-ж., 21-декабрь, дүйшөмбү, 10:00, Зал", "31-февраль деген күн жок"),
    ],
)
async def test_an_agenda_without_a_year_is_previewed_with_the_year_understood(flow, locale, shown, no_such_day):
    council = await seed_council(flow, members=3, chair_locale=locale)  # the group reads both languages
    chair = council.chair
    (preview,) = await flow.say(chair, chair, f"/agenda 21.12 10:00 Зал{AGENDA}")  # today is 25.11.2026
    assert shown in plain(preview.text)
    (meeting,) = await flow.rows(Meeting)
    assert meeting.starts_at == datetime(2026, 12, 21, 10, 0, tzinfo=BISHKEK)

    (refused,) = await flow.say(chair, chair, f"/agenda 31.02.2027 10:00 Зал{AGENDA}")
    assert refused.text.startswith(no_such_day)
    (refused,) = await flow.say(chair, chair, f"/agenda 28.11 10:00 Зал{AGENDA}")  # the 7-day rule as usual
    assert "7" in refused.text and len(await flow.rows(Meeting)) == 1
    # A day of the last weeks typed without its year is that day, refused as passed, not a meeting a year on.
    (refused,) = await flow.say(chair, chair, f"/agenda 20.11 10:00 Зал{AGENDA}")
    assert refused.text in (
        "Это время уже прошло. Выберите дату в будущем.",
        "Бул убакыт өтүп кетти. Келечектеги күндү тандаңыз.",
    )
    assert len(await flow.rows(Meeting)) == 1


async def test_a_move_without_a_year(flow):
    council = await seed_council(flow, members=3)
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda 18.12.2026 15:00 Зал{AGENDA}")
    await flow.press(council.chair, preview, "Опубликовать")
    (listing,) = await flow.say(council.chair, council.chair, "/meetings")
    await flow.press(council.chair, listing, "Перенести")
    await flow.say(council.chair, council.chair, "12.01 15:00")
    (meeting,) = await flow.rows(Meeting, Meeting.status == MeetingStatus.ANNOUNCED)
    assert meeting.starts_at == datetime(2027, 1, 12, 15, 0, tzinfo=BISHKEK)  # January is next year's


async def test_a_due_date_without_a_year(flow):
    council = await seed_council(flow, members=10)
    await flow.say(council.chair, council.chair, "/start")
    prompts = await hold_meeting(flow, council, FIRST_DAY, [("Ачык сабактарды өткөрүү", "Макул")])
    (prompt,) = [m for m in prompts if "Решение принято" in m.text]
    await flow.press(council.chair, prompt, RESPONSIBLE)
    sent = await flow.say(council.chair, council.chair, "20.1")
    assert any("срок — 20 января 2027" in plain(m.text) for m in sent if m.chat_id == council.chair.id)
    (row,) = await flow.rows(FollowUp)
    assert row.due_on.isoformat() == "2027-01-20"
