"""The meeting day's close (cl. 7.5): open votes frozen, the meeting numbered, its protocol issued and stored
as sent, and sent again later byte for byte. Beside bot/ops/voting.py; the protocol's rendering is
bot/ui/protocol.py."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.types import BufferedInputFile
from sqlalchemy.ext.asyncio import AsyncSession

from bot import rules
from bot.errors import KeneshError
from bot.i18n import lazy_gettext as __
from bot.ops import audit, effects, groups, reviews
from bot.ops.decisions import done_between
from bot.ops.effects import VoteKeys
from bot.ops.materials import decided_at_meeting
from bot.ops.meetings import meeting_view, open_meeting_of, voting_roster
from bot.ops.voting import close_open_votes, commit_closing, frozen_counts
from bot.ui import protocol
from db.models import Council, GroupLanguage, IssuedProtocol, Meeting, MeetingStatus
from db.repo import meeting_day as day_repo
from db.repo import meetings as meetings_repo
from db.repo import members as members_repo
from db.repo import referenced
from db.repo.outbox import Kind, enqueue

log = logging.getLogger(__name__)


async def close_meeting(
    session: AsyncSession,
    *,
    council: Council,
    user_id: int,
    keys: VoteKeys,
    now: datetime,
    tz: ZoneInfo,
    default_locale: str,
) -> Meeting:
    """`/close`: closes any open vote, ends the meeting and gives its protocol the next number of the year."""
    meeting = await open_meeting_of(session, council, now=now, tz=tz)
    await meeting_view(session, meeting.id, user_id)  # only the chair or the secretary
    await session.commit()  # the reads end here: the closing's transaction starts with its write
    return await _close(
        session, council, meeting, by_user=user_id, keys=keys, now=now, tz=tz, default_locale=default_locale
    )


async def close_meetings_left_open(
    session: AsyncSession, *, keys: VoteKeys, now: datetime, tz: ZoneInfo, default_locale: str
) -> list[Meeting]:
    """The daily check: a meeting still open after its day is closed, its open votes frozen, its protocol
    posted, saying it was closed automatically; the next meeting can then open."""
    today = now.astimezone(tz).date()
    left_open = [
        (meeting, await referenced(session, Council, meeting.council_id))
        for meeting in await meetings_repo.meetings_with_status(session, (MeetingStatus.OPEN,))
        if meeting.starts_at.astimezone(tz).date() < today
    ]
    await session.commit()  # the reads end here: each closing's transaction starts with its write
    closed = []
    for meeting, council in left_open:
        try:
            closed.append(
                await _close(
                    session, council, meeting, by_user=None, keys=keys, now=now, tz=tz, default_locale=default_locale
                )
            )
        except KeneshError:  # closed by the chair in the meantime
            continue
    return closed


async def _close(
    session: AsyncSession,
    council: Council,
    meeting: Meeting,
    *,
    by_user: int | None,
    keys: VoteKeys,
    now: datetime,
    tz: ZoneInfo,
    default_locale: str,
) -> Meeting:
    """One closing, whoever asks first: the chair and the secretary at once get one protocol, not two. Its
    open votes close as any vote does (bot/ops/voting.py's close_once), in the same transaction."""
    automatically = by_user is None
    if not await meetings_repo.set_meeting_status(  # the transaction's first write: a second /close finds it closed
        session,
        meeting.id,
        MeetingStatus.OPEN,
        MeetingStatus.CLOSED,
        closed_at=now,
        closed_automatically=automatically,
    ):
        await session.commit()  # nothing was written; ends the transaction
        raise KeneshError(__("This meeting is already closed."))
    await close_open_votes(session, meeting, keys=keys, by_user=by_user, now=now, default_locale=default_locale)
    meeting.school_year = rules.school_year_of(meeting.starts_at.astimezone(tz).date())
    meeting.protocol_number = await meetings_repo.max_protocol_number(session, council.id, meeting.school_year) + 1
    audit.record(
        session,
        council_id=council.id,
        actor_id=by_user,  # None: closed automatically by the daily check
        action=audit.AuditAction.MEETING_CLOSED,
        obj_kind=audit.AuditObject.MEETING,
        obj_id=meeting.id,
        after=meeting.protocol_number,
        now=now,
    )
    await session.flush()
    await decided_at_meeting(session, meeting, by_user or 0, now, default_locale)
    # What is issued is stored, and goes to the group through the outbox, in the transaction that closes it.
    issued = await issue_protocol(
        session, council, meeting.id, await protocol_data(session, meeting.id), tz=tz, now=now
    )
    for part in await day_repo.protocol_parts(session, meeting.id):
        enqueue(
            session,
            chat_id=council.chat_id,
            kind=Kind.PROTOCOL,
            now=now,
            council_id=council.id,
            ref_id=meeting.id,
            text=part.text,
        )
    enqueue(
        session,
        chat_id=council.chat_id,
        kind=Kind.PROTOCOL_DOC,
        now=now,
        council_id=council.id,
        ref_id=meeting.id,
        document=issued.document,
        filename=issued.filename,
    )
    if not automatically:  # the chair's /close: the final counts are on the group's messages at once
        for vote in await day_repo.meeting_votes(session, meeting.id):
            effects.tally_changed(session, effects.VOTE, vote.id)
    # The attendance message says the meeting is closed, with its final count, and loses its button.
    effects.tally_changed(session, effects.ATTENDANCE, meeting.id, now=True)
    await commit_closing(session, keys)  # with the keys of its secret ballots dropped after the commit
    log.info(
        "Council %s: meeting %s closed%s, protocol No. %s",
        council.id,
        meeting.id,
        " automatically" if automatically else "",
        meeting.protocol_number,
    )
    return meeting


async def issue_protocol(
    session: AsyncSession,
    council: Council,
    meeting_id: int,
    data: protocol.ProtocolData,
    *,
    tz: ZoneInfo,
    now: datetime,
) -> IssuedProtocol:
    """The protocol as issued: its HTML parts in each language the group reads, and the .docx with its
    SHA-256. Every later send sends these, so a renamed member or a new translation never changes it."""
    document = protocol.protocol_docx(data, tz, council.group_language)
    return await day_repo.add_issued_protocol(
        session,
        meeting_id,
        parts=protocol.issued_parts(data, tz, council.group_language),
        filename=protocol.protocol_filename(data),
        document=document,
        sha256=hashlib.sha256(document).hexdigest(),
        now=now,
    )


@dataclass(frozen=True)
class IssuedCopy:
    """What to send someone who asks for a protocol again: the stored parts and document, unchanged."""

    parts: list[str]
    filename: str
    document: bytes


async def issued_copy(session: AsyncSession, meeting_id: int, locale: str) -> IssuedCopy | None:
    """The issued protocol in the reader's language when it was issued in it, else every issued part."""
    issued = await day_repo.issued_protocol(session, meeting_id)
    if issued is None:
        return None  # closed before protocols were kept as issued
    parts = list(await day_repo.protocol_parts(session, meeting_id))
    mine = [p.text for p in parts if p.locale == locale]
    return IssuedCopy(mine or [p.text for p in parts], issued.filename, issued.document)


async def protocol_copy(session: AsyncSession, meeting_id: int, locale: str, tz: ZoneInfo) -> IssuedCopy:
    """A protocol again, to someone who asks privately: exactly what was issued at the close (the parts in
    the reader's language when it was issued in it), and the same .docx bytes. A meeting closed before
    protocols were kept as issued is rendered again, in the reader's language."""
    copy = await issued_copy(session, meeting_id, locale)
    if copy is not None:
        return copy
    data = await protocol_data(session, meeting_id)
    language = GroupLanguage(locale)
    return IssuedCopy(
        protocol.protocol_messages(data, tz, language),
        protocol.protocol_filename(data),
        protocol.protocol_docx(data, tz, language),
    )


async def send_protocol(
    bot: Bot, session: AsyncSession, meeting_id: int, chat_id: int, locale: str, tz: ZoneInfo
) -> None:
    """Sends a protocol again to someone who asked privately: the copy `protocol_copy` gives, its parts in
    order, then the .docx."""
    copy = await protocol_copy(session, meeting_id, locale, tz)
    for part in copy.parts:
        await bot.send_message(chat_id, part)
    await bot.send_document(chat_id, BufferedInputFile(copy.document, filename=copy.filename))


async def protocol_data(session: AsyncSession, meeting_id: int) -> protocol.ProtocolData:
    view = await meeting_view(session, meeting_id)
    meeting, council = view.meeting, view.council
    closed_at, school_year = meeting.closed_at, meeting.school_year  # set with the number, at the close
    if meeting.status is not MeetingStatus.CLOSED or meeting.protocol_number is None:
        raise KeneshError(__("This meeting has no protocol yet."))
    if closed_at is None or school_year is None:
        raise ValueError(f"Meeting {meeting.id} has a protocol number but no close time or school year")
    members = await members_repo.approved_members(session, council.id)
    present_ids = await day_repo.present_member_ids(session, meeting.id)
    voting = await voting_roster(session, meeting)  # frozen at /open: present and absent are of this list
    by_user = {m.user_id: voting.get(m.id, m.full_name) for m in members}
    decisions = []
    for vote in await day_repo.meeting_votes(session, meeting.id):
        if (outcome := vote.outcome) is None:  # every vote closes with its meeting, at the latest
            raise ValueError(f"Vote {vote.id} of closed meeting {meeting.id} has no outcome")
        names: dict[str, list[str]] = {}
        if not vote.secret:
            for choice, name in await day_repo.open_ballots(session, vote.id):
                names.setdefault(choice.value, []).append(name)
        rating, tally = groups.rating_in_protocol(vote, names)
        decisions.append(
            protocol.Decision(
                vote.item_position,
                vote.decision,
                vote.secret,
                frozen_counts(vote),
                outcome,
                vote.present_total or 0,
                vote.members_total or 0,
                names,
                rating,
                tally,
            )
        )
    ordered = sorted(voting.items(), key=lambda entry: entry[1])
    return protocol.ProtocolData(
        council_title=council.title,
        school=council.school_name,
        number=meeting.protocol_number,
        school_year=school_year,
        starts_at=meeting.starts_at,
        place=meeting.place,
        chair=by_user.get(council.chair_id, "—"),
        secretary=by_user.get(council.secretary_id) if council.secretary_id else None,
        members_total=len(voting),
        present=[name for member_id, name in ordered if member_id in present_ids],
        absent=[name for member_id, name in ordered if member_id not in present_ids],
        participants=[m.full_name for m in members if m.id not in voting and m.id in present_ids],
        items=[(item.position, item.title, item.reporter) for item in view.items],
        decisions=decisions,
        heard={item.position: item.heard for item in view.items if item.heard},
        closed_automatically=meeting.closed_automatically,
        done=await done_since_previous(session, meeting, closed_at),
        founding=(council.founding_protocol, council.founded_on)
        if council.founding_protocol and council.founded_on
        else None,
        chair_order=(council.chair_order_number, council.chair_order_date)
        if council.chair_order_number and council.chair_order_date
        else None,
        groups=await groups.protocol_groups(session, council.id, voting),
        reviews=reviews.protocol_notes(view.reviews),
        item_titles={item.position: item.titles for item in view.items if item.titles},
    )


async def done_since_previous(
    session: AsyncSession, meeting: Meeting, closed_at: datetime
) -> list[tuple[int | None, str, str, str | None]]:
    """Decisions reported done between the previous meeting's close and this one's, at `closed_at` (cl. 7.6)."""
    closed = await meetings_repo.council_meetings(session, meeting.council_id, (MeetingStatus.CLOSED,))
    before = [m.closed_at for m in closed if m.closed_at and m.id != meeting.id and m.closed_at < closed_at]
    views = await done_between(session, meeting.council_id, max(before, default=None), closed_at)
    return [
        (
            v.meeting.protocol_number,
            v.vote.decision,
            v.member.full_name,
            v.follow_up.report or v.follow_up.report_file_name,
        )
        for v in views
    ]
