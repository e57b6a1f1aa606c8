"""Texts that stay true (language issue §3): example dates from today, the preview as the group gets it, /start
of a member, a late reminder's real time, the weekday, a closed meeting unpinned, the council named once."""

from __future__ import annotations

from datetime import datetime, timedelta

from db.models import Council, GroupLanguage, Meeting, MeetingStatus
from tests.conftest import BISHKEK, NOW, seed_council
from tests.flows.test_decisions import hold_meeting

AGENDA = "\n1. Мектептин методикалык темасы — Осмонова Г."


def day(offset: int) -> str:
    return (NOW + timedelta(days=offset)).strftime("%d.%m.%Y")


async def _publish(flow, council, when: str) -> Meeting:
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {when} 15:00 Кабинет 12{AGENDA}")
    await flow.press(council.chair, preview, "Опубликовать" if "Опубликовать" in str(preview.buttons) else "Жарыялоо")
    (meeting,) = await flow.rows(Meeting, Meeting.status == MeetingStatus.ANNOUNCED)
    return meeting


async def test_example_dates_are_the_earliest_allowed_today_in_russian(flow):
    council = await seed_council(flow, members=3)
    chair = council.chair
    (ask,) = await flow.say(chair, chair, "/agenda")  # today is 25.11.2026: a week's notice gives 02.12.2026
    assert "например:\n02.12.2026 15:00 Кабинет 12\n" in ask.text
    (refused,) = await flow.say(chair, chair, "завтра в три")
    assert refused.text == "Не могу прочитать дату и время. Напишите так: 02.12.2026 15:00 Кабинет 12"
    (refused,) = await flow.say(chair, chair, f"{day(3)} 15:00")  # too soon: the earliest date, in words
    assert "Самая ранняя дата, которую можно выбрать сегодня, — 2 декабря 2026" in refused.text
    await flow.say(chair, chair, "/cancel")

    flow.clock.advance(timedelta(days=400))  # a year on, the examples move with the day (30.12.2027 + 7)
    (ask,) = await flow.say(chair, chair, "/agenda")
    assert "например:\n06.01.2028 15:00 Кабинет 12\n" in ask.text and "2026" not in ask.text
    await flow.say(chair, chair, "/cancel")
    (ask,) = await flow.say(chair, chair, "/plan")
    assert "06.01.2028 Методическая тема школы — Осмонова Г." in ask.text
    assert "пришлите только дату запланированного заседания (06.01.2028)" in ask.text
    (refused,) = await flow.say(chair, chair, "пятого")
    assert refused.text == "Не удалось прочитать дату. Напишите её так: 06.01.2028"


async def test_example_dates_in_kyrgyz(flow):
    council = await seed_council(flow, members=3, chair_locale="ky")
    (ask,) = await flow.say(council.chair, council.chair, "/agenda")
    assert "мисалы:\n02.12.2026 15:00 12-кабинет\n" in ask.text
    (refused,) = await flow.say(council.chair, council.chair, "эртең")
    assert refused.text == "Күнүн жана убактысын окуй албадым. Мындай жазыңыз: 02.12.2026 15:00 12-кабинет"


async def test_the_preview_shows_what_the_group_will_get(flow):
    council = await seed_council(flow, members=3)  # the group reads both languages (the default)
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day(8)} 15:00 Кабинет 12{AGENDA}")
    assert preview.text.startswith("Предпросмотр. Так это увидит группа:")
    assert "Методикалык кеңештин отуруму" in preview.text and "Заседание методического совета" in preview.text
    assert preview.text.index("Күн тартиби:") < preview.text.index("Повестка дня:")  # Kyrgyz first, as posted
    await flow.press(council.chair, preview, "Опубликовать")
    announcement = flow.api.last_to(council.group.id)
    assert announcement.text in preview.text  # the group got exactly what the preview showed
    assert flow.api.messages[(council.chair.id, preview.message_id)].text.startswith(announcement.text)

    async with flow.sessionmaker() as session:  # a group that reads Russian only
        (await session.get(Council, council.id)).group_language = GroupLanguage.RU
        await session.commit()
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day(9)} 15:00 Кабинет 12{AGENDA}")
    assert "Заседание методического совета" in preview.text and "Методикалык кеңештин отуруму" not in preview.text


async def test_a_kyrgyz_member_sending_start_is_greeted_as_a_member_with_their_commands(flow):
    council = await seed_council(flow, members=3)
    member = council.people[1]  # reads Kyrgyz
    (greeting,) = await flow.say(member, member, "/start")
    assert greeting.text.startswith(
        "Саламатсызбы, Фамилия01 Мугалим1! Сиз «Мектеп №5» методикалык кеңешинин курамындасыз."
    )
    assert "/meetings — отурумдар" in greeting.text and "/submit" in greeting.text
    assert "шилтемени ачыңыз" not in greeting.text and "/agenda" not in greeting.text  # no join link, no chair's
    (chair_greeting,) = await flow.say(council.chair, council.chair, "/start")
    assert chair_greeting.text.startswith("Здравствуйте, Гүлнара Осмонова! Вы состоите в методическом совете")
    assert "/agenda — объявить заседание" in chair_greeting.text
    stranger = flow.api.person(555, "Айбек", language_code="ky")
    (welcome,) = await flow.say(stranger, stranger, "/start")
    assert "Кошулуу үчүн кеңештин группасындагы шилтемени ачыңыз" in welcome.text


async def test_a_reminder_sent_late_after_a_restart_says_the_real_time_left(flow):
    council = await seed_council(flow, members=3)
    meeting = await _publish(flow, council, day(8))
    ts = int(meeting.starts_at.timestamp())
    flow.clock.advance(meeting.starts_at - timedelta(minutes=5) - flow.clock.now())  # the bot was down till 14:55
    flow.scheduler.plan_reminders(meeting, frozenset({f"remind:{meeting.id}:{ts}:24"}))  # as at start
    assert await flow.scheduler.run_due() == [f"remind:{meeting.id}:{ts}:1"]
    await flow.delivery.drain()
    group = flow.api.last_to(council.group.id).text
    assert "Эскертме: методикалык кеңештин отуруму 5 мүнөттөн кийин." in group
    assert "Напоминание: заседание методического совета через 5 минут." in group
    assert "час" not in group and "саат" not in group
    kyrgyz = flow.api.last_to(council.people[1].id).text
    assert kyrgyz.startswith("Эскертме: методикалык кеңештин отуруму 5 мүнөттөн кийин.")


async def test_a_reminder_on_time_says_in_an_hour(flow):
    council = await seed_council(flow, members=3)
    meeting = await _publish(flow, council, day(8))
    flow.clock.advance(meeting.starts_at - timedelta(hours=1) - flow.clock.now())
    await flow.scheduler.run_due()
    await flow.delivery.drain()
    assert "заседание методического совета через час." in flow.api.last_to(council.group.id).text


async def test_the_announcement_shows_the_weekday_in_both_languages(flow):
    council = await seed_council(flow, members=3)
    await _publish(flow, council, "03.12.2026")  # a Thursday
    announcement = flow.api.last_to(council.group.id).text.replace("\u202f", " ")
    assert "2026-ж., 3-декабрь, бейшемби, 15:00, Кабинет 12" in announcement
    assert "Четверг, 3 декабря 2026 г., 15:00, Кабинет 12" in announcement
    assert (
        flow.api.last_to(council.people[2].id)
        .text.replace("\u202f", " ")
        .startswith("Заседание методического совета\nЧетверг, 3 декабря 2026 г.")
    )


async def test_a_closed_meetings_announcement_is_unpinned(flow):
    council = await seed_council(flow, members=10)
    await hold_meeting(flow, council, datetime(2026, 12, 3, 10, tzinfo=BISHKEK), [("Ачык сабактар", "Макул")])
    (meeting,) = await flow.rows(Meeting)
    announcement = flow.api.messages[(council.group.id, meeting.announcement_message_id)]
    assert announcement.pinned and "Заседание методического совета" in announcement.text
    await flow.say(council.chair, council.group, "/close")
    await flow.delivery.drain()
    assert not announcement.pinned
    assert ("unpinChatMessage", announcement.message_id) in [
        (method, int(params.get("message_id", 0))) for method, params in flow.api.calls
    ]


async def test_the_council_is_not_named_twice_when_the_group_title_names_it(flow):
    chair = flow.api.person(10, "Гүлнара", "Осмонова", "ky")
    group = flow.api.group(-100, "5-мектептин методикалык кеңеши", admins={10})
    (created, *_rest) = await flow.say(chair, group, "/setup")
    assert "«5-мектеп» методикалык кеңеши түзүлдү" in created.text  # Kyrgyz
    assert "Методический совет «5-мектеп» создан" in created.text  # and Russian
    assert "кеңеши» методикалык" not in created.text and "методикалык кеңеши»" not in created.text
