"""Reading an agenda the chair typed: the first line says when and where, each further line is an item.

    /agenda 10.12.2026 15:00 Кабинет 12
    1. Мектептин методикалык темасы — Осмонова Г.
    2. Окуу топторунун иш пландары

Pure: no clock, no database; the caller passes "now" and the council's time zone.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import rules
from bot.errors import KeneshError
from bot.i18n import fmt_day_month, fmt_long_date
from bot.i18n import lazy_gettext as __
from bot.text_input import clean_text

# DD.MM.YYYY, DD.MM (no year) or YYYY-MM-DD; a trailing dot ("21.12.") is how some write a date without a year.
_DATE = re.compile(r"^(?:(\d{1,2})\.(\d{1,2})(?:\.(\d{4})|\.)?|(\d{4})-(\d{1,2})-(\d{1,2}))$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_NUMBERING = re.compile(r"^\s*(?:\d{1,2}\s*[.)]|[-–—•*])\s*")
# The reporter follows the last " — " (an em dash) or " -- ": a hyphen or an en dash belongs to the title.
_REPORTER = re.compile(r"\s+(?:—|--)\s+")
MAX_YEARS_AHEAD = 2  # a year past the current one + 2 is a typo, not a plan


def example_day(today: date) -> str:
    """The date prompts and errors give as an example: the earliest a meeting can be announced for today
    (cl. 7.5), so an example is never in the past nor too soon. Written as the chair types it: DD.MM.YYYY."""
    return f"{rules.earliest_meeting_date(today):%d.%m.%Y}"


@dataclass(frozen=True)
class Item:
    title: str
    reporter: str | None = None


@dataclass(frozen=True)
class When:
    starts_at: datetime  # aware, in the council's time zone
    place: str | None


@dataclass(frozen=True)
class Agenda:
    when: When
    items: list[Item] = field(default_factory=list)


def parse_day(token: str, today: date, *, past: bool = False) -> date:
    """The one reader of a date a person types (an agenda, a move, the plan, a due date, the settings):
    DD.MM.YYYY, YYYY-MM-DD, or DD.MM without a year, read as the next such day from today on, unless that day
    was in the last 60 days (then it is that day, and the caller says it has passed: 10.01 typed on 13 January
    is no meeting a year ahead); with `past`, for a day that has been, as an order's: the last one up to today.
    ValueError when it is no date at all (each
    caller shows how to write one); a KeneshError naming the day when it cannot exist (31.02, month 13)."""
    match = _DATE.match(token.strip())
    if not match:
        raise ValueError(token)
    if match.group(4):
        year: int | None = int(match.group(4))
        month, day = int(match.group(5)), int(match.group(6))
    else:
        day, month = int(match.group(1)), int(match.group(2))
        year = int(match.group(3)) if match.group(3) else None
    if not 1 <= month <= 12:
        raise KeneshError(
            __("There is no month {month}. Write the day, then the month, like this: {date}"),
            month=month,
            date=example_day(today),
        )
    longest = calendar.monthrange(2000 if year is None else year, month)[1]  # 2000: 29 February is a day
    if not 1 <= day <= longest:
        raise KeneshError(
            __("There is no {date}: the last day of that month is {last}"),
            date=fmt_day_month(day, month),
            last=fmt_day_month(longest, month),
        )
    if year is not None:
        return date(year, month, day)
    last = _without_year(day, month, today, past=True)
    if past or today - last <= RECENTLY:
        return last  # a day of the last weeks is that day, not next year's: the caller says it has passed
    return _without_year(day, month, today, past=False)


RECENTLY = timedelta(days=60)  # DD.MM of a day this close behind means that day (a slip), not next year's


def _without_year(day: int, month: int, today: date, *, past: bool) -> date:
    """The next such day from today on (with `past`, the last one up to today)."""
    step = -1 if past else 1
    for year in range(today.year, today.year + 9 * step, step):  # 29 February: the next (or last) leap year
        if day <= calendar.monthrange(year, month)[1]:
            found = date(year, month, day)
            if (found <= today) if past else (found >= today):
                return found
    raise ValueError(f"{day}.{month}")  # unreachable: within 8 years a leap year comes


def parse_when(line: str, *, now: datetime, tz: ZoneInfo) -> When:
    """Date (parse_day: DD.MM.YYYY, DD.MM or YYYY-MM-DD), time HH:MM, optional place; checked against cl. 7.5."""
    tokens = clean_text(line).split(maxsplit=2)
    try:
        day = parse_day(tokens[0], now.astimezone(tz).date())
        match = _TIME.match(tokens[1])
        if not match:
            raise ValueError(tokens[1])
        at = time(int(match.group(1)), int(match.group(2)))
    except (ValueError, IndexError):
        raise KeneshError(
            __("I could not read the date and time. Write them like this: {date} 15:00 Кабинет 12"),
            date=example_day(now.astimezone(tz).date()),
        ) from None
    last_year = now.astimezone(tz).year + MAX_YEARS_AHEAD
    if day.year > last_year:
        raise KeneshError(
            __("This date is too far ahead: a meeting can be set until the end of {year} at the latest."),
            year=last_year,
        )
    place = tokens[2].strip() if len(tokens) > 2 else None
    if place and len(place) > 200:
        raise KeneshError(__("The place is too long: at most 200 characters."))
    return check_notice(When(datetime.combine(day, at, tzinfo=tz), place or None), now=now, tz=tz)


def check_notice(when: When, *, now: datetime, tz: ZoneInfo) -> When:
    """Refuse a time in the past and a meeting less than 7 full days away (cl. 7.5), naming the earliest date."""
    local_now = now.astimezone(tz)
    if when.starts_at <= local_now:
        raise KeneshError(__("This time has already passed. Choose a date in the future."))
    if not rules.agenda_may_change(when.starts_at, now, tz):
        raise KeneshError(
            __(
                "The agenda must be announced at least 7 days before the meeting (regulation, cl. 7.5). "
                "The earliest date you can choose today is {date}."
            ),
            date=fmt_long_date(rules.earliest_meeting_date(local_now.date())),
        )
    return when


def parse_items(lines: list[str]) -> list[Item]:
    items: list[Item] = []
    for line in lines:
        text = _NUMBERING.sub("", clean_text(line), count=1).strip()
        if not text:
            continue
        reporter = None
        separators = list(_REPORTER.finditer(text))
        if separators and text[separators[-1].end() :].strip():
            last = separators[-1]
            reporter, text = text[last.end() :].strip(), text[: last.start()].strip()
        if len(text) > rules.MAX_ITEM_LENGTH:
            raise KeneshError(
                __("Item {number} is too long: at most {limit} characters."),
                number=len(items) + 1,
                limit=rules.MAX_ITEM_LENGTH,
            )
        if reporter and len(reporter) > 128:
            raise KeneshError(__("The reporter's name in item {number} is too long."), number=len(items) + 1)
        items.append(Item(text, reporter))
    if not items:
        raise KeneshError(__("The agenda has no items. Write each item on its own line after the date."))
    if len(items) > rules.MAX_AGENDA_ITEMS:
        raise KeneshError(
            __("An agenda can have at most {limit} items; this one has {count}."),
            limit=rules.MAX_AGENDA_ITEMS,
            count=len(items),
        )
    return items


def parse_agenda(text: str, *, now: datetime, tz: ZoneInfo) -> Agenda:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if not lines:
        raise KeneshError(__("Write the date, time and place on the first line and the items below it."))
    return Agenda(parse_when(lines[0], now=now, tz=tz), parse_items(lines[1:]))
