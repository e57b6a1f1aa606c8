"""The trimester watchdog over a real database: who is warned, when, once, and never after a meeting."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from db.models import WatchdogWarning
from tests.conftest import BISHKEK, seed_council

ROOT = Path(__file__).resolve().parents[2]


def move_to(flow, when: datetime) -> None:
    flow.clock.advance(when - flow.clock.now())


@pytest.fixture
async def council(flow):
    council = await seed_council(flow, members=4)
    await flow.say(council.chair, council.chair, "/start")  # the chair can be written to privately
    return council


async def check(flow) -> list:
    before = len(flow.api.outbox)
    await flow.scheduler.watchdog_check()
    await flow.delivery.drain()
    return flow.api.outbox[before:]


async def test_first_warning_fourteen_days_before_the_last_announce_day(flow, council):
    move_to(flow, datetime(2027, 2, 6, 9, 0, tzinfo=BISHKEK))  # 15 days left: nothing yet
    assert await check(flow) == []
    move_to(flow, datetime(2027, 2, 7, 9, 0, tzinfo=BISHKEK))  # 14 days left
    sent = await check(flow)
    assert [m.chat_id for m in sent] == [council.group.id, council.chair.id]
    group, chair = sent
    text = group.text.replace("\u202f", " ")
    assert "Эскертүү (жобонун 7.4-пункту)" in text and "Предупреждение (положение, п. 7.4)" in text
    assert "21 февраля 2027 г." in text and "28 февраля 2027 г." in text and "осталось: 14 дней" in text
    assert "триместр 2027-ж., 28-февраль күнү бүтөт" in text  # "on <date>" in Kyrgyz needs "күнү"
    assert "г.." not in text  # no sentence ends on a Russian long date ("… 2027 г.")
    assert chair.text.startswith("Предупреждение") and "Эскертүү" not in chair.text  # the chair's language
    assert await check(flow) == []  # at most one warning a day


async def test_second_warning_a_week_later_then_the_last_day_then_too_late(flow, council):
    stages = []
    for day, expected in [(7, 0), (8, None), (14, 1), (20, None), (21, 2), (22, 3), (23, None)]:
        move_to(flow, datetime(2027, 2, day, 9, 0, tzinfo=BISHKEK))
        sent = await check(flow)
        stages.append((day, bool(sent)))
        assert bool(sent) == (expected is not None), day
    rows = await flow.rows(WatchdogWarning)
    assert [r.stage for r in rows] == [0, 1, 2, 3]
    last = flow.api.sent_to(council.group.id)
    assert "прошёл" in last[-1].text
    assert "Сегодня (21 февраля 2027 г.) — последний день" in last[-2].text.replace("\u202f", " ")


async def test_a_bot_that_was_down_sends_only_the_warning_that_applies_now(flow, council):
    move_to(flow, datetime(2027, 2, 16, 9, 0, tzinfo=BISHKEK))  # 5 days left; the first warning was missed
    sent = await check(flow)
    assert len(sent) == 2
    assert [r.stage for r in await flow.rows(WatchdogWarning)] == [1]


async def test_no_warning_once_a_meeting_is_announced(flow, council):
    move_to(flow, datetime(2027, 2, 6, 10, 0, tzinfo=BISHKEK))  # the day before the first warning
    day = (flow.clock.now() + timedelta(days=8)).strftime("%d.%m.%Y")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} 15:00\n1. Маселе")
    await flow.press(council.chair, preview, "Опубликовать")
    move_to(flow, datetime(2027, 2, 7, 9, 0, tzinfo=BISHKEK))
    assert await check(flow) == []
    assert await flow.rows(WatchdogWarning) == []


async def test_summer_and_a_custom_calendar(flow, council):
    move_to(flow, datetime(2027, 7, 1, 9, 0, tzinfo=BISHKEK))
    assert await check(flow) == []  # no trimester in summer
    (menu,) = await flow.say(council.chair, council.chair, "/settings")
    await flow.press(council.chair, menu, "Изменить триместры")
    (reply,) = await flow.say(council.chair, council.chair, "01.06-15.07")  # a summer school, say
    assert "01.06–15.07" in reply.text
    sent = await check(flow)  # last day to announce: 8 July, 7 days left
    assert len(sent) == 2 and "15 июля 2027 г." in sent[0].text.replace("\u202f", " ")


async def test_bad_calendar_is_refused(flow, council):
    (menu,) = await flow.say(council.chair, council.chair, "/settings")
    await flow.press(council.chair, menu, "Изменить триместры")
    (reply,) = await flow.say(council.chair, council.chair, "с сентября по май")
    assert reply.text.startswith("Не могу прочитать триместры.")
    (council_row,) = [c for c in [await flow.council(council.group.id)]]
    assert council_row.trimesters is None


async def test_dry_run_prints_what_it_would_send_and_sends_nothing(flow, council, engine):
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN"}}
    env.update({"DATABASE_URL": engine.url.render_as_string(hide_password=False), "PYTHONPATH": str(ROOT)})
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "watchdog",
        "--dry-run",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    stdout = out.decode()
    # Today (the real date) falls in some trimester or in summer; either way the line says why.
    assert f"council {council.id} «Мектеп №5»" in stdout and " — " in stdout
    assert await flow.rows(WatchdogWarning) == []


async def test_a_district_costs_the_same_queries_for_ten_councils_as_for_a_hundred(tmp_path):
    """The daily check loads every council, their meetings and their warnings in a few batched queries, and
    writes the warnings in one INSERT per table: the number of statements does not grow with the councils."""
    from sqlalchemy import event, func, select

    from bot.i18n import create_i18n
    from bot.ops.watchdog import daily_check
    from db.engine import create_engine, make_sessionmaker, migrate
    from db.models import OutboxMessage
    from tests.seeding import WARNING_DAY, seed_councils

    async def statements_for(councils: int) -> tuple[int, int, int]:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / f'district-{councils}.db'}")
        try:
            await migrate(engine)
            sessionmaker = make_sessionmaker(engine)
            kinds = await seed_councils(sessionmaker, councils, WARNING_DAY)
            statements = []

            def count(_connection, _cursor, statement, *_args) -> None:
                statements.append(statement)

            event.listen(engine.sync_engine, "before_cursor_execute", count)
            async with sessionmaker() as session:
                with create_i18n("ky").context():
                    verdicts = await daily_check(session, now=WARNING_DAY, tz=BISHKEK, default_locale="ky")
            event.remove(engine.sync_engine, "before_cursor_execute", count)
            warned = sum(1 for verdict in verdicts if verdict.stage is not None)
            async with sessionmaker() as session:
                queued = await session.scalar(select(func.count()).select_from(OutboxMessage))
                recorded = await session.scalar(select(func.count()).select_from(WatchdogWarning))
            # Warned: each council without a meeting this trimester, not warned before, on the default calendar.
            assert warned == councils - kinds["announced"] - kinds["warned_before"] - kinds["custom_calendar"]
            assert queued == 2 * warned and recorded == warned + kinds["warned_before"]
            return len(statements), warned, queued
        finally:
            await engine.dispose()

    ten, warned_of_ten, _ = await statements_for(10)
    hundred, warned_of_hundred, _ = await statements_for(100)
    assert warned_of_ten > 0 and warned_of_hundred > 5 * warned_of_ten
    assert ten == hundred <= 10


async def test_the_batched_check_tells_the_councils_apart(flow, council):
    """Two councils judged together: the one with a meeting announced this trimester is left alone, the other
    (a second group the same teacher chairs) is warned, in the group and privately."""
    await seed_council(flow, members=1, chat_id=-200)
    move_to(flow, datetime(2027, 2, 6, 10, 0, tzinfo=BISHKEK))
    day = (flow.clock.now() + timedelta(days=8)).strftime("%d.%m.%Y")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} 15:00\n1. Маселе")
    await flow.press(council.chair, preview, "Опубликовать")
    move_to(flow, datetime(2027, 2, 7, 9, 0, tzinfo=BISHKEK))
    sent = await check(flow)
    assert [m.chat_id for m in sent] == [-200, council.chair.id]
    assert [r.council_id for r in await flow.rows(WatchdogWarning)] == [(await flow.council(-200)).id]
