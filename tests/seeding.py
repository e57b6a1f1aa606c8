"""Many councils at once, written straight to the database: for the district-scale checks (watchdog)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import async_sessionmaker

from db.models import Council, Meeting, MeetingStatus, User, WatchdogWarning

# 7 February 2027 in Bishkek: with the default calendar (winter trimester 1 December - 28 February) the last
# day to announce is 21 February, 14 days away: the first warning's day.
WARNING_DAY = datetime(2027, 2, 7, 9, 0, tzinfo=ZoneInfo("Asia/Bishkek"))


async def seed_councils(sessionmaker: async_sessionmaker, count: int, now: datetime) -> dict[str, int]:
    """`count` councils, each with its own chair, in a mix the check must tell apart:
    1 in 10 keeps a custom calendar whose trimester ends in March (not due yet); of the others, 1 in 4 has a
    meeting announced this trimester (nothing to send), 1 in 4 only a meeting of last trimester (warned), 1 in 8
    was warned already (stage 0, yesterday); the rest have no meeting at all (warned). Returns how many of each."""
    users, councils, meetings, warnings = [], [], [], []
    kinds = {"announced": 0, "last_trimester": 0, "warned_before": 0, "custom_calendar": 0, "none": 0}
    for n in range(1, count + 1):
        chair = 1_000_000 + n
        users.append({"id": chair, "language": "ky" if n % 2 else "ru", "created_at": now})
        custom = n % 10 == 0
        councils.append(
            {
                "id": n,
                "chat_id": -1_000_000_000 - n,
                "title": f"Мектеп №{n}",
                "join_code": f"seed{n}",
                "chair_id": chair,
                "created_at": now,
                "trimesters": "09-01..12-25;01-10..03-31;04-01..05-31" if custom else None,
            }
        )
        meeting = {"council_id": n, "created_by": chair, "created_at": now, "place": "Мугалимдер бөлмөсү"}
        if custom:
            kinds["custom_calendar"] += 1
        elif n % 4 == 1:
            meetings.append({**meeting, "starts_at": now + timedelta(days=9), "status": MeetingStatus.ANNOUNCED})
            kinds["announced"] += 1
        elif n % 4 == 2:
            meetings.append({**meeting, "starts_at": now - timedelta(days=90), "status": MeetingStatus.CLOSED})
            kinds["last_trimester"] += 1
        elif n % 8 == 3:
            start = date(now.year - 1 if now.month < 12 else now.year, 12, 1)
            warnings.append(
                {"council_id": n, "trimester_start": start, "stage": 0, "sent_on": now.date() - timedelta(days=1)}
            )
            kinds["warned_before"] += 1
        else:
            kinds["none"] += 1
    async with sessionmaker() as session:
        for model, rows in ((User, users), (Council, councils), (Meeting, meetings), (WatchdogWarning, warnings)):
            if rows:
                await session.execute(insert(model), rows)
        await session.commit()
    return kinds
