"""The regulation as pure functions (../shared/regulation/README.md). No I/O, no clock, no Telegram."""

from __future__ import annotations

import re
from datetime import date, timedelta

FULL_NAME_MAX = 100
# A person's name: letters (any script), with spaces, hyphens, apostrophes and dots between them.
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'’ʼ.\-]*(?:['’ʼ.\-][^\W\d_]*)*\.?$")


def quorum_needed(members: int) -> int:
    """cl. 7.7: the fewest present for a valid decision, 2/3 of the members in whole people."""
    if members < 0:
        raise ValueError("members cannot be negative")
    return -(-members * 2 // 3)


def quorum_met(present: int, members: int) -> bool:
    """cl. 7.7: present × 3 ≥ members × 2; a council with no members has no quorum."""
    return members > 0 and present * 3 >= members * 2


def decision_adopted(votes_for: int, votes_cast: int) -> bool:
    """cl. 7.7: more than half of those who voted are in favour; abstentions are cast votes."""
    return votes_cast > 0 and votes_for * 2 > votes_cast


def normalize_full_name(text: str) -> str | None:
    """A full name as the teacher typed it, tidied; None when it is not a name (surname and first name)."""
    words = text.split()
    name = " ".join(words)
    if len(words) < 2 or len(name) > FULL_NAME_MAX:
        return None
    if not all(_NAME_WORD.match(word) for word in words):
        return None
    return name


NOTICE_DAYS = 7  # cl. 7.5: the agenda is announced at least one week ahead
MAX_AGENDA_ITEMS = 20
MAX_ITEM_LENGTH = 300


def earliest_meeting_date(today: date) -> date:
    """cl. 7.5: announced today, a meeting can be held on this day at the earliest (7 full days later)."""
    return today + timedelta(days=NOTICE_DAYS)


def notice_given(meeting_day: date, today: date) -> bool:
    return meeting_day >= earliest_meeting_date(today)


def school_year_of(day: date) -> int:
    """The year a school year began in: it runs from 1 September (2026 for 2026/2027)."""
    return day.year if day.month >= 9 else day.year - 1
