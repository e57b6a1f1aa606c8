"""The regulation as pure functions (../shared/regulation/README.md). No I/O, no clock, no Telegram."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from db.models import DECISION_CHOICES, Choice, Outcome, Rating, RatingScale, VoteKind

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


@dataclass(frozen=True)
class Counts:
    """The votes of one decision."""

    votes_for: int
    against: int
    abstain: int

    @property
    def cast(self) -> int:
        return self.votes_for + self.against + self.abstain


def normalize_full_name(text: str) -> str | None:
    """A full name as the teacher typed it, tidied; None when it is not a name (surname and first name)."""
    words = text.split()
    name = " ".join(words)
    if len(words) < 2 or len(name) > FULL_NAME_MAX:
        return None
    if not all(_NAME_WORD.match(word) for word in words):
        return None
    return name


def is_one_name_word(text: str) -> bool:
    """One word of letters: a surname or a first name alone, where both are asked for."""
    words = text.split()
    return len(words) == 1 and len(words[0]) <= FULL_NAME_MAX and bool(_NAME_WORD.match(words[0]))


NOTICE_DAYS = 7  # cl. 7.5: the agenda is announced at least one week ahead
MAX_AGENDA_ITEMS = 20
MAX_ITEM_LENGTH = 300


def earliest_meeting_date(today: date) -> date:
    """cl. 7.5: announced today, a meeting can be held on this day at the earliest (7 full days later)."""
    return today + timedelta(days=NOTICE_DAYS)


def notice_given(meeting_day: date, today: date) -> bool:
    return meeting_day >= earliest_meeting_date(today)


def agenda_may_change(starts_at: datetime, now: datetime, tz: ZoneInfo) -> bool:
    """cl. 7.5, the one notice rule: a meeting's agenda may be set or changed (announced, published, an item
    added, the meeting moved to this time) only while the meeting is at least 7 full days away, the days
    counted in the council's time zone. Every path that changes an agenda asks here."""
    return notice_given(starts_at.astimezone(tz).date(), now.astimezone(tz).date())


MEETING_SPAN = timedelta(hours=2)  # how long a meeting is expected to last


def meetings_clash(starts_at: datetime, other_starts_at: datetime) -> bool:
    """Two meetings of one council cannot share a room and its members: one may start no sooner than
    MEETING_SPAN after the other (nor that much before it). The one slot rule: the agenda, its publication
    and a move ask here."""
    return abs(starts_at - other_starts_at) < MEETING_SPAN


def school_year_of(day: date) -> int:
    """The year a school year began in: it runs from 1 September (2026 for 2026/2027)."""
    return day.year if day.month >= 9 else day.year - 1


# --- cl. 7.4: a meeting in every trimester -----------------------------------------------------------------

DEFAULT_TRIMESTERS = "09-01..11-30;12-01..02-29;03-01..05-31"  # summer has no trimester


@dataclass(frozen=True)
class Trimester:
    start: date
    end: date

    @property
    def last_announce_day(self) -> date:
        """The last day a meeting inside this trimester can still be announced with 7 days' notice."""
        return self.end - timedelta(days=NOTICE_DAYS)

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def _month_day(year: int, text: str) -> date:
    month, day = (int(part) for part in text.split("-"))
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def parse_calendar(spec: str | None) -> list[tuple[str, str]]:
    """ "MM-DD..MM-DD;..." into pairs; raises ValueError for anything else (the caller words the message)."""
    pairs = []
    for part in (spec or DEFAULT_TRIMESTERS).split(";"):
        start, _, end = part.strip().partition("..")
        for text in (start, end):
            month, day = (int(x) for x in text.split("-"))
            if not (1 <= month <= 12 and 1 <= day <= 31):
                raise ValueError(part)
        pairs.append((start, end))
    if not pairs:
        raise ValueError(spec)
    return pairs


@lru_cache(maxsize=4096)  # a pure function of its arguments, asked for every day of a year's page
def trimester_of(day: date, spec: str | None = None) -> Trimester | None:
    """The trimester that contains this day, or None (summer). A trimester may run over New Year."""
    for start_text, end_text in parse_calendar(spec):
        for year in (day.year - 1, day.year):
            start = _month_day(year, start_text)
            end_year = year + 1 if (int(end_text[:2]), int(end_text[3:])) < (start.month, start.day) else year
            end = _month_day(end_year, end_text)
            if start <= day <= end:
                return Trimester(start, end)
    return None


def trimesters_of_year(school_year: int, spec: str | None = None) -> list[Trimester]:
    """The trimesters of a school year (from 1 September), in order."""
    found: list[Trimester] = []
    for start_text, _end in parse_calendar(spec):
        month, day = (int(part) for part in start_text.split("-"))
        trimester = trimester_of(date(school_year if month >= 9 else school_year + 1, month, min(day, 28)), spec)
        if trimester is not None and trimester not in found:
            found.append(trimester)
    return sorted(found, key=lambda t: t.start)


WARN_DAYS = (14, 7, 0)  # days before the last announce day: first warning, second, on the day itself
TOO_LATE = len(WARN_DAYS)  # the stage after the last announce day has passed


def watchdog_stage(today: date, trimester: Trimester, warn_days: tuple[int, ...] = WARN_DAYS) -> int | None:
    """Which warning applies today for a trimester with no meeting (None: not yet).

    Stage i means "at most warn_days[i] days are left to announce"; len(warn_days) means it is too late
    for a week's notice this trimester.
    """
    left = (trimester.last_announce_day - today).days
    if left < 0:
        return len(warn_days)
    stage = None
    for index, days in enumerate(sorted(warn_days, reverse=True)):
        if left <= days:
            stage = index
    return stage


_RANGE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\s*[-–—]\s*(\d{1,2})\.(\d{1,2})\s*$")


def parse_trimester_text(text: str) -> str:
    """ "01.09-30.11, 01.12-28.02, 01.03-31.05" as the chair types it, into the stored "MM-DD..MM-DD;..."."""
    ranges = [part for part in re.split(r"[,;\n]+", text) if part.strip()]
    if not 1 <= len(ranges) <= 4:
        raise ValueError(text)
    spec = []
    for part in ranges:
        match = _RANGE.match(part)
        if not match:
            raise ValueError(part)
        d1, m1, d2, m2 = (int(x) for x in match.groups())
        if m2 == 2 and d2 in (28, 29):
            d2 = 29  # "the end of February", in leap years and others
        for day, month in ((d1, m1), (d2, m2)):
            date(2024, month, day)  # ValueError for 31.04 and the like (2024: 29.02 exists)
        spec.append(f"{m1:02d}-{d1:02d}..{m2:02d}-{d2:02d}")
    return ";".join(spec)


def trimester_text(spec: str | None) -> str:
    """The stored calendar as the chair reads it: 01.09–30.11, 01.12–28.02, ..."""
    parts = []
    for start, end in parse_calendar(spec):
        end_day = "28" if end == "02-29" else end[3:]
        parts.append(f"{start[3:]}.{start[:2]}–{end_day}.{end[:2]}")
    return ", ".join(parts)


def outcome_of(counts: Counts, present: int, members: int) -> Outcome:
    """cl. 7.7: without 2/3 present there is no valid decision; with it, more than half of those voting.
    A vote nobody took part in decides nothing either way: its question waits for another meeting."""
    if not counts.cast:
        return Outcome.NO_VOTES
    if not quorum_met(present, members):
        return Outcome.NO_QUORUM
    return Outcome.ADOPTED if decision_adopted(counts.votes_for, counts.cast) else Outcome.NOT_ADOPTED


# --- cl. 3.1, 5: a report rated on the school's scale ------------------------------------------------------

# Each scale's options, from the highest; the one place that says which options a scale has.
RATING_SCALES: dict[RatingScale, tuple[Choice, ...]] = {
    RatingScale.HSU: (Choice.HIGH, Choice.SATISFACTORY, Choice.UNSATISFACTORY),
    RatingScale.HML: (Choice.HIGH, Choice.MEDIUM, Choice.LOW),
    RatingScale.HGSU: (Choice.HIGH, Choice.GOOD, Choice.SATISFACTORY, Choice.UNSATISFACTORY),
}
DEFAULT_SCALE = RatingScale.HSU

RATING_OF_CHOICE = {
    Choice.HIGH: Rating.HIGH,
    Choice.GOOD: Rating.GOOD,
    Choice.SATISFACTORY: Rating.SATISFACTORY,
    Choice.UNSATISFACTORY: Rating.UNSATISFACTORY,
    Choice.MEDIUM: Rating.MEDIUM,
    Choice.LOW: Rating.LOW,
}
# A rating recorded: an option of a scale, or a tie (not "no quorum" or "no votes").
RATED = frozenset({*RATING_OF_CHOICE.values(), Rating.TIE})


def rating_choices(scale: RatingScale | None) -> tuple[Choice, ...]:
    """The options of a scale, from the highest (None: a vote from before scales were chosen, the default)."""
    return RATING_SCALES[scale or DEFAULT_SCALE]


def vote_choices(kind: VoteKind, scale: RatingScale | None = None) -> tuple[Choice, ...]:
    """A vote's buttons: for / against / abstain, or a rating vote's scale."""
    return rating_choices(scale) if kind is VoteKind.RATING else DECISION_CHOICES


def rating_of(counts: dict[Choice, int], present: int, members: int, scale: RatingScale | None) -> Rating:
    """A rating vote, as cl. 7.7 counts a decision: without ballots or without 2/3 present nothing is rated;
    with them, the option of its scale with the most votes is the rating, and two options with the most votes
    a tie."""
    scores = {choice: counts.get(choice, 0) for choice in rating_choices(scale)}
    if not sum(scores.values()):
        return Rating.NO_VOTES
    if not quorum_met(present, members):
        return Rating.NO_QUORUM
    most = max(scores.values())
    leaders = [choice for choice, votes in scores.items() if votes == most]
    return RATING_OF_CHOICE[leaders[0]] if len(leaders) == 1 else Rating.TIE


def rating_outcome(rating: Rating) -> Outcome:
    """The vote's outcome beside its rating: no ballots and no quorum as for any vote, else rated."""
    return {Rating.NO_VOTES: Outcome.NO_VOTES, Rating.NO_QUORUM: Outcome.NO_QUORUM}.get(rating, Outcome.RATED)
