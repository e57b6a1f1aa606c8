"""Plain values that operations return and the ui renders: no I/O, no Telegram, no session.

They live here, not beside the operation that builds them, so that bot/ui/ reads them without importing an
operation (and an operation that renders a notice imports the ui without a circle). Only bot.rules and
db.models are imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot import rules
from db.models import AuditEntry, Council, FollowUp, Meeting, Member, MemberStatus, PlanEntry, Vote

# --- members ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Roster:
    """A council's members as one viewer sees them (/members)."""

    council: Council
    members: Sequence[Member]
    viewer_is_chair: bool

    @property
    def approved(self) -> list[Member]:
        return [m for m in self.members if m.status is MemberStatus.APPROVED]

    @property
    def pending(self) -> list[Member]:
        return [m for m in self.members if m.status is MemberStatus.PENDING]

    @property
    def voting_count(self) -> int:
        return sum(1 for m in self.members if m.counts_toward_quorum)


# --- the meeting day -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Presence:
    """Who is in the room at an open meeting, as the attendance message counts it."""

    members: int  # approved members with a vote: the quorum's denominator
    present: int  # of them, marked present
    participants_present: int

    @property
    def quorum_needed(self) -> int:
        return rules.quorum_needed(self.members)

    @property
    def quorum(self) -> bool:
        return rules.quorum_met(self.present, self.members)


# --- the log (/log) --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditLine:
    entry: AuditEntry
    meeting_at: datetime | None  # for an entry about a meeting: when it is (now) held


@dataclass(frozen=True)
class LogPage:
    council: Council
    lines: Sequence[AuditLine]
    number: int  # 0: the latest entries
    pages: int


# --- the year's work: the annual plan and decisions followed up ------------------------------------------------


@dataclass(frozen=True)
class PlanLine:
    """One topic of the plan as the chair typed it, before it is saved as a PlanEntry."""

    day: date
    topic: str
    responsible: str | None = None


@dataclass(frozen=True)
class Planned:
    """A planned meeting day with its topics."""

    day: date
    entries: list[PlanEntry]

    @property
    def last_announce_day(self) -> date:
        return self.day - timedelta(days=rules.NOTICE_DAYS)


@dataclass(frozen=True)
class FollowView:
    """A decision followed up (cl. 7.6): the follow-up with its vote, meeting and responsible member."""

    follow_up: FollowUp
    vote: Vote
    meeting: Meeting
    member: Member


@dataclass(frozen=True)
class Listing:
    """/decisions: a council's decisions followed up, by state."""

    council: Council
    open: list[FollowView]
    overdue: list[FollowView]
    done: list[FollowView]
    mine: list[FollowView]  # the viewer's own open ones
