"""cl. 7.4 arithmetic: trimester calendars (default, custom, over New Year, leap February) and warning stages."""

from datetime import date

import pytest

from bot.rules import (
    Trimester,
    parse_trimester_text,
    trimester_of,
    trimester_text,
    watchdog_stage,
)


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2026, 9, 1), date(2026, 9, 1), date(2026, 11, 30)),
        (date(2026, 11, 30), date(2026, 9, 1), date(2026, 11, 30)),
        (date(2026, 12, 1), date(2026, 12, 1), date(2027, 2, 28)),
        (date(2027, 1, 15), date(2026, 12, 1), date(2027, 2, 28)),
        (date(2028, 2, 29), date(2027, 12, 1), date(2028, 2, 29)),  # leap year: February ends on the 29th
        (date(2027, 3, 1), date(2027, 3, 1), date(2027, 5, 31)),
    ],
)
def test_default_calendar(day, start, end):
    assert trimester_of(day) == Trimester(start, end)


@pytest.mark.parametrize("day", [date(2026, 6, 1), date(2026, 7, 15), date(2026, 8, 31)])
def test_summer_has_no_trimester(day):
    assert trimester_of(day) is None


def test_last_announce_day_is_a_week_before_the_end():
    assert trimester_of(date(2026, 10, 1)).last_announce_day == date(2026, 11, 23)
    assert trimester_of(date(2028, 1, 10)).last_announce_day == date(2028, 2, 22)
    assert trimester_of(date(2027, 1, 10)).last_announce_day == date(2027, 2, 21)


@pytest.mark.parametrize(
    ("today", "stage"),
    [
        (date(2026, 11, 8), None),  # 15 days left
        (date(2026, 11, 9), 0),  # 14 left: first warning
        (date(2026, 11, 15), 0),
        (date(2026, 11, 16), 1),  # 7 left: second warning
        (date(2026, 11, 22), 1),
        (date(2026, 11, 23), 2),  # the last day itself
        (date(2026, 11, 24), 3),  # too late for a week's notice
        (date(2026, 11, 30), 3),
    ],
)
def test_warning_stages(today, stage):
    assert watchdog_stage(today, trimester_of(today)) == stage


def test_thresholds_are_settings():
    trimester = trimester_of(date(2026, 10, 1))
    assert watchdog_stage(date(2026, 11, 2), trimester, (21, 3)) == 0  # 21 days left
    assert watchdog_stage(date(2026, 11, 19), trimester, (21, 3)) == 0  # 4 left: still the first
    assert watchdog_stage(date(2026, 11, 20), trimester, (21, 3)) == 1  # 3 left
    assert watchdog_stage(date(2026, 11, 24), trimester, (21, 3)) == 2  # too late


def test_custom_calendar_as_the_chair_types_it():
    spec = parse_trimester_text("01.09-31.10, 1.11 – 29.02; 01.03-20.05")
    assert spec == "09-01..10-31;11-01..02-29;03-01..05-20"
    assert trimester_text(spec) == "01.09–31.10, 01.11–28.02, 01.03–20.05"
    assert trimester_of(date(2026, 11, 5), spec) == Trimester(date(2026, 11, 1), date(2027, 2, 28))
    assert trimester_of(date(2027, 5, 25), spec) is None


@pytest.mark.parametrize(
    "text", ["", "сентябрь-ноябрь", "31.04-30.05", "01.09-30.11, x", "1.1-2.2,3.3-4.4,5.5-6.6,7.7-8.8,9.9-10.10"]
)
def test_bad_calendar_is_refused(text):
    with pytest.raises(ValueError):
        parse_trimester_text(text)
