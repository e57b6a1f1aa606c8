"""A member the bot cannot write to (403: they blocked it or never started it) does not get a meeting's post; the
chair is told privately, in one message per post naming them all, and of each member once per meeting."""

from __future__ import annotations

import pytest

from bot.runtime.outbox import Delivery, Pace
from db.models import Meeting, MeetingStatus, OutboxMessage, OutboxStatus
from db.repo.outbox import Kind
from tests.conftest import seed_council

AGENDA = "\n1. Мектептин методикалык темасы — Осмонова Г."


async def _publish(flow, council, when: str) -> Meeting:
    chair = council.chair
    (preview,) = await flow.say(chair, chair, f"/agenda {when} Кабинет 12{AGENDA}")
    await flow.press(chair, preview, preview.buttons[0]["text"])  # Publish, in the chair's language
    return (await flow.rows(Meeting, Meeting.status == MeetingStatus.ANNOUNCED))[-1]


def reports(flow, council) -> list[str]:
    return [m.text for m in flow.api.sent_to(council.chair.id) if m.text.startswith("⚠️")]


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "ru",
            "⚠️ Объявление о заседании (16 декабря 2026 г., 15:00) не получили: Фамилия01 Мугалим1, "
            "Фамилия03 Мугалим3. Они заблокировали бота или ни разу его не запускали, поэтому Telegram не даёт мне "
            "им писать. Попросите их открыть бота и нажать «Запустить».",
        ),
        (
            "ky",
            "⚠️ Отурумдун жарыясы (2026-ж., 16-декабрь, 15:00) төмөнкүлөргө жеткен жок: Фамилия01 Мугалим1, "
            "Фамилия03 Мугалим3.",
        ),
    ],
)
async def test_the_chair_is_told_once_who_did_not_get_the_announcement(flow, locale, expected):
    council = await seed_council(flow, members=5, chair_locale=locale)
    await flow.say(council.chair, council.chair, "/start")
    blocked, never_started = council.people[1], council.people[3]
    flow.api.blocked.add(blocked.id)
    flow.api.started.discard(never_started.id)

    meeting = await _publish(flow, council, "16.12.2026 15:00")
    (report,) = reports(flow, council)  # one message for the post, naming both
    assert report.replace("\u202f", " ").startswith(expected)
    copies = await flow.rows(OutboxMessage, OutboxMessage.status == OutboxStatus.FORBIDDEN)
    (told,) = await flow.rows(OutboxMessage, OutboxMessage.kind == Kind.UNREACHABLE)
    assert {c.chat_id for c in copies} == {blocked.id, never_started.id}
    assert {c.reported_in for c in copies} == {told.id}  # written with the copies' status
    others = [p for p in council.people[1:] if p not in (blocked, never_started)]
    assert all(flow.api.last_to(p.id) is not None for p in others)  # the rest got it

    # The reminder of the same meeting: the same members are not reported again.
    assert await flow.scheduler.remind(meeting.id, int(meeting.starts_at.timestamp()), 24) is True
    await flow.delivery.drain()
    assert len(reports(flow, council)) == 1

    # Another meeting: told again, once.
    await _publish(flow, council, "23.12.2026 15:00")
    assert len(reports(flow, council)) == 2
    assert "23" in reports(flow, council)[-1]


async def test_a_member_who_started_the_bot_is_not_reported(flow):
    council = await seed_council(flow, members=3)
    await flow.say(council.chair, council.chair, "/start")
    await _publish(flow, council, "16.12.2026 15:00")
    assert reports(flow, council) == []


async def test_a_name_found_while_the_report_goes_out_is_not_lost(flow):
    """Production sends 8 posts at once: a member's 403 can come while the chair's report of the same post is on
    its way. That report is not amended then (its old text is what Telegram gets): the name goes in a new one."""
    council = await seed_council(flow, members=14)
    chair = council.chair
    await flow.say(chair, chair, "/start")
    unreachable = council.people[1:13]
    flow.api.blocked.update(person.id for person in unreachable)
    flow.api.slow[chair.id] = 0.5  # Telegram takes its time with the chair's report
    flow.delivery = Delivery(
        flow.bot, flow.sessionmaker, flow.clock, flow.runtime.i18n, pace=Pace(per_chat_burst=1000), sends_at_once=8
    )
    await _publish(flow, council, "16.12.2026 15:00")
    await flow.delivery.drain()
    names = {m.full_name for m in await flow.members(council.id) if m.user_id in {p.id for p in unreachable}}
    told = "\n".join(reports(flow, council))
    assert {name for name in names if name in told} == names  # each one named in a report the chair got
    assert len(reports(flow, council)) == 1  # one report for the post, not one per member


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("ru", "не доставлено: Фамилия02 Мугалим2. Бот у этого члена совета заблокирован"),
        ("ky", "төмөнкү мүчөгө жеткен жок: Фамилия02 Мугалим2. Ал ботту бөгөттөп койгон"),
    ],
)
async def test_one_member_not_reached_is_spoken_of_as_one(flow, locale, expected):
    council = await seed_council(flow, members=4, chair_locale=locale)
    await flow.say(council.chair, council.chair, "/start")
    flow.api.blocked.add(council.people[2].id)
    await _publish(flow, council, "16.12.2026 15:00")
    (report,) = reports(flow, council)
    assert expected in report
