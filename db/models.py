"""SQLAlchemy 2 models. Telegram ids are BigInteger; every datetime is stored in UTC and read back aware."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out: SQLite keeps no offset, PostgreSQL keeps timestamptz."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, int: Integer}


class Role(enum.StrEnum):
    CHAIR = "chair"
    HEAD_MA = "head_ma"  # head of a methodical association (МБ / МО)
    HEAD_CG = "head_cg"  # head of a creative group
    TEACHER = "teacher"  # a teacher who is a member of the council
    PARTICIPANT = "participant"  # cl. 4.3: any teacher may take part, without a vote

    @property
    def votes(self) -> bool:
        return self is not Role.PARTICIPANT


class MemberStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    REMOVED = "removed"


class GroupLanguage(enum.StrEnum):
    BOTH = "both"  # Kyrgyz first, then Russian
    KY = "ky"
    RU = "ru"


class RatingScale(enum.StrEnum):
    """The scale a school rates its associations' and groups' reports on (cl. 3.1, 5), the chair's choice in
    /settings; its options are bot/rules.py's rating_choices. A rating vote keeps the scale it was opened with."""

    HSU = "hsu"  # high / satisfactory / unsatisfactory: the glossary's, the default
    HML = "hml"  # high / medium / low
    HGSU = "hgsu"  # high / good / satisfactory / unsatisfactory


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime]


class Council(Base):
    __tablename__ = "councils"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str] = mapped_column(String(255))
    join_code: Mapped[str] = mapped_column(String(32), unique=True)
    chair_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    secretary_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    group_language: Mapped[GroupLanguage] = mapped_column(
        Enum(GroupLanguage, native_enum=False, length=8, values_callable=lambda e: [m.value for m in e]),
        default=GroupLanguage.BOTH,
    )
    created_at: Mapped[datetime]
    # cl. 7.4: the school's trimesters, "MM-DD..MM-DD" separated by ";" (an end of 02-29 means the last day
    # of February). Empty: the default calendar.
    trimesters: Mapped[str | None] = mapped_column(String(200))
    # The school's name in the council's documents (the 7.6 report); empty: the group's title.
    school_name: Mapped[str | None] = mapped_column(String(255))
    # cl. 7.1: the pedagogical council's decision that created the council (its protocol number and date), and
    # cl. 4.1: the director's order appointing the chair; both head every protocol. A new chair's order is
    # empty ("pending") until the chair records it.
    founding_protocol: Mapped[str | None] = mapped_column(String(32))
    founded_on: Mapped[date | None]
    chair_order_number: Mapped[str | None] = mapped_column(String(32))
    chair_order_date: Mapped[date | None]
    # cl. 7.6: the school year's last pedagogical council; two weeks before it the chair gets the report's draft.
    last_pedcouncil_on: Mapped[date | None]
    # cl. 3.1, 5: the scale reports are rated on; a rating vote takes it when it opens (Vote.rating_scale).
    rating_scale: Mapped[RatingScale] = mapped_column(
        Enum(RatingScale, native_enum=False, length=8, values_callable=lambda e: [m.value for m in e]),
        default=RatingScale.HSU,
        server_default=RatingScale.HSU.value,
    )
    # The operator paused the council (bot/ops/operator.py): its posts, reminders, vote timers and cl. 7.4
    # warnings are held, not dropped, until it is resumed; the group is told it is paused and nothing else.
    paused_at: Mapped[datetime | None]
    paused_by: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def paused(self) -> bool:
        return self.paused_at is not None


class Member(Base):
    """One person's place in one council: an application until the chair decides, then a member."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("council_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    status: Mapped[MemberStatus] = mapped_column(
        Enum(MemberStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    # The regulation's closing line, "Жобо менен тааныштым": when this person confirmed reading it.
    regulation_confirmed_at: Mapped[datetime | None]
    # ...and which edition: bot.ui.regulation.regulation_version() of the Kyrgyz original then. A new edition asks
    # again; the chair cannot run a meeting (/open, /vote) until confirming it (bot/ops/members.py).
    regulation_version: Mapped[str | None] = mapped_column(String(16))
    # cl. 7.2: members are approved by the director's order; its number, when the chair gives it.
    order_number: Mapped[str | None] = mapped_column(String(32))
    applied_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    # A rejected applicant may apply twice more; after the third rejection only a new join link lets them.
    rejections: Mapped[int] = mapped_column(Integer, server_default="0", default=0)
    rejected_with_code: Mapped[str | None] = mapped_column(String(32))  # the join code of the last rejection

    @property
    def counts_toward_quorum(self) -> bool:
        return self.status is MemberStatus.APPROVED and self.role.votes


def _enum(cls: type[enum.Enum], length: int = 16) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class MeetingStatus(enum.StrEnum):
    DRAFT = "draft"  # the chair's preview, not yet published
    ANNOUNCED = "announced"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Meeting(Base):
    __tablename__ = "meetings"
    # cl. 7.5: one protocol No. N per council and school year, whatever two closings race.
    __table_args__ = (
        UniqueConstraint("council_id", "school_year", "protocol_number", name="uq_meetings_protocol_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[MeetingStatus] = mapped_column(_enum(MeetingStatus))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    announced_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # The announcement pinned in the group, and the live attendance message while the meeting is open.
    announcement_message_id: Mapped[int | None] = mapped_column(BigInteger)
    attendance_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # cl. 7.5: the protocol, numbered within the school year (from 1 September).
    protocol_number: Mapped[int | None]
    school_year: Mapped[int | None]  # the year the school year began in: 2026 for 2026/2027
    protocol_file_id: Mapped[str | None] = mapped_column(String(255))
    # Closed by the next day's check, not by the chair: the protocol says so.
    closed_automatically: Mapped[bool] = mapped_column(Boolean, server_default=false())


class AgendaItem(Base):
    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    # An item the bot composed (the annual plan, a material, an association's head, theme or report): its title
    # in every language, {"ky": ..., "ru": ...}, so each reader reads it in theirs; `title` is the one in the
    # language of who put it there. None for an item the chair typed: it stays as typed.
    titles: Mapped[dict[str, str] | None] = mapped_column(JSON)
    reporter: Mapped[str | None] = mapped_column(String(128))
    # Who actually reported at the meeting (/heard); the protocol falls back to the agenda's reporter.
    heard: Mapped[str | None] = mapped_column(String(128))
    # An item that reviews a methodical material: the meeting's vote on it decides the material (cl. 3.1).
    material_id: Mapped[int | None] = mapped_column(ForeignKey("materials.id", ondelete="SET NULL"))


class RosterEntry(Base):
    """Who belonged to the council, with a vote, when the meeting opened: every quorum of the meeting counts
    against this list, and only its members vote, whatever is approved or removed during the meeting."""

    __tablename__ = "meeting_roster"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(128))


class IssuedProtocol(Base):
    """A protocol as it was issued at the close: its .docx bytes (and their SHA-256); the text is in its parts.
    Every later send sends these, never a new rendering."""

    __tablename__ = "issued_protocols"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    filename: Mapped[str] = mapped_column(String(128))
    document: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime]


class ProtocolPart(Base):
    """One HTML message of an issued protocol, in one language, in its place among that language's parts."""

    __tablename__ = "protocol_parts"
    __table_args__ = (UniqueConstraint("meeting_id", "locale", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    locale: Mapped[str] = mapped_column(String(8))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)


class Attendance(Base):
    """Who was at a meeting: marked by themselves (the Present button) or by the chair."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    marked_by: Mapped[int] = mapped_column(BigInteger)
    marked_at: Mapped[datetime]


class Choice(enum.StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"
    # The options of the schools' scales of a report's rating (cl. 3.1): the choices of a rating vote
    # (VoteKind.RATING), each scale's in bot/rules.py's rating_choices.
    HIGH = "high"
    SATISFACTORY = "satisf"
    UNSATISFACTORY = "unsatisf"
    GOOD = "good"
    MEDIUM = "medium"
    LOW = "low"


DECISION_CHOICES = (Choice.FOR, Choice.AGAINST, Choice.ABSTAIN)


class VoteKind(enum.StrEnum):
    DECISION = "decision"  # for / against / abstain (cl. 7.7)
    RATING = "rating"  # a report rated on the school's scale; the option with most votes is recorded


class Outcome(enum.StrEnum):
    ADOPTED = "adopted"
    NOT_ADOPTED = "not_adopted"
    NO_QUORUM = "no_quorum"
    NO_VOTES = "no_votes"  # closed with no ballot: no decision either way; the question waits
    RATED = "rated"  # a rating vote with quorum and ballots: its rating is in group_reports
    # A secret ballot whose key was lost before its close (a restart without Redis): its sealed ballots cannot
    # be read, so nothing is counted; the chair puts the question to the vote again.
    NOT_COUNTED = "not_counted"


class Vote(Base):
    """One decision put to the vote at a meeting; counts and denominator are frozen when it closes."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    item_position: Mapped[int | None]
    decision: Mapped[str] = mapped_column(String(1000))
    # Secret ballot: while open, who has voted is plain (secret_voters) and each choice is sealed with the member
    # under a key of the vote's own that never reaches the database (sealed_ballots; bot/ballot_seal.py). The
    # close opens them with the key, keeps the totals and who voted (sorted by member), deletes the sealed rows
    # and drops the key: no file, dump or replica can pair anyone with a choice, during the vote or after.
    secret: Mapped[bool] = mapped_column(Boolean, server_default=false())
    is_open: Mapped[bool] = mapped_column(Boolean)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    members_total: Mapped[int | None]
    present_total: Mapped[int | None]
    votes_for: Mapped[int | None]
    votes_against: Mapped[int | None]
    votes_abstain: Mapped[int | None]
    outcome: Mapped[Outcome | None] = mapped_column(_enum(Outcome))
    # The chair's "close in N minutes": the scheduler closes it then (planned again at start), and a minute
    # before, present members who have not voted are reminded once (nudged).
    closes_at: Mapped[datetime | None]
    nudged: Mapped[bool] = mapped_column(Boolean, server_default=false())
    kind: Mapped[VoteKind] = mapped_column(
        _enum(VoteKind), default=VoteKind.DECISION, server_default=VoteKind.DECISION.value
    )
    # A rating vote's scale, the council's when it opened: its buttons, count and result keep it, whatever the
    # chair chooses later. None for a decision.
    rating_scale: Mapped[RatingScale | None] = mapped_column(_enum(RatingScale, 8))


class Ballot(Base):
    """One member's choice in an open (not secret) vote: one per member, by a unique constraint."""

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("vote_id", "member_id", name="uq_ballots_vote_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    choice: Mapped[Choice] = mapped_column(_enum(Choice, 8))
    cast_at: Mapped[datetime]


class SecretVoter(Base):
    """Who has voted in a secret ballot, never how: written with the member's first press ("voted 7 of 10", the
    reminder before a timed close), written again at the close as the members counted, in member order."""

    __tablename__ = "secret_voters"

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)


class SealedBallot(Base):
    """A secret ballot's choice while the vote is open: the member and the choice sealed together (AES-GCM)
    under the vote's key, which lives in memory or Redis, never here. `token` (a keyed hash of the member,
    under the same key) finds a member's row again when they change their choice. Deleted at the close."""

    __tablename__ = "sealed_ballots"

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary(64))


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # Telegram refused the request itself (400): logged, not retried
    FORBIDDEN = "forbidden"  # 403: the bot was removed from the group or blocked by the person


class OutboxMessage(Base):
    """A post that must not be lost: written with the change that causes it, sent by the delivery worker."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    council_id: Mapped[int | None] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"))
    ref_id: Mapped[int | None]  # the meeting (or other row) the post belongs to, for what follows sending
    text: Mapped[str | None] = mapped_column(Text)
    reply_markup: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    document: Mapped[bytes | None] = mapped_column(LargeBinary)
    filename: Mapped[str | None] = mapped_column(String(128))
    pin: Mapped[bool] = mapped_column(Boolean, server_default=false())
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus), index=True)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # A member's copy that could not reach them (403): the outbox row of the chair's report that names them.
    reported_in: Mapped[int | None]


class WatchdogWarning(Base):
    """cl. 7.4: a warning sent for a trimester with no meeting; one per stage, never repeated after a restart."""

    __tablename__ = "watchdog_warnings"
    __table_args__ = (UniqueConstraint("council_id", "trimester_start", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    trimester_start: Mapped[date]
    stage: Mapped[int]
    sent_on: Mapped[date]


class JobRun(Base):
    """The day a daily job last ran, so a bot that was down catches up once at start."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_day: Mapped[date]


class MaterialKind(enum.StrEnum):
    LESSON_PLAN = "lesson_plan"
    DEVELOPMENT = "development"  # methodical development
    REPORT = "report"
    PRESENTATION = "presentation"
    OTHER = "other"


class MaterialState(enum.StrEnum):
    SUBMITTED = "submitted"
    ON_AGENDA = "on_agenda"
    APPROVED = "approved"  # in the bank of pedagogical ideas (cl. 3.1)
    RETURNED = "returned"  # for revision: the author may send a new version
    REJECTED = "rejected"


class Material(Base):
    """A methodical material submitted for the council's review (cl. 3.1); its file lives in the archive."""

    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[MaterialKind] = mapped_column(_enum(MaterialKind))
    subject: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(1000))
    state: Mapped[MaterialState] = mapped_column(_enum(MaterialState), index=True)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    file_name: Mapped[str] = mapped_column(String(255))  # as the teacher named it; shown, never a path
    stored_name: Mapped[str] = mapped_column(String(100))  # the archive's own name for it
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    telegram_file_id: Mapped[str | None] = mapped_column(String(255))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The methodical association its author belonged to when it was submitted (cl. 3.1: materials come from
    # associations, groups and single teachers).
    group_id: Mapped[int | None] = mapped_column(ForeignKey("teacher_groups.id", ondelete="SET NULL"))


class MaterialEvent(Base):
    """Every change of a material's state: who, when, and the comment the author was given."""

    __tablename__ = "material_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id", ondelete="CASCADE"), index=True)
    state: Mapped[MaterialState] = mapped_column(_enum(MaterialState))
    by_user: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime]
    comment: Mapped[str | None] = mapped_column(String(1000))
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class AuditAction(enum.StrEnum):
    """What a person did to the council's record (issue 8): one entry per change, never a ballot's choice."""

    MEMBER_APPROVED = "member_approved"
    MEMBER_REJECTED = "member_rejected"
    MEMBER_REMOVED = "member_removed"
    ORDER_NUMBER_SET = "order_number_set"
    SECRETARY_NAMED = "secretary_named"
    CHAIR_HANDED_OVER = "chair_handed_over"
    MEETING_PUBLISHED = "meeting_published"
    MEETING_MOVED = "meeting_moved"
    MEETING_CANCELLED = "meeting_cancelled"
    MEETING_OPENED = "meeting_opened"
    MEETING_CLOSED = "meeting_closed"
    PRESENCE_MARKED = "presence_marked"
    PRESENCE_UNMARKED = "presence_unmarked"
    VOTE_OPENED = "vote_opened"
    VOTE_CLOSED = "vote_closed"
    MATERIAL_APPROVED = "material_approved"
    MATERIAL_RETURNED = "material_returned"
    MATERIAL_REJECTED = "material_rejected"
    MATERIAL_ON_AGENDA = "material_on_agenda"
    GROUP_LANGUAGE_SET = "group_language_set"
    RATING_SCALE_SET = "rating_scale_set"
    TRIMESTERS_SET = "trimesters_set"
    JOIN_LINK_REPLACED = "join_link_replaced"
    GROUP_ADDED = "group_added"
    GROUP_CHANGED = "group_changed"
    GROUP_ARCHIVED = "group_archived"
    HEAD_PROPOSED = "head_proposed"
    THEME_PROPOSED = "theme_proposed"
    ASSOCIATION_CHANGED = "association_changed"
    CREATIVE_GROUP_CHANGED = "creative_group_changed"
    REVIEW_ASKED = "review_asked"
    FOUNDING_SET = "founding_set"
    CHAIR_ORDER_SET = "chair_order_set"
    # The operator's (ADMIN_IDS, bot/ops/operator.py); the operator hands the chair over as CHAIR_HANDED_OVER.
    COUNCIL_PAUSED = "council_paused"
    COUNCIL_RESUMED = "council_resumed"
    OPERATOR_NOTICE = "operator_notice"  # a message from the operator to every chair


class AuditObject(enum.StrEnum):
    COUNCIL = "council"
    MEMBER = "member"
    MEETING = "meeting"
    VOTE = "vote"
    MATERIAL = "material"
    GROUP = "group"


class AuditEntry(Base):
    """Who did what to the record, written in the transaction that made the change (issue 8)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_council_latest", "council_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(BigInteger)  # None: the bot itself (a scheduled job)
    actor_name: Mapped[str | None] = mapped_column(String(128))  # the actor's name in the council, then
    action: Mapped[AuditAction] = mapped_column(_enum(AuditAction, 32))
    obj_kind: Mapped[AuditObject] = mapped_column(_enum(AuditObject))
    obj_id: Mapped[int | None]
    obj_name: Mapped[str | None] = mapped_column(String(200))  # the member's name, material's title, then
    before: Mapped[str | None] = mapped_column(String(300))
    after: Mapped[str | None] = mapped_column(String(300))


class QuarantinedFile(Base):
    """A file received for a new material, kept in the quarantine until its four questions are answered;
    removed (row and file) when the dialog is abandoned for 24 hours. Deleting the row is what submits it,
    so a Skip pressed twice submits one material."""

    __tablename__ = "quarantined_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    telegram_file_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(index=True)


class PlanState(enum.StrEnum):
    DRAFT = "draft"
    DISCUSSED = "discussed"  # adopted by the vote on its agenda item
    APPROVED = "approved"  # by the director's order (cl. 7.3)


class Plan(Base):
    """cl. 7.3: the annual plan (cyclogram) of a school year; a change to an approved plan is a new version."""

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("council_id", "school_year", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    school_year: Mapped[int]  # the year the school year began in
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    state: Mapped[PlanState] = mapped_column(_enum(PlanState))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The agenda item that discusses it: that item's vote adopts it.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    item_position: Mapped[int | None]
    discussed_at: Mapped[datetime | None]
    order_number: Mapped[str | None] = mapped_column(String(32))
    order_date: Mapped[date | None]
    approved_at: Mapped[datetime | None]


class PlanEntry(Base):
    """One topic of one planned meeting."""

    __tablename__ = "plan_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    day: Mapped[date]
    topic: Mapped[str] = mapped_column(String(300))
    responsible: Mapped[str | None] = mapped_column(String(128))


class FollowUpState(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


class FollowUp(Base):
    """cl. 7.6: an adopted decision given a responsible member and a due date, until it is reported done."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), unique=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    due_on: Mapped[date]
    state: Mapped[FollowUpState] = mapped_column(_enum(FollowUpState))
    assigned_by: Mapped[int] = mapped_column(BigInteger)
    assigned_at: Mapped[datetime]
    reminded: Mapped[int] = mapped_column(Integer, server_default="0")  # 1: three days before, 2: on the day
    done_at: Mapped[datetime | None]
    report: Mapped[str | None] = mapped_column(String(1000))
    report_file_id: Mapped[str | None] = mapped_column(String(255))
    report_file_name: Mapped[str | None] = mapped_column(String(255))


class GroupKind(enum.StrEnum):
    ASSOCIATION = "association"  # a methodical association (МБ / МО)
    CREATIVE = "creative"  # a creative group, temporary when it has an end date


class TeacherGroup(Base):
    """A methodical association or a creative group of the school (cl. 3.1, 4.2), kept by the chair."""

    __tablename__ = "teacher_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    kind: Mapped[GroupKind] = mapped_column(_enum(GroupKind))
    name: Mapped[str] = mapped_column(String(200))
    area: Mapped[str | None] = mapped_column(String(200))  # an association's subject area
    ends_on: Mapped[date | None]  # a temporary creative group's end
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    archived_at: Mapped[datetime | None]


class ProposalKind(enum.StrEnum):
    HEAD = "head"
    THEME = "theme"


class ProposalState(enum.StrEnum):
    PROPOSED = "proposed"  # waiting for the council's vote
    APPROVED = "approved"  # the vote on its agenda item adopted it: it counts
    NOT_APPROVED = "not_approved"
    REPLACED = "replaced"  # a newer proposal of the same kind took its place before a vote


class GroupProposal(Base):
    """A head or a year's theme of an association or group, put to the council (cl. 3.1): it counts only once
    the vote on the agenda item made for it adopts it."""

    __tablename__ = "group_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("teacher_groups.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ProposalKind] = mapped_column(_enum(ProposalKind))
    school_year: Mapped[int]
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))  # a head
    text: Mapped[str | None] = mapped_column(String(300))  # a theme
    state: Mapped[ProposalState] = mapped_column(_enum(ProposalState))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    item_position: Mapped[int | None]
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    vote_id: Mapped[int | None] = mapped_column(ForeignKey("votes.id", ondelete="SET NULL"))


class AssociationMember(Base):
    """A member's methodical association: at most one (the primary key), apart from their role."""

    __tablename__ = "association_members"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("teacher_groups.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime]


class CreativeGroupMember(Base):
    """A member of a creative group: in any number of them, besides their one association."""

    __tablename__ = "creative_group_members"

    group_id: Mapped[int] = mapped_column(ForeignKey("teacher_groups.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True)
    joined_at: Mapped[datetime]


class Rating(enum.StrEnum):
    """A report's rating: an option of the scale its vote had (the same word on every scale that has it), or
    why there is none."""

    HIGH = "high"
    SATISFACTORY = "satisfactory"
    UNSATISFACTORY = "unsatisfactory"
    GOOD = "good"
    MEDIUM = "medium"
    LOW = "low"
    TIE = "tie"  # two options with the most votes: recorded as a tie
    NO_QUORUM = "no_quorum"
    NO_VOTES = "no_votes"


class GroupReport(Base):
    """An association's or group's report on a meeting's agenda (cl. 3.1, 5), and the council's rating of it."""

    __tablename__ = "group_reports"
    __table_args__ = (UniqueConstraint("meeting_id", "item_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("teacher_groups.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    item_position: Mapped[int]
    school_year: Mapped[int]
    vote_id: Mapped[int | None] = mapped_column(ForeignKey("votes.id", ondelete="SET NULL"))
    rating: Mapped[Rating | None] = mapped_column(_enum(Rating))
    votes_high: Mapped[int | None]
    votes_satisfactory: Mapped[int | None]
    votes_unsatisfactory: Mapped[int | None]
    # The votes for the options of the other scales (RatingScale); each votes_ column is None when its option
    # is not on the scale of the report's vote.
    votes_good: Mapped[int | None]
    votes_medium: Mapped[int | None]
    votes_low: Mapped[int | None]
    rated_at: Mapped[datetime | None]


class ReviewVerdict(enum.StrEnum):
    APPROVE = "approve"  # approve for the bank
    REVISE = "revise"
    REJECT = "reject"


class MaterialReview(Base):
    """An expert review (cl. 3.1, 5): a member, not the author, asked by the chair to review one version."""

    __tablename__ = "material_reviews"
    __table_args__ = (UniqueConstraint("material_id", "version", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    asked_by: Mapped[int] = mapped_column(BigInteger)
    asked_at: Mapped[datetime]
    verdict: Mapped[ReviewVerdict | None] = mapped_column(_enum(ReviewVerdict))
    comment: Mapped[str | None] = mapped_column(String(1000))
    named: Mapped[bool] = mapped_column(Boolean, server_default=false())  # the author may see who reviewed
    given_at: Mapped[datetime | None]


class OperatorNotice(Base):
    """The operator's message to every chair (/notify_chairs): written at the preview, sent once by the Send
    press (a conditional update of sent_at, in the transaction that queues one post per chair)."""

    __tablename__ = "operator_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    chairs: Mapped[int | None]  # how many chairs it was queued for


class FsmRecord(Base):
    """aiogram FSM state kept in the database, so a half-finished registration survives a restart."""

    __tablename__ = "fsm_states"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]


__all__ = [
    "DECISION_CHOICES",
    "AgendaItem",
    "AssociationMember",
    "Attendance",
    "AuditAction",
    "AuditEntry",
    "AuditObject",
    "Ballot",
    "Base",
    "Choice",
    "Council",
    "CreativeGroupMember",
    "FollowUp",
    "FollowUpState",
    "FsmRecord",
    "GroupKind",
    "GroupLanguage",
    "GroupProposal",
    "GroupReport",
    "IssuedProtocol",
    "JobRun",
    "Material",
    "MaterialEvent",
    "MaterialKind",
    "MaterialReview",
    "MaterialState",
    "Meeting",
    "MeetingStatus",
    "Member",
    "MemberStatus",
    "OutboxMessage",
    "OutboxStatus",
    "OperatorNotice",
    "Outcome",
    "QuarantinedFile",
    "ProtocolPart",
    "Plan",
    "PlanEntry",
    "PlanState",
    "ProposalKind",
    "ProposalState",
    "Rating",
    "RatingScale",
    "ReviewVerdict",
    "Role",
    "RosterEntry",
    "SealedBallot",
    "SecretVoter",
    "TeacherGroup",
    "User",
    "Vote",
    "VoteKind",
    "WatchdogWarning",
]
