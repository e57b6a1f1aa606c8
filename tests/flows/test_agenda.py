"""The agenda: 7 days' notice (cl. 7.5), bad input refused, preview, publish, move, cancel, reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from db.models import AgendaItem, Meeting, MeetingStatus
from tests.conftest import BISHKEK, NOW, seed_council

AGENDA = "\n1. Мектептин методикалык темасы — Осмонова Г.\n2) Окуу топторунун иш пландары\n- Ар кандай маселелер"


def day(offset: int) -> str:
    return (NOW + timedelta(days=offset)).strftime("%d.%m.%Y")


@pytest.fixture
async def council(flow):
    return await seed_council(flow, members=5, participants=1)


async def test_agenda_eight_days_ahead_previews_then_publishes_to_group_and_members(flow, council):
    chair = council.chair
    (preview,) = await flow.say(chair, chair, f"/agenda {day(8)} 15:00 Кабинет 12{AGENDA}")
    assert preview.text.startswith("Предпросмотр.")
    assert "3 декабря 2026 г., 15:00, Кабинет 12" in preview.text.replace("\u202f", " ")
    assert "1. Мектептин методикалык темасы — Осмонова Г." in preview.text
    assert "2. Окуу топторунун иш пландары\n3. Ар кандай маселелер" in preview.text
    assert [b["text"] for b in preview.buttons] == ["Опубликовать", "Отмена"]
    assert flow.api.sent_to(council.group.id)[1:] == []  # nothing in the group before Publish
    (meeting,) = await flow.rows(Meeting)
    assert meeting.status is MeetingStatus.DRAFT
    assert meeting.starts_at == datetime(2026, 12, 3, 15, 0, tzinfo=BISHKEK)
    items = await flow.rows(AgendaItem)
    assert [(i.position, i.title, i.reporter) for i in items] == [
        (1, "Мектептин методикалык темасы", "Осмонова Г."),
        (2, "Окуу топторунун иш пландары", None),
        (3, "Ар кандай маселелер", None),
    ]

    answer = await flow.press(chair, preview, "Опубликовать")
    assert answer["text"] == "Опубликовано"
    announcement = flow.api.last_to(council.group.id)
    assert announcement.pinned
    assert "Методикалык кеңештин отуруму" in announcement.text and "Заседание методического совета" in announcement.text
    (meeting,) = await flow.rows(Meeting)
    assert meeting.status is MeetingStatus.ANNOUNCED and meeting.announcement_message_id == announcement.message_id
    for person in council.people[1:]:  # every member and the participant is told privately, in their language
        told = flow.api.last_to(person.id).text
        assert told.startswith(
            "Методикалык кеңештин отуруму" if person.language_code == "ky" else "Заседание методического совета"
        )
    # Reminders one day and one hour before, keyed by meeting and start time.
    ts = int(meeting.starts_at.timestamp())
    assert flow.scheduler.reminder_jobs(meeting.id) == [f"remind:{meeting.id}:{ts}:1", f"remind:{meeting.id}:{ts}:24"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"/agenda {day(6)} 15:00{AGENDA}", "Повестка дня объявляется не менее чем за 7 дней"),
        ("/agenda 31.02.2027 15:00" + AGENDA, "Даты «31 февраля» нет: последний день этого месяца — 28 февраля"),
        ("/agenda 29.02.2027 15:00" + AGENDA, "Даты «29 февраля» нет: последний день этого месяца — 28 февраля"),
        ("/agenda 12.13 15:00" + AGENDA, "Месяца 13 нет. Сначала день, потом месяц, например: 02.12.2026"),
        ("/agenda завтра в три" + AGENDA, "Не могу прочитать дату и время"),
        (f"/agenda {day(9)} 25:00" + AGENDA, "Не могу прочитать дату и время"),
        ("/agenda 01.01.2020 10:00" + AGENDA, "Это время уже прошло"),
        (f"/agenda {day(9)} 15:00 Кабинет 12", "В повестке нет вопросов"),
        (f"/agenda {day(9)} 15:00\n" + "\n".join(f"{i}. Маселе {i}" for i in range(1, 22)), "не больше 20 вопросов"),
        (f"/agenda {day(9)} 15:00\n1. " + "ы" * 301, "Вопрос 1 слишком длинный"),
    ],
)
async def test_bad_agenda_is_refused_with_a_clear_message_and_nothing_stored(flow, council, text, expected):
    (reply,) = await flow.say(council.chair, council.chair, text)
    assert expected in reply.text
    assert await flow.rows(Meeting) == []


async def test_six_days_names_the_earliest_date_in_the_readers_locale(flow):
    council = await seed_council(flow, members=3, chair_locale="ky")
    (reply,) = await flow.say(council.chair, council.chair, f"/agenda {day(6)} 15:00{AGENDA}")
    assert "7 күн" in reply.text and "2026-ж., 2-декабрь" in reply.text


async def test_iso_date_and_the_seventh_day_are_accepted(flow, council):
    iso = (NOW + timedelta(days=7)).strftime("%Y-%m-%d")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {iso} 09:30{AGENDA}")
    assert preview.text.startswith("Предпросмотр.")


async def test_non_chair_cannot_post_an_agenda(flow, council):
    member = council.people[1]  # a Kyrgyz reader
    (reply,) = await flow.say(member, member, f"/agenda {day(8)} 15:00{AGENDA}")
    assert reply.text == "Муну кеңештин төрагасы же катчысы гана жасай алат."
    assert await flow.rows(Meeting) == []


async def test_agenda_in_the_group_sends_the_preview_privately(flow, council):
    (reply,) = await flow.say(council.chair, council.group, f"/agenda {day(8)} 15:00{AGENDA}")
    assert reply.text.startswith("Сначала откройте личный чат со мной")  # Telegram: a bot cannot write first
    await flow.say(council.chair, council.chair, "/start")
    sent = await flow.say(council.chair, council.group, f"/agenda {day(8)} 15:00{AGENDA}")
    preview = next(m for m in sent if m.chat_id == council.chair.id)
    assert preview.text.startswith("Предпросмотр.")
    assert any(m.chat_id == council.group.id and "лично" in m.text for m in sent)


async def test_cancel_in_preview_publishes_nothing(flow, council):
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day(8)} 15:00{AGENDA}")
    await flow.press(council.chair, preview, "Отмена")
    (meeting,) = await flow.rows(Meeting)
    assert meeting.status is MeetingStatus.CANCELLED
    assert len(flow.api.sent_to(council.group.id)) == 1  # only the /setup reply
    answer = await flow.press_data(council.chair, preview, f"ag:p:{meeting.id}")  # a stale Publish
    assert answer["show_alert"] == "true"
    assert len(flow.api.sent_to(council.group.id)) == 1


async def test_bare_agenda_walks_through_the_steps(flow, council):
    chair = council.chair
    (ask_when,) = await flow.say(chair, chair, "/agenda")
    assert "Когда и где" in ask_when.text
    (reply,) = await flow.say(chair, chair, f"{day(3)} 15:00")
    assert "не менее чем за 7 дней" in reply.text  # same rule, and the step is asked again
    (ask_items,) = await flow.say(chair, chair, f"{day(10)} 15:00 Актовый зал")
    assert "повестку" in ask_items.text
    (preview,) = await flow.say(chair, chair, "Мектептин методикалык темасы — Осмонова Г.\nОкуу пландары")
    assert preview.text.startswith("Предпросмотр.") and "Актовый зал" in preview.text


async def _publish(flow, council, offset: int = 8):
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day(offset)} 15:00 Кабинет 12{AGENDA}")
    await flow.press(council.chair, preview, "Опубликовать")
    (meeting,) = await flow.rows(Meeting, Meeting.status == MeetingStatus.ANNOUNCED)
    return meeting


async def test_meetings_lists_and_the_chair_moves_one_with_the_7_day_rule(flow, council):
    meeting = await _publish(flow, council)
    old_jobs = flow.scheduler.reminder_jobs(meeting.id)
    (listing,) = await flow.say(council.chair, council.chair, "/meetings")
    await flow.press(council.chair, listing, "Перенести")
    (reply,) = await flow.say(council.chair, council.chair, f"{day(5)} 15:00")
    assert "не менее чем за 7 дней" in reply.text
    sent = await flow.say(council.chair, council.chair, f"{day(12)} 10:00")
    assert sent[0].text.startswith("Перенесено")
    (moved,) = await flow.rows(Meeting, Meeting.id == meeting.id)
    assert moved.starts_at == datetime(2026, 12, 7, 10, 0, tzinfo=BISHKEK)
    new_jobs = flow.scheduler.reminder_jobs(meeting.id)
    assert set(old_jobs).isdisjoint(new_jobs) and len(new_jobs) == 2
    assert "перенесено" in flow.api.last_to(council.group.id).text
    # A reminder for the old time, were it to fire, sends nothing.
    before = len(flow.api.outbox)
    assert await flow.scheduler.remind(meeting.id, int(meeting.starts_at.timestamp()), 24) is False
    await flow.delivery.drain()
    assert len(flow.api.outbox) == before


async def test_reminder_goes_to_the_group_and_each_member(flow, council):
    meeting = await _publish(flow, council)
    before = len(flow.api.outbox)
    assert await flow.scheduler.remind(meeting.id, int(meeting.starts_at.timestamp()), 24) is True
    await flow.delivery.drain()
    sent = flow.api.outbox[before:]
    assert sent[0].chat_id == council.group.id and "Эскертме" in sent[0].text and "Напоминание" in sent[0].text
    assert {m.chat_id for m in sent[1:]} == {p.id for p in council.people}  # the chair too


async def test_chair_cancels_a_meeting_after_confirming(flow, council):
    meeting = await _publish(flow, council)
    (listing,) = await flow.say(council.chair, council.chair, "/meetings")
    await flow.press(council.chair, listing, "Отменить заседание")
    await flow.press(council.chair, listing, "Нет")
    assert (await flow.rows(Meeting, Meeting.id == meeting.id))[0].status is MeetingStatus.ANNOUNCED
    await flow.press(council.chair, listing, "Отменить заседание")
    await flow.press(council.chair, listing, "Да, отменить")
    assert (await flow.rows(Meeting, Meeting.id == meeting.id))[0].status is MeetingStatus.CANCELLED
    cancelled = flow.api.last_to(council.group.id).text
    assert "Заседание методического совета, назначенное на " in cancelled and "отменено" in cancelled
    assert "Методикалык кеңештин отуруму (2026-ж., " in cancelled  # a Kyrgyz date cannot take "-да": parentheses
    assert flow.scheduler.reminder_jobs(meeting.id) == []


async def test_a_reminder_goes_out_once_even_if_its_job_runs_again(flow, council):
    meeting = await _publish(flow, council)
    ts = int(meeting.starts_at.timestamp())
    assert await flow.scheduler.remind(meeting.id, ts, 24) is True
    await flow.delivery.drain()
    before = len(flow.api.outbox)
    assert await flow.scheduler.remind(meeting.id, ts, 24) is False  # e.g. after a restart
    await flow.delivery.drain()
    assert len(flow.api.outbox) == before


async def test_missed_reminders_run_late_only_while_they_still_make_sense(flow, council):
    meeting = await _publish(flow, council)
    ts = int(meeting.starts_at.timestamp())
    flow.clock.advance(meeting.starts_at - timedelta(hours=10) - flow.clock.now())  # down for the 24 h one
    flow.scheduler.plan_reminders(meeting)
    jobs = {job.id: job for job in flow.scheduler.aps.get_jobs() if job.id.startswith("remind:")}
    assert set(jobs) == {f"remind:{meeting.id}:{ts}:24", f"remind:{meeting.id}:{ts}:1"}
    assert jobs[f"remind:{meeting.id}:{ts}:24"].next_run_time <= flow.clock.now() + timedelta(seconds=1)
    await flow.scheduler.remind(meeting.id, ts, 24)
    await flow.delivery.drain()
    assert "заседание методического совета сегодня" in flow.api.last_to(council.group.id).text  # not "tomorrow"

    flow.clock.advance(timedelta(hours=9, minutes=30))  # down again: now half an hour before
    flow.scheduler.plan_reminders(meeting, frozenset({f"remind:{meeting.id}:{ts}:24"}))
    assert flow.scheduler.reminder_jobs(meeting.id) == [f"remind:{meeting.id}:{ts}:1"]
    flow.clock.advance(timedelta(hours=1))  # the meeting has begun: nothing late any more
    flow.scheduler.plan_reminders(meeting)
    assert flow.scheduler.reminder_jobs(meeting.id) == []
