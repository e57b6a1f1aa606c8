"""The meeting day: attendance, the roster frozen at /open, votes and ballots, the issued protocol."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, case, delete, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql.dml import Insert as PgInsert
    from sqlalchemy.dialects.sqlite.dml import Insert as SqliteInsert

from db.models import (
    Attendance,
    Ballot,
    Choice,
    Council,
    IssuedProtocol,
    Meeting,
    Member,
    MemberStatus,
    ProtocolPart,
    RosterEntry,
    SealedBallot,
    SecretVoter,
    User,
    Vote,
)
from db.repo import rows_changed
from db.repo.councils import not_paused


async def present_member_ids(session: AsyncSession, meeting_id: int) -> set[int]:
    return set((await session.scalars(select(Attendance.member_id).where(Attendance.meeting_id == meeting_id))).all())


async def attendance_of(session: AsyncSession, meeting_id: int, member_id: int) -> Attendance | None:
    return await session.scalar(
        select(Attendance).where(Attendance.meeting_id == meeting_id, Attendance.member_id == member_id)
    )


async def get_vote(session: AsyncSession, vote_id: int) -> Vote | None:
    return await session.get(Vote, vote_id)


async def meeting_votes(session: AsyncSession, meeting_id: int) -> Sequence[Vote]:
    return (await session.scalars(select(Vote).where(Vote.meeting_id == meeting_id).order_by(Vote.id))).all()


async def open_votes(session: AsyncSession, meeting_id: int) -> Sequence[Vote]:
    return (await session.scalars(select(Vote).where(Vote.meeting_id == meeting_id, Vote.is_open.is_(True)))).all()


@dataclass(frozen=True)
class TimedVote:
    id: int
    closes_at: datetime
    nudged: bool


def _vote_not_held() -> ColumnElement[bool]:
    """The vote's council is not paused: a paused council's vote timers are held (the vote stays open)."""
    return not_paused(select(Meeting.council_id).where(Meeting.id == Vote.meeting_id).scalar_subquery())


async def timed_votes(session: AsyncSession) -> list[TimedVote]:
    """Open votes the chair set to close on time, but a paused council's (held until it is resumed)."""
    votes = await session.scalars(
        select(Vote).where(Vote.is_open.is_(True), Vote.closes_at.is_not(None), _vote_not_held())
    )
    return [TimedVote(vote.id, vote.closes_at, vote.nudged) for vote in votes if vote.closes_at is not None]


def _counted(vote_id: int) -> Select[Ballot]:
    """Ballots that count: of members on the meeting's frozen roster who are marked present."""
    return (
        select(Ballot)
        .join(Vote, Vote.id == Ballot.vote_id)
        .join(RosterEntry, (RosterEntry.meeting_id == Vote.meeting_id) & (RosterEntry.member_id == Ballot.member_id))
        .join(Attendance, (Attendance.meeting_id == Vote.meeting_id) & (Attendance.member_id == Ballot.member_id))
        .where(Ballot.vote_id == vote_id)
    )


async def ballot_counts(session: AsyncSession, vote_id: int) -> dict[Choice, int]:
    counted = _counted(vote_id).subquery()
    rows = await session.execute(select(counted.c.choice, func.count()).group_by(counted.c.choice))
    return {choice: count for choice, count in rows.all()}


async def open_ballots(session: AsyncSession, vote_id: int) -> Sequence[tuple[Choice, str]]:
    """(choice, member name) of an open (not secret) vote, for showing names next to choices."""
    rows = await session.execute(
        _counted(vote_id).with_only_columns(Ballot.choice, RosterEntry.full_name).order_by(RosterEntry.full_name)
    )
    return [(choice, name) for choice, name in rows.all()]


async def secret_voter_count(session: AsyncSession, vote_id: int) -> int:
    """How many have voted in a secret ballot, of those who count: on the meeting's roster and marked present."""
    counted = (
        select(func.count())
        .select_from(SecretVoter)
        .join(Vote, Vote.id == SecretVoter.vote_id)
        .join(
            RosterEntry, (RosterEntry.meeting_id == Vote.meeting_id) & (RosterEntry.member_id == SecretVoter.member_id)
        )
        .join(Attendance, (Attendance.meeting_id == Vote.meeting_id) & (Attendance.member_id == SecretVoter.member_id))
        .where(SecretVoter.vote_id == vote_id)
    )
    return int(await session.scalar(counted) or 0)


async def secret_voter_ids(session: AsyncSession, vote_id: int) -> list[int]:
    """Who has voted in a secret ballot, by member id."""
    rows = await session.scalars(select(SecretVoter.member_id).where(SecretVoter.vote_id == vote_id))
    return sorted(rows.all())


async def counting_members(session: AsyncSession, vote_id: int) -> dict[int, int]:
    """Telegram user id -> member id of those whose ballot counts at this moment: on the meeting's roster
    and marked present."""
    rows = await session.execute(
        select(Member.user_id, Member.id)
        .join(Meeting, Meeting.council_id == Member.council_id)
        .join(Vote, Vote.meeting_id == Meeting.id)
        .join(RosterEntry, (RosterEntry.meeting_id == Meeting.id) & (RosterEntry.member_id == Member.id))
        .join(Attendance, (Attendance.meeting_id == Meeting.id) & (Attendance.member_id == Member.id))
        .where(Vote.id == vote_id)
    )
    return {user_id: member_id for user_id, member_id in rows.all()}


async def sealed_ballots(session: AsyncSession, vote_id: int, tokens: list[bytes] | None = None) -> dict[bytes, bytes]:
    """token -> sealed ballot of a secret vote (only these tokens, when given)."""
    query = select(SealedBallot.token, SealedBallot.sealed).where(SealedBallot.vote_id == vote_id)
    if tokens is not None:
        query = query.where(SealedBallot.token.in_(tokens))
    return {token: sealed for token, sealed in (await session.execute(query)).all()}


async def forget_ballots(session: AsyncSession, vote_id: int, voter_ids: list[int]) -> None:
    """A secret ballot at its close: no sealed (or plain) ballot left, and who voted written again, in member
    order, so the rows say nothing of the order in which they voted."""
    await session.execute(delete(SealedBallot).where(SealedBallot.vote_id == vote_id))
    await session.execute(delete(Ballot).where(Ballot.vote_id == vote_id))  # a vote opened before 0010
    await session.execute(delete(SecretVoter).where(SecretVoter.vote_id == vote_id))
    session.add_all(SecretVoter(vote_id=vote_id, member_id=member_id) for member_id in sorted(set(voter_ids)))
    await session.flush()


async def close_vote_if_open(session: AsyncSession, vote_id: int, now: datetime, *, due: bool = False) -> bool:
    """The one closing of a vote: False when another closing came first (the database is the judge).
    `due`: only when its deadline (the chair's "close in N minutes") has come by `now`, and its council is not
    paused (the timer is held: the vote stays open until the council is resumed)."""
    still_open = [Vote.id == vote_id, Vote.is_open.is_(True)]
    if due:
        still_open += [Vote.closes_at.is_not(None), Vote.closes_at <= now, _vote_not_held()]
    result = await session.execute(update(Vote).where(*still_open).values(is_open=False, closed_at=now))
    return bool(rows_changed(result))


async def secret_votes_among(session: AsyncSession, vote_ids: list[int]) -> set[int]:
    """Which of these votes are secret ballots."""
    return set(await session.scalars(select(Vote.id).where(Vote.id.in_(vote_ids), Vote.secret.is_(True))))


async def open_secret_votes(session: AsyncSession) -> Sequence[Vote]:
    """Every secret ballot open now, of every council."""
    return (await session.scalars(select(Vote).where(Vote.is_open.is_(True), Vote.secret.is_(True)))).all()


async def roster(session: AsyncSession, meeting_id: int) -> Sequence[RosterEntry]:
    return (
        await session.scalars(
            select(RosterEntry).where(RosterEntry.meeting_id == meeting_id).order_by(RosterEntry.full_name)
        )
    ).all()


async def issued_protocol(session: AsyncSession, meeting_id: int) -> IssuedProtocol | None:
    return await session.get(IssuedProtocol, meeting_id)


async def protocol_parts(session: AsyncSession, meeting_id: int) -> Sequence[ProtocolPart]:
    return (
        await session.scalars(
            select(ProtocolPart).where(ProtocolPart.meeting_id == meeting_id).order_by(ProtocolPart.id)
        )
    ).all()


async def forget_attendance(session: AsyncSession, meeting_id: int) -> None:
    """A meeting put back as before /open: no roster, no marks."""
    await session.execute(delete(RosterEntry).where(RosterEntry.meeting_id == meeting_id))
    await session.execute(delete(Attendance).where(Attendance.meeting_id == meeting_id))


async def drop_unposted_vote(session: AsyncSession, vote_id: int) -> bool:
    """The vote goes if its message was never posted: True when it went."""
    dropped = await session.execute(delete(Vote).where(Vote.id == vote_id, Vote.message_id.is_(None)))
    return bool(rows_changed(dropped))


async def voter_ids(session: AsyncSession, vote: Vote) -> set[int]:
    """Who has voted (a secret ballot keeps this list apart from the sealed choices)."""
    if vote.secret:
        return set(await session.scalars(select(SecretVoter.member_id).where(SecretVoter.vote_id == vote.id)))
    ballots = await session.scalars(select(Ballot.member_id).where(Ballot.vote_id == vote.id))
    return {member_id for member_id in ballots if member_id is not None}  # the column allows NULL; no ballot has it


async def claim_nudge(session: AsyncSession, vote_id: int) -> bool:
    """The one reminder before a timed vote closes: False when the vote closed or was nudged already, or its
    council is paused (held: the timer is planned again when it is resumed)."""
    claimed = await session.execute(
        update(Vote)
        .where(Vote.id == vote_id, Vote.is_open.is_(True), Vote.nudged.is_(False), _vote_not_held())
        .values(nudged=True)
        .execution_options(synchronize_session=False)
    )
    return bool(rows_changed(claimed))


async def add_issued_protocol(
    session: AsyncSession,
    meeting_id: int,
    *,
    parts: list[tuple[str, int, str]],
    filename: str,
    document: bytes,
    sha256: str,
    now: datetime,
) -> IssuedProtocol:
    """The protocol as issued at the close: its parts (locale, position, text) and its .docx."""
    session.add_all(
        ProtocolPart(meeting_id=meeting_id, locale=locale, position=position, text=text)
        for locale, position, text in parts
    )
    issued = IssuedProtocol(meeting_id=meeting_id, filename=filename, document=document, sha256=sha256, issued_at=now)
    session.add(issued)
    await session.flush()
    return issued


def _insert(dialect: str, table: type[Ballot] | type[SealedBallot] | type[SecretVoter]) -> PgInsert | SqliteInsert:
    """An INSERT that can turn into an upsert, in this database's dialect; imported here, so a SQLite
    deployment never loads PostgreSQL's dialect (1.7 MB resident)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def _may_vote(vote_id: int, user_ids: list[int]) -> Select[int, int]:
    """(vote id, member id) of those of `user_ids` who may vote in it now: members of its council on the
    meeting's roster, marked present, while it is open and its council is not paused. On PostgreSQL the vote's
    row is share-locked, so a closing counts what is written with this or the writing finds it closed."""
    return (
        select(Vote.id, Member.id)
        .join(Meeting, Meeting.id == Vote.meeting_id)
        .join(Member, (Member.council_id == Meeting.council_id) & Member.user_id.in_(user_ids))
        .join(RosterEntry, (RosterEntry.meeting_id == Meeting.id) & (RosterEntry.member_id == Member.id))
        .join(Attendance, (Attendance.meeting_id == Meeting.id) & (Attendance.member_id == Member.id))
        .where(Vote.id == vote_id, Vote.is_open.is_(True), not_paused(Meeting.council_id))
        .with_for_update(read=True, of=Vote)
    )


async def store_ballots(session: AsyncSession, vote_id: int, choices: dict[int, Choice], now: datetime) -> set[int]:
    """Many presses of one vote (Telegram user id -> choice) in one statement, the database judging each:
    a ballot is written, or changed to the new choice, only for a member on the meeting's roster, marked
    present, while the vote is open; one per member (the unique constraint). On PostgreSQL the vote's row is
    share-locked, so a closing counts these ballots or they find it closed.
    Returns the member ids whose ballot was written; a press of the same choice again writes nothing."""
    choice = case(
        {user_id: literal(value, Ballot.choice.type) for user_id, value in choices.items()}, value=Member.user_id
    )
    source = _may_vote(vote_id, list(choices)).add_columns(choice, literal(now, Ballot.cast_at.type))
    written = _insert(session.get_bind().dialect.name, Ballot).from_select(
        [Ballot.vote_id, Ballot.member_id, Ballot.choice, Ballot.cast_at], source
    )
    upsert = written.on_conflict_do_update(
        index_elements=[Ballot.vote_id, Ballot.member_id],
        set_={"choice": written.excluded.choice, "cast_at": written.excluded.cast_at},
        where=Ballot.choice != written.excluded.choice,
    ).returning(Ballot.member_id)
    stored = (await session.execute(upsert)).scalars()
    return {member_id for member_id in stored if member_id is not None}  # the column allows NULL; these have one


async def mark_secret_voters(session: AsyncSession, vote_id: int, user_ids: list[int]) -> None:
    """A secret ballot's presses: who has voted, for those who may (a member's second press adds nothing).
    The batch's first write: written in the same transaction as the sealed ballots, it may be tied to them,
    and that tells nothing, since they cannot be read."""
    marked = _insert(session.get_bind().dialect.name, SecretVoter).from_select(
        [SecretVoter.vote_id, SecretVoter.member_id], _may_vote(vote_id, user_ids)
    )
    await session.execute(marked.on_conflict_do_nothing(index_elements=[SecretVoter.vote_id, SecretVoter.member_id]))


async def store_sealed_ballots(
    session: AsyncSession, vote_id: int, sealed: dict[int, tuple[bytes, bytes]]
) -> set[bytes]:
    """A secret ballot's presses (Telegram user id -> (token, sealed ballot)) in one statement, the database
    judging each as for an open vote; a member's new sealed ballot replaces the one under their token.
    Returns the tokens written."""
    token = case(
        {user_id: literal(pair[0], SealedBallot.token.type) for user_id, pair in sealed.items()}, value=Member.user_id
    )
    box = case(
        {user_id: literal(pair[1], SealedBallot.sealed.type) for user_id, pair in sealed.items()}, value=Member.user_id
    )
    source = _may_vote(vote_id, list(sealed)).with_only_columns(Vote.id, token, box)
    written = _insert(session.get_bind().dialect.name, SealedBallot).from_select(
        [SealedBallot.vote_id, SealedBallot.token, SealedBallot.sealed], source
    )
    upsert = written.on_conflict_do_update(
        index_elements=[SealedBallot.vote_id, SealedBallot.token], set_={"sealed": written.excluded.sealed}
    ).returning(SealedBallot.token)
    return set((await session.execute(upsert)).scalars())


@dataclass(frozen=True)
class Voter:
    """A member pressing a vote button, as the answer to the press needs them."""

    member_id: int
    language: str | None
    approved: bool
    votes: bool  # their role has a vote (cl. 4.3)
    on_roster: bool
    present: bool
    choice: Choice | None  # their ballot now (an open vote's)
    voted: bool = False  # a secret ballot's: they have voted (their choice is sealed, never read here)


async def voters(
    session: AsyncSession, vote_id: int, user_ids: list[int], *, secret: bool = False
) -> tuple[bool | None, dict[int, Voter], bool]:
    """Whether the vote is open (None: no such vote), by Telegram user id those of `user_ids` who are members
    of its council, and whether the council is paused (no ballot is taken then): one query for a whole batch
    of presses. `secret`: a secret ballot, where who has voted is known and the choice is not."""
    ballot: Any  # the column that says "has voted": who (secret) or the choice (open)
    if secret:
        ballot, found_ballot = (
            SecretVoter.member_id,
            (SecretVoter.vote_id == Vote.id) & (SecretVoter.member_id == Member.id),
        )
    else:
        ballot, found_ballot = Ballot.choice, (Ballot.vote_id == Vote.id) & (Ballot.member_id == Member.id)
    rows = (
        await session.execute(
            select(
                Vote.is_open,
                Council.paused_at,
                Member.user_id,
                Member.id,
                User.language,
                Member.status,
                Member.role,
                RosterEntry.member_id,
                Attendance.id,
                ballot,
            )
            .join(Meeting, Meeting.id == Vote.meeting_id)
            .join(Council, Council.id == Meeting.council_id)
            .outerjoin(Member, (Member.council_id == Meeting.council_id) & Member.user_id.in_(user_ids))
            .outerjoin(User, User.id == Member.user_id)
            .outerjoin(RosterEntry, (RosterEntry.meeting_id == Meeting.id) & (RosterEntry.member_id == Member.id))
            .outerjoin(Attendance, (Attendance.meeting_id == Meeting.id) & (Attendance.member_id == Member.id))
            .outerjoin(SecretVoter if secret else Ballot, found_ballot)
            .where(Vote.id == vote_id)
        )
    ).all()
    if not rows:
        return None, {}, False
    found = {}
    for _open, _paused, user_id, member_id, language, status, role, roster_member, attendance_id, held in rows:
        if user_id is not None:
            found[user_id] = Voter(
                member_id,
                language,
                status is MemberStatus.APPROVED,
                role.votes,
                roster_member is not None,
                attendance_id is not None,
                None if secret else held,
                secret and held is not None,
            )
    return rows[0][0], found, rows[0][1] is not None
