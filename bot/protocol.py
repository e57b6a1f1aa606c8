"""The protocol (cl. 7.5): closing a meeting numbers it; the protocol as data, as HTML messages, as .docx."""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit, rules
from bot.errors import KeneshError
from bot.i18n import fmt_datetime, in_locale
from bot.meeting_texts import counts_text
from bot.meetings import meeting_view, open_meeting_of, voting_roster
from bot.rendering import esc, split_blocks
from bot.rules import Counts
from bot.voting import close_open_votes, forget_on_disk, frozen_counts
from db.models import Council, GroupLanguage, IssuedProtocol, Meeting, MeetingStatus, Outcome, ProtocolPart
from db.repo import councils as councils_repo
from db.repo import meeting_day as day_repo
from db.repo import meetings as meetings_repo
from db.repo import members as members_repo
from db.repo.outbox import Kind, enqueue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decision:
    item_position: int | None
    text: str
    secret: bool
    counts: Counts
    outcome: Outcome
    present: int
    members: int
    names: dict[str, list[str]] = field(default_factory=dict)  # open votes: choice -> names


@dataclass(frozen=True)
class ProtocolData:
    council_title: str
    number: int
    school_year: int
    starts_at: datetime
    place: str | None
    chair: str
    secretary: str | None
    members_total: int
    present: list[str]
    absent: list[str]
    participants: list[str]
    items: list[tuple[int, str, str | None]]
    decisions: list[Decision]
    heard: dict[int, str] = field(default_factory=dict)  # item position -> who reported (/heard)
    closed_automatically: bool = False
    # cl. 7.6: decisions reported done since the previous meeting: (protocol number, text, responsible, report)
    done: list[tuple[int | None, str, str, str | None]] = field(default_factory=list)

    @property
    def quorum(self) -> bool:
        return rules.quorum_met(len(self.present), self.members_total)


async def close_meeting(
    session: AsyncSession, *, council: Council, user_id: int, now: datetime, tz: ZoneInfo, default_locale: str
) -> Meeting:
    """`/close`: closes any open vote, ends the meeting and gives its protocol the next number of the year."""
    meeting = await open_meeting_of(session, council)
    await meeting_view(session, meeting.id, user_id)  # only the chair or the secretary
    return await _close(session, council, meeting, by_user=user_id, now=now, tz=tz, default_locale=default_locale)


async def close_meetings_left_open(
    session: AsyncSession, *, now: datetime, tz: ZoneInfo, default_locale: str
) -> list[Meeting]:
    """The daily check: a meeting still open after its day is closed, its open votes frozen, its protocol
    posted, saying it was closed automatically; the next meeting can then open."""
    today = now.astimezone(tz).date()
    closed = []
    for meeting in await meetings_repo.meetings_with_status(session, (MeetingStatus.OPEN,)):
        if meeting.starts_at.astimezone(tz).date() >= today:
            continue
        council = await councils_repo.get_council(session, meeting.council_id)
        try:
            closed.append(
                await _close(session, council, meeting, by_user=None, now=now, tz=tz, default_locale=default_locale)
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
    now: datetime,
    tz: ZoneInfo,
    default_locale: str,
) -> Meeting:
    """One closing, whoever asks first: the chair and the secretary at once get one protocol, not two."""
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
    closed_votes = await close_open_votes(session, meeting, now)
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
    from bot.materials import decided_at_meeting  # materials import meetings; keep the graph one-way at load

    await decided_at_meeting(session, meeting, by_user or 0, now, default_locale)
    # What is issued is stored, and goes to the group through the outbox, in the transaction that closes it.
    await issue_protocol(session, council, meeting.id, await protocol_data(session, meeting.id), tz=tz, now=now)
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
    issued = await day_repo.issued_protocol(session, meeting.id)
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
    await session.commit()
    if any(vote.secret for vote in closed_votes):
        await forget_on_disk(session)
    log.info(
        "Council %s: meeting %s closed%s, protocol No. %s",
        council.id,
        meeting.id,
        " automatically" if automatically else "",
        meeting.protocol_number,
    )
    return meeting


async def issue_protocol(
    session: AsyncSession, council: Council, meeting_id: int, data: ProtocolData, *, tz: ZoneInfo, now: datetime
) -> IssuedProtocol:
    """The protocol as issued: its HTML parts in each language the group reads, and the .docx with its
    SHA-256. Every later send sends these, so a renamed member or a new translation never changes it."""
    for locale in _locales(council.group_language):
        for position, text in enumerate(protocol_messages(data, tz, GroupLanguage(locale)), 1):
            session.add(ProtocolPart(meeting_id=meeting_id, locale=locale, position=position, text=text))
    document = protocol_docx(data, tz, council.group_language)
    issued = IssuedProtocol(
        meeting_id=meeting_id,
        filename=protocol_filename(data),
        document=document,
        sha256=hashlib.sha256(document).hexdigest(),
        issued_at=now,
    )
    session.add(issued)
    await session.flush()
    return issued


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


async def protocol_data(session: AsyncSession, meeting_id: int) -> ProtocolData:
    view = await meeting_view(session, meeting_id)
    meeting, council = view.meeting, view.council
    if meeting.status is not MeetingStatus.CLOSED or meeting.protocol_number is None:
        raise KeneshError(__("This meeting has no protocol yet."))
    members = await members_repo.approved_members(session, council.id)
    present_ids = await day_repo.present_member_ids(session, meeting.id)
    voting = await voting_roster(session, meeting)  # frozen at /open: present and absent are of this list
    by_user = {m.user_id: voting.get(m.id, m.full_name) for m in members}
    decisions = []
    for vote in await day_repo.meeting_votes(session, meeting.id):
        names: dict[str, list[str]] = {}
        if not vote.secret:
            for choice, name in await day_repo.open_ballots(session, vote.id):
                names.setdefault(choice.value, []).append(name)
        decisions.append(
            Decision(
                vote.item_position,
                vote.decision,
                vote.secret,
                frozen_counts(vote),
                vote.outcome,
                vote.present_total or 0,
                vote.members_total or 0,
                names,
            )
        )
    ordered = sorted(voting.items(), key=lambda entry: entry[1])
    return ProtocolData(
        council_title=council.title,
        number=meeting.protocol_number,
        school_year=meeting.school_year,
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
        done=await done_since_previous(session, meeting),
    )


async def done_since_previous(session: AsyncSession, meeting: Meeting) -> list[tuple[int | None, str, str, str | None]]:
    """Decisions reported done between the previous meeting's close and this one's (cl. 7.6)."""
    from bot.decisions import done_between

    closed = await meetings_repo.council_meetings(session, meeting.council_id, (MeetingStatus.CLOSED,))
    before = [m.closed_at for m in closed if m.closed_at and m.id != meeting.id and m.closed_at < meeting.closed_at]
    views = await done_between(session, meeting.council_id, max(before, default=None), meeting.closed_at)
    return [
        (
            v.meeting.protocol_number,
            v.vote.decision,
            v.member.full_name,
            v.follow_up.report or v.follow_up.report_file_name,
        )
        for v in views
    ]


# --- rendering (pure; in the current locale) ---------------------------------------------------------------


def _lines(data: ProtocolData, tz: ZoneInfo) -> list[tuple[str, str]]:
    """The protocol as (style, text) lines; style is title, heading, space, text or sign. Text is plain."""
    lines = [
        (
            "title",
            _("PROTOCOL No. {number} of the meeting of the methodical council «{title}»").format(
                number=data.number, title=data.council_title
            ),
        ),
        ("text", _("Date: {when}").format(when=fmt_datetime(data.starts_at, tz))),
    ]
    if data.place:
        lines.append(("text", _("Place: {place}").format(place=data.place)))
    lines.append(("text", _("Chair: {name}").format(name=data.chair)))
    if data.secretary:
        lines.append(("text", _("Secretary: {name}").format(name=data.secretary)))
    lines.append(
        (
            "text",
            _("Present: {present} of {total} members: {names}").format(
                present=len(data.present), total=data.members_total, names=", ".join(data.present) or "—"
            ),
        )
    )
    if data.absent:
        lines.append(("text", _("Absent: {names}").format(names=", ".join(data.absent))))
    if data.participants:
        lines.append(("text", _("Participants without a vote: {names}").format(names=", ".join(data.participants))))
    needed = rules.quorum_needed(data.members_total)
    lines.append(
        (
            "text",
            (
                _("Quorum: present (at least {needed} needed)")
                if data.quorum
                else _("No quorum (at least {needed} needed)")
            ).format(needed=needed),
        )
    )
    lines.append(("heading", _("Agenda")))
    for position, title, reporter in data.items:
        lines.append(("text", f"{position}. {title}" + (f" — {reporter}" if reporter else "")))
    for position, title, reporter in data.items:
        lines.append(("heading", f"{position}. {title}"))
        heard = data.heard.get(position) or reporter
        if heard:
            lines.append(("text", _("Heard: {name}").format(name=heard)))
        item_decisions = [d for d in data.decisions if d.item_position == position]
        if not item_decisions:
            lines.append(("text", _("No decision was put to the vote.")))
        lines.extend(_decision_lines(item_decisions))
    other = [d for d in data.decisions if d.item_position is None]
    if other:
        lines.append(("heading", _("Other decisions")))
        lines.extend(_decision_lines(other))
    if data.closed_automatically:
        lines.append(
            ("text", _("The meeting was not closed by the chair: it was closed automatically at the end of the day."))
        )
    lines.extend(_done_lines(data))
    lines.append(("space", ""))
    lines.append(("sign", _("Chair: ____________ {name}").format(name=data.chair)))
    lines.append(("sign", _("Secretary: ____________ {name}").format(name=data.secretary or "")))
    return lines


def _done_lines(data: ProtocolData) -> list[tuple[str, str]]:
    """The separate block of decisions carried out since the previous meeting."""
    if not data.done:
        return []
    lines = [("heading", _("Carrying out of decisions"))]
    for number, text, name, report in data.done:
        source = _("Protocol No. {number}").format(number=number) if number else "—"
        line = _("{source}: {text} — carried out by {name}").format(source=source, text=text, name=name)
        lines.append(("text", line + (f". {report}" if report else "")))
    return lines


def _decision_lines(decisions: list[Decision]) -> list[tuple[str, str]]:
    lines = []
    for decision in decisions:
        lines.append(("text", _("Decided: {text}").format(text=decision.text)))
        kind = _("Secret ballot") if decision.secret else _("Vote")
        # One sentence per outcome, so the result starts with a capital and no colon follows a colon.
        result = {
            Outcome.ADOPTED: _("{kind}: {counts}. Adopted."),
            Outcome.NOT_ADOPTED: _("{kind}: {counts}. Not adopted."),
            Outcome.NO_QUORUM: _("{kind}: {counts}. No quorum, so the decision is not valid."),
            Outcome.NO_VOTES: _("{kind}: no votes were cast, so no decision was taken."),
        }[decision.outcome]
        lines.append(("text", result.format(kind=kind, counts=counts_text(decision.counts))))
    return lines


def protocol_messages(data: ProtocolData, tz: ZoneInfo, language: GroupLanguage) -> list[str]:
    """The protocol as HTML messages for the group, each under 4096 characters, cut between lines."""
    blocks: list[str] = []
    for locale in _locales(language):
        for style, text in in_locale(locale, lambda: _lines(data, tz)):
            if style == "title":
                blocks.append(f"<b>{esc(text)}</b>")
            elif style == "heading":
                blocks.append(f"\n<b>{esc(text)}</b>")
            else:
                blocks.append(esc(text))
        blocks.append("")
    return split_blocks(blocks)


def _locales(language: GroupLanguage) -> tuple[str, ...]:
    language = GroupLanguage(language)
    return ("ky", "ru") if language is GroupLanguage.BOTH else (language.value,)


def protocol_docx(data: ProtocolData, tz: ZoneInfo, language: GroupLanguage) -> bytes:
    """A .docx the school prints and signs: one protocol per language, Kyrgyz first."""
    # python-docx (and lxml) cost ~10 MB resident: loaded at the first close, not by every idle bot.
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    for index, locale in enumerate(_locales(language)):
        if index:
            document.add_page_break()
        for kind, text in in_locale(locale, lambda: _lines(data, tz)):
            if kind == "title":
                paragraph = document.add_paragraph()
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                paragraph.add_run(text).bold = True
            elif kind == "heading":
                paragraph = document.add_paragraph()
                paragraph.add_run(text).bold = True
            else:
                document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def protocol_filename(data: ProtocolData) -> str:
    return f"protocol_{data.school_year}-{data.school_year + 1}_{data.number:02d}.docx"
