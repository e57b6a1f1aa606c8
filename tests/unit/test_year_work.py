"""The year's work as pure functions: plan lines, the director's order, the school year of /report."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from bot.agenda import parse_when
from bot.domain import PlanLine
from bot.errors import KeneshError
from bot.i18n import create_i18n
from bot.ops.plan import parse_date, parse_order, parse_plan
from bot.ops.report import parse_school_year
from bot.rules import NOTICE_DAYS
from tests.conftest import BISHKEK

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def russian():
    i18n = create_i18n("ky")
    with i18n.context(), i18n.use_locale("ru"):
        yield


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.12.2026 Тема — Осмонова Г.", [PlanLine(date(2026, 12, 10), "Тема", "Осмонова Г.")]),
        ("1.3.2027 Тема -- Асанов А.", [PlanLine(date(2027, 3, 1), "Тема", "Асанов А.")]),
        ("1.3.2027 Тема - часть 2", [PlanLine(date(2027, 3, 1), "Тема - часть 2", None)]),
        ("10.12.2026 Тема-жыйынтык", [PlanLine(date(2026, 12, 10), "Тема-жыйынтык", None)]),
        (
            "18.03.2027 Экинчи\n\n10.12.2026 Биринчи\n10.12.2026 Үчүнчү — Б.",
            [
                PlanLine(date(2026, 12, 10), "Биринчи", None),
                PlanLine(date(2026, 12, 10), "Үчүнчү", "Б."),
                PlanLine(date(2027, 3, 18), "Экинчи", None),
            ],
        ),
    ],
)
def test_plan_lines(text, expected):
    assert parse_plan(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "В плане нет строк"),
        ("Тема без даты", "Строка 1 не начинается с даты"),
        ("10.12.2026", "Строка 1 не начинается с даты"),
        ("10.12.2026 A\n31.02.2027 Тема", "Строка 2: Даты «31 февраля» нет: последний день этого месяца — 28 февраля"),
        ("10.12.2026 A\n01.09.2027 B", "в одном учебном году"),
        ("10-12-2026 Тема", "Строка 1"),
    ],
)
def test_bad_plans_are_refused(text, says):
    with pytest.raises(KeneshError) as refused:
        parse_plan(text, TODAY)
    assert says in refused.value.render()


@pytest.mark.parametrize("today", [date(2026, 11, 25), date(2028, 2, 25), date(2031, 8, 30)])
def test_the_example_in_a_refusal_is_the_earliest_date_allowed_that_day(today):
    """Never a fixed date that is soon in the past: a week after `today` (cl. 7.5), as the chair types it."""
    earliest = (today + timedelta(days=NOTICE_DAYS)).strftime("%d.%m.%Y")
    with pytest.raises(KeneshError) as refused:
        parse_plan("Тема без даты", today)
    assert refused.value.render() == (
        f"Строка 1 не начинается с даты и темы. Напишите её так: {earliest} Методическая тема школы — Осмонова Г."
    )
    with pytest.raises(KeneshError) as refused:
        parse_date("10-12", today)
    assert refused.value.render() == f"Не удалось прочитать дату. Напишите её так: {earliest}"
    with pytest.raises(KeneshError) as refused:
        parse_when("завтра в три", now=datetime.combine(today, time(9), tzinfo=BISHKEK), tz=BISHKEK)
    assert refused.value.render() == f"Не могу прочитать дату и время. Напишите так: {earliest} 15:00 Кабинет 12"


def test_the_directors_order():
    assert parse_order("15 01.10.2026", TODAY) == ("15", date(2026, 10, 1))
    assert parse_order("№15-к 1.10.2026", TODAY) == ("15-к", date(2026, 10, 1))
    assert parse_order("15 1.10", date(2026, 11, 25)) == ("15", date(2026, 10, 1))  # an order that has been
    for bad in ("15", "01.10.2026", "15 32.10.2026", ""):
        with pytest.raises(KeneshError):
            parse_order(bad, TODAY)


def test_school_year():
    assert parse_school_year(None, date(2026, 11, 28)) == 2026
    assert parse_school_year("", date(2027, 8, 31)) == 2026
    assert parse_school_year("2025-2026", date(2026, 11, 28)) == 2025
    assert parse_school_year(" 2025/2026 ", date(2026, 11, 28)) == 2025
    for bad in ("2026", "2026-2028", "abc"):
        with pytest.raises(KeneshError):
            parse_school_year(bad, date(2026, 11, 28))
