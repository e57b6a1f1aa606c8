"""Plain values that operations return and the ui renders: no I/O, no Telegram, no session.

They live here, not beside the operation that builds them, so that bot/ui/ reads them without importing an
operation (and an operation that renders a notice imports the ui without a circle). Only bot.rules and
db.models are imported. `by_day` is here for the same reason: the plan's operations and its .docx both group
entries by date.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot import rules
from db.models import (
    AgendaItem,
    AuditEntry,
    Choice,
    Council,
    FollowUp,
    FollowUpState,
    GroupKind,
    Material,
    MaterialKind,
    MaterialReview,
    MaterialState,
    Meeting,
    MeetingStatus,
    Member,
    MemberStatus,
    Outcome,
    Plan,
    PlanEntry,
    Rating,
    Role,
    TeacherGroup,
    Vote,
    WatchdogWarning,
)

# --- members ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Affiliation:
    """A member's place in the school's structure: their methodical association, their creative groups, and
    the associations and groups they head (approved by the council's vote, so they count)."""

    association: str | None = None
    heads: tuple[tuple[GroupKind, str], ...] = ()
    creative: tuple[str, ...] = ()  # the creative groups they are in and do not head


@dataclass(frozen=True)
class Roster:
    """A council's members as one viewer sees them (/members)."""

    council: Council
    members: Sequence[Member]
    viewer_is_chair: bool
    affiliations: dict[int, Affiliation] = field(default_factory=dict)  # by member id

    @property
    def approved(self) -> list[Member]:
        return [m for m in self.members if m.status is MemberStatus.APPROVED]

    @property
    def pending(self) -> list[Member]:
        return [m for m in self.members if m.status is MemberStatus.PENDING]

    @property
    def orders_pending(self) -> list[Member]:
        """cl. 7.2: approved members with a vote whose director's order is not recorded yet (the chair's own
        appointment is the council's chair order)."""
        return [m for m in self.approved if m.role.votes and m.role is not Role.CHAIR and not m.order_number]


# --- associations and creative groups (cl. 3.1, 4.2) --------------------------------------------------------------


@dataclass(frozen=True)
class RatingLine:
    """One report of a group heard and rated: the school year, the protocol and the rating."""

    school_year: int
    protocol: int | None
    rating: Rating


@dataclass(frozen=True)
class GroupView:
    """An association or creative group as its page and the list show it."""

    group: TeacherGroup
    head: Member | None  # approved by the council's vote, still an approved member: it counts
    head_proposed: Member | None  # waiting for the vote
    theme: str | None  # this school year's theme, approved
    theme_proposed: str | None
    members: list[Member] = field(default_factory=list)  # in the association or the creative group
    ratings: list[RatingLine] = field(default_factory=list)
    head_on_agenda: datetime | None = None  # the meeting whose agenda has the head's approval
    theme_on_agenda: datetime | None = None


@dataclass(frozen=True)
class RollLine:
    """An approved member as the chair's member list of a group shows them: in it or not, and the association
    they are in now when it is another (joining this association leaves that one)."""

    member: Member
    inside: bool
    elsewhere: str | None = None


@dataclass(frozen=True)
class GroupsOverview:
    council: Council
    school_year: int
    groups: list[GroupView]  # not archived
    archived: list[TeacherGroup]
    can_manage: bool


# --- expert reviews of materials (cl. 3.1, 5) ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewLine:
    """A review as the chair reads it (with the reviewer's name), or as the author and the protocol read it:
    named only with the reviewer's consent."""

    review: MaterialReview
    reviewer: str

    @property
    def given(self) -> bool:
        return self.review.given_at is not None

    @property
    def public_name(self) -> str | None:
        """The reviewer's name where others than the chair read the review; None: "an expert"."""
        return self.reviewer if self.review.named else None


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


def by_day(entries: Sequence[PlanEntry]) -> dict[date, list[PlanEntry]]:
    """A plan's entries by date, in date order (topics of one date keep their order)."""
    days: dict[date, list[PlanEntry]] = {}
    for entry in entries:
        days.setdefault(entry.day, []).append(entry)
    return dict(sorted(days.items()))


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


# --- the year in figures (/report, /export) --------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingRow:
    number: int
    day: date
    trimester: str  # the trimester's name, the key the report groups by (see YearReport)
    present: int
    members: int
    quorum: bool
    items: int


@dataclass(frozen=True)
class DecisionRow:
    protocol: int
    text: str
    outcome: Outcome
    responsible: str | None
    due: date | None
    state: str  # "open", "done", "overdue" or "" (not followed up)
    on_time: bool = False  # reported done by its due date (cl. 7.6)


@dataclass(frozen=True)
class MemberRow:
    name: str
    role: Role
    attended: int
    held: int

    @property
    def percent(self) -> int:
        return round(100 * self.attended / self.held) if self.held else 0


@dataclass(frozen=True)
class MaterialRow:
    title: str
    author: str
    kind: MaterialKind
    state: MaterialState
    reviewed: int = 0  # expert reviews given


@dataclass(frozen=True)
class GroupRatingRow:
    """An association's or group's line in the 7.6 report: its head, the year's theme and its ratings."""

    kind: GroupKind
    name: str
    head: str | None
    theme: str | None
    ratings: list[tuple[int, Rating]]  # (protocol number, rating)


@dataclass
class YearReport:
    """A council's school year in figures, from which the message, the .xlsx and the chart are drawn.

    Trimesters are keyed by their names (in the reader's locale, as bot.ui.labels.trimester_label gives them): a
    meeting and a planned day fall under the same trimester when they are named the same."""

    council: Council
    school_year: int
    meetings: list[MeetingRow] = field(default_factory=list)
    decisions: list[DecisionRow] = field(default_factory=list)
    members: list[MemberRow] = field(default_factory=list)
    materials: list[MaterialRow] = field(default_factory=list)
    trimesters: list[str] = field(default_factory=list)  # names, in order
    planned: dict[str, int] = field(default_factory=dict)  # planned meetings per trimester name
    plan_is_draft: bool = False  # the planned figures are a draft's, before the council's vote on it
    held: dict[str, int] = field(default_factory=dict)
    groups: list[GroupRatingRow] = field(default_factory=list)
    chair: str | None = None

    @property
    def attendance_percent(self) -> int:
        seats = sum(m.members for m in self.meetings)
        return round(100 * sum(m.present for m in self.meetings) / seats) if seats else 0

    def outcomes(self, outcome: Outcome) -> int:
        return sum(1 for d in self.decisions if d.outcome is outcome)

    def followed(self, state: str) -> int:
        return sum(1 for d in self.decisions if d.state == state)

    @property
    def done_on_time(self) -> int:
        return sum(1 for d in self.decisions if d.on_time)

    @property
    def materials_reviewed(self) -> int:
        """Materials with at least one expert review given."""
        return sum(1 for m in self.materials if m.reviewed)

    @property
    def materials_in_bank(self) -> int:
        return sum(1 for m in self.materials if m.state is MaterialState.APPROVED)


# --- the Mini App (issue 22): the council's year as one reader sees it ---------------------------------------


@dataclass(frozen=True)
class Place:
    """One council a reader of the Mini App belongs to (approved), and their place in it."""

    council: Council
    member: Member


@dataclass(frozen=True)
class Reader:
    """Who opened the Mini App (Telegram vouched for them), the language the page speaks, their councils."""

    user_id: int
    locale: str
    places: Sequence[Place]


class DayState(enum.StrEnum):
    """A planned meeting day as the year stands today."""

    HELD = "held"  # its meeting is closed, with a protocol
    OPEN = "open"  # its meeting is going on
    ANNOUNCED = "announced"
    DUE = "due"  # not announced yet, and a week's notice is still possible
    MISSED = "missed"  # not announced, and too late for a week's notice (cl. 7.5)


@dataclass(frozen=True)
class PlannedDay:
    day: date
    entries: Sequence[PlanEntry]
    state: DayState
    meeting: Meeting | None

    @property
    def last_announce_day(self) -> date:
        return self.day - timedelta(days=rules.NOTICE_DAYS)


@dataclass(frozen=True)
class TrimesterView:
    trimester: rules.Trimester | None  # None: planned days outside the trimesters (summer)
    days: list[PlannedDay] = field(default_factory=list)
    unplanned: list[Meeting] = field(default_factory=list)  # held or announced on a day the plan does not have
    warnings: list[WatchdogWarning] = field(default_factory=list)  # cl. 7.4 warnings the council was sent
    stage: int | None = None  # the cl. 7.4 warning that stands today (the running trimester, no meeting)

    @property
    def held(self) -> int:
        planned = sum(1 for d in self.days if d.state is DayState.HELD)
        return planned + sum(1 for m in self.unplanned if m.status is MeetingStatus.CLOSED)


@dataclass(frozen=True)
class YearView:
    council: Council
    school_year: int
    plan: Plan | None
    trimesters: list[TrimesterView]
    today: date


@dataclass(frozen=True)
class MeetingsView:
    council: Council
    school_year: int
    upcoming: list[Meeting]  # announced or open, soonest first
    past: list[Meeting]  # closed, latest first
    items: dict[int, int]  # meeting id -> agenda items


@dataclass(frozen=True)
class VoteView:
    vote: Vote
    counts: rules.Counts
    responsible: str | None  # the member answering for an adopted decision (cl. 7.6)
    due: date | None
    done: bool
    # A closed rating vote (cl. 3.1, 5): the report's rating and the votes for each option of the vote's scale.
    rating: Rating | None = None
    rating_counts: dict[Choice, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DecisionLine:
    """A decision followed up (cl. 7.6) as the Mini App lists it: plain values, read in one query without the
    vote, meeting and member objects FollowView holds (a year's three hundred would take 30 ms to build)."""

    follow_up_id: int
    state: FollowUpState
    due_on: date
    done_at: datetime | None
    report: str | None
    report_file_name: str | None
    decision: str  # the vote's text
    meeting_id: int
    protocol_number: int | None
    meeting_starts_at: datetime
    responsible: str  # the responsible member's name
    responsible_user_id: int


@dataclass(frozen=True)
class DecisionsView:
    """The Mini App's Decisions page: overdue, open and done (bot.ops.decisions.by_standing), the reader's marked.
    Done ones latest first: the latest few and all the reader's own, or every one when asked."""

    council: Council
    overdue: list[DecisionLine]
    open: list[DecisionLine]
    done: list[DecisionLine]  # those shown
    done_total: int  # of the council

    @property
    def done_hidden(self) -> int:
        return self.done_total - len(self.done)


@dataclass(frozen=True)
class MeetingDetail:
    council: Council
    meeting: Meeting
    items: Sequence[AgendaItem]
    present: list[str]  # of the roster frozen at /open, by name
    absent: list[str]
    participants: list[str]  # present without a vote
    votes: list[VoteView]
    protocol: list[str]  # the issued protocol's parts as stored (Telegram HTML), in the reader's language
    document: tuple[str, int] | None  # the issued .docx: its name and size


@dataclass(frozen=True)
class MaterialsView:
    council: Council
    words: str
    bank: list[tuple[Material, str]]  # approved, with the author's name: the bank, or what the search found
    mine: Sequence[Material]  # the reader's own submissions, whatever their state
    comments: dict[int, str]  # material id -> the comment of its latest change (why returned or rejected)
    found: int  # how many the bank has, or the search found: `bank` may show only the newest of them

    @property
    def bank_hidden(self) -> int:
        return self.found - len(self.bank)


@dataclass(frozen=True)
class Attended:
    protocol: int
    day: date
    present: int
    members: int

    @property
    def quorum(self) -> bool:
        return rules.quorum_met(self.present, self.members)


@dataclass(frozen=True)
class YearFigures:
    """For the chair and the secretary: attendance by meeting, and how the decisions followed up stand."""

    school_year: int
    attendance: list[Attended]
    on_time: int  # done by the due date
    late: int  # done after it
    open: int  # not due yet
    overdue: int


@dataclass(frozen=True)
class MembersView:
    roster: Roster
    figures: YearFigures | None  # the chair's and the secretary's only
    log: list[AuditLine] | None


# --- the operator (ADMIN_IDS): the district's councils ------------------------------------------------------------


@dataclass(frozen=True)
class CouncilSummary:
    """One council as the operator's /councils lists it."""

    council: Council
    chair_name: str | None
    members: int  # approved, with a vote
    participants: int
    last_meeting: datetime | None  # the latest held (closed) meeting's start
    next_meeting: datetime | None  # one open now, or the next announced
    # cl. 7.4: the trimester with no meeting yet in which the warnings have begun, and the stage reached today
    # (bot/rules.py watchdog_stage); None when no warning applies.
    trimester: rules.Trimester | None = None
    warning_stage: int | None = None


@dataclass(frozen=True)
class CouncilsPage:
    councils: Sequence[CouncilSummary]
    number: int  # from 0
    pages: int
    total: int


@dataclass(frozen=True)
class CouncilCard:
    summary: CouncilSummary
    held_posts: int  # posts waiting in the outbox (held while the council is paused)
    chair_left: bool | None  # the chair is no longer in the council's group; None: Telegram could not say


@dataclass(frozen=True)
class HeldWarning:
    """A cl. 7.4 warning that fell due while the council was paused."""

    trimester: rules.Trimester
    stage: int
    day: date  # the first day it was due


@dataclass(frozen=True)
class Resumed:
    """What resuming a council found: what goes now, and what passed while it was paused (told to the chair)."""

    council: Council
    paused_at: datetime
    held_posts: int  # go now
    meetings_missed: Sequence[Meeting]  # announced, and their start passed while it was paused
    warnings_passed: Sequence[HeldWarning]
    warned_now: bool  # the trimester warning due today went now


@dataclass(frozen=True)
class NoticePreview:
    """/notify_chairs: the message as a chair gets it, and how many chairs get it."""

    notice_id: int
    text: str
    chairs: int
