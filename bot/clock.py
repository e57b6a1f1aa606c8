"""The one clock: every "now" in Kenesh comes from here, in UTC, so tests can set it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


class Clock:
    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(UTC)

    def local_now(self) -> datetime:
        """Now in the council's time zone (Asia/Bishkek by default)."""
        return self.now().astimezone(self.tz)


class FixedClock(Clock):
    """A clock that stands still until moved: for tests and dry runs."""

    def __init__(self, tz: ZoneInfo, at: datetime) -> None:
        super().__init__(tz)
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._at += delta
