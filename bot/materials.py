"""Methodical materials (cl. 3.1): teachers submit files, the council reviews them, approved ones form the
bank of pedagogical ideas. Files are kept in the school's own archive under names the bot makes."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit, keyboards, notices, rules, texts
from bot.errors import KeneshError
from bot.outbox import Kind
from bot.rendering import esc
from db import repo
from db.models import (
    AgendaItem,
    Council,
    Material,
    MaterialEvent,
    MaterialKind,
    MaterialState,
    Meeting,
    MeetingStatus,
    Member,
    MemberStatus,
    Outcome,
)

log = logging.getLogger(__name__)

ACCEPTED = {
    "pdf",
    "doc",
    "docx",
    "odt",
    "ppt",
    "pptx",
    "odp",
    "xls",
    "xlsx",
    "ods",
    "txt",
    "rtf",
    "zip",
    "jpg",
    "jpeg",
    "png",
}
MAX_TITLE, MAX_SUBJECT, MAX_DESCRIPTION, MAX_COMMENT = 200, 100, 1000, 1000


def extension_of(file_name: str | None) -> str:
    """The type, from the name the teacher's phone gave the file; the name itself is never used as a path."""
    return PurePath(file_name or "").suffix.lower().lstrip(".")


def check_file(file_name: str | None, size: int | None, max_mb: int) -> str:
    """Refuse a type we do not take or a file over the limit, before anything is downloaded or stored."""
    extension = extension_of(file_name)
    if extension not in ACCEPTED:
        raise KeneshError(
            __(
                "I accept documents (pdf, doc, docx, odt, ppt, pptx, odp, xls, xlsx, ods, txt, rtf, zip) and photos "
                "(jpg, png). This file is not one of them; nothing was saved."
            )
        )
    if size is not None and size > max_mb * 1024 * 1024:
        raise KeneshError(
            __(
                "The file is larger than {limit} MB; nothing was saved. Send a smaller file or a link "
                "to it in the description."
            ),
            limit=max_mb,
        )
    return extension


async def author_in(session: AsyncSession, user_id: int) -> Member:
    """Members and participants both may submit (cl. 4.3); anyone else is told how to join."""
    for place in await repo.memberships_of(session, user_id):
        if place.status is MemberStatus.APPROVED:
            return place
    raise KeneshError(
        __(
            "Only members and participants of a council can submit materials. Ask the chair for the join link "
            "in the council's group."
        )
    )


class Archive:
    """Files by content: data/files/ab/abcdef...xyz.ext. The same bytes are stored once."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, stored_name: str) -> Path:
        path = (self.root / stored_name[:2] / stored_name).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(stored_name)  # never leaves the archive, whatever the name
        return path

    def store(self, content: bytes, extension: str) -> tuple[str, str]:
        digest = hashlib.sha256(content).hexdigest()
        stored_name = f"{digest}.{extension}"
        path = self.path_for(stored_name)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".part")
            temporary.write_bytes(content)
            temporary.replace(path)  # a crash never leaves half a file under the real name
        return digest, stored_name

    def read(self, stored_name: str) -> bytes:
        return self.path_for(stored_name).read_bytes()


async def same_file(session: AsyncSession, council_id: int, digest: str) -> Material | None:
    return await session.scalar(select(Material).where(Material.council_id == council_id, Material.sha256 == digest))


@dataclass(frozen=True)
class Upload:
    file_name: str
    stored_name: str
    size: int
    sha256: str
    telegram_file_id: str | None


def _event(
    material: Material, state: MaterialState, by: int, now: datetime, comment: str | None = None
) -> MaterialEvent:
    return MaterialEvent(
        material_id=material.id, state=state, by_user=by, at=now, comment=comment, version=material.version
    )


async def submit(
    session: AsyncSession,
    *,
    user_id: int,
    upload: Upload,
    title: str,
    kind: MaterialKind,
    subject: str,
    description: str | None,
    now: datetime,
    default_locale: str,
) -> Material:
    author = await author_in(session, user_id)
    council = await repo.get_council(session, author.council_id)
    material = Material(
        council_id=council.id,
        author_id=author.id,
        title=title[:MAX_TITLE],
        kind=kind,
        subject=subject[:MAX_SUBJECT],
        description=(description or None) and description[:MAX_DESCRIPTION],
        state=MaterialState.SUBMITTED,
        version=1,
        file_name=upload.file_name[:255],
        stored_name=upload.stored_name,
        size=upload.size,
        sha256=upload.sha256,
        telegram_file_id=upload.telegram_file_id,
        created_at=now,
        updated_at=now,
    )
    session.add(material)
    await session.flush()
    session.add(_event(material, MaterialState.SUBMITTED, user_id, now))
    await _tell_chair(session, council, material, author, now, default_locale)
    await session.commit()
    log.info("Council %s: material %s submitted (%d bytes)", council.id, material.id, upload.size)
    return material


async def new_version(
    session: AsyncSession, *, user_id: int, material_id: int, upload: Upload, now: datetime, default_locale: str
) -> Material:
    """A returned material sent again: the same number, the next version, back to the council."""
    material = await session.get(Material, material_id)
    author = await author_in(session, user_id)
    if material is None or material.author_id != author.id:
        raise KeneshError(__("This material is not yours."))
    if material.state is not MaterialState.RETURNED:
        raise KeneshError(__("Only a material returned for revision can be sent again."))
    material.version += 1
    material.file_name, material.stored_name, material.size = upload.file_name[:255], upload.stored_name, upload.size
    material.sha256, material.telegram_file_id = upload.sha256, upload.telegram_file_id
    material.state, material.updated_at = MaterialState.SUBMITTED, now
    session.add(_event(material, MaterialState.SUBMITTED, user_id, now))
    council = await repo.get_council(session, material.council_id)
    await _tell_chair(session, council, material, author, now, default_locale)
    await session.commit()
    return material


async def _tell_chair(
    session: AsyncSession, council: Council, material: Material, author: Member, now: datetime, default_locale: str
) -> None:
    await notices.to_person(
        session,
        council.chair_id,
        lambda: texts.material_card(material, author.full_name),
        kind=Kind.PERSONAL,
        now=now,
        default_locale=default_locale,
        council_id=council.id,
        markup=lambda: keyboards.material_review_keyboard(material.id),
    )


@dataclass(frozen=True)
class Reviewed:
    material: Material
    author: Member


async def reviewable(session: AsyncSession, material_id: int, user_id: int) -> tuple[Material, Member, Council]:
    material = await session.get(Material, material_id)
    if material is None:
        raise KeneshError(__("This material no longer exists."))
    council = await repo.get_council(session, material.council_id)
    if user_id not in (council.chair_id, council.secretary_id):
        raise KeneshError(__("Only the chair or the secretary of the council can do this."))
    author = await repo.get_member(session, material.author_id)
    return material, author, council


async def decide(
    session: AsyncSession,
    *,
    material_id: int,
    user_id: int,
    state: MaterialState,
    comment: str | None,
    now: datetime,
    default_locale: str,
) -> Reviewed:
    """The chair's decision (approve for the bank, return for revision, reject), with a comment for the author."""
    material, author, council = await reviewable(session, material_id, user_id)
    if material.state not in (MaterialState.SUBMITTED, MaterialState.ON_AGENDA):
        raise KeneshError(__("This material has already been decided."))
    comment = (comment or "").strip()[:MAX_COMMENT] or None
    material.state, material.updated_at = state, now
    session.add(_event(material, state, user_id, now, comment))
    audit.record(
        session,
        council_id=council.id,
        actor_id=user_id,
        action=audit.MATERIAL_DECISIONS[state],
        obj_kind=audit.AuditObject.MATERIAL,
        obj_id=material.id,
        now=now,
    )

    def outcome() -> str:
        head = {
            MaterialState.APPROVED: _(
                "Your material «{title}» is approved and added to the bank of pedagogical ideas."
            ),
            MaterialState.RETURNED: _(
                "Your material «{title}» is returned for revision. Send the corrected file with /submit."
            ),
            MaterialState.REJECTED: _("Your material «{title}» is not accepted by the council."),
        }[state].format(title=esc(material.title))
        return head + ("\n" + _("Comment: {comment}").format(comment=esc(comment)) if comment else "")

    await notices.to_person(
        session,
        author.user_id,
        outcome,
        kind=Kind.PERSONAL,
        now=now,
        default_locale=default_locale,
        council_id=council.id,
    )
    await session.commit()
    log.info("Material %s: %s", material.id, state.value)
    return Reviewed(material, author)


async def by_state(session: AsyncSession, user_id: int) -> tuple[Council, Sequence[Material]]:
    from bot.meetings import council_for_runner

    council = await council_for_runner(session, user_id)
    materials = (
        await session.scalars(
            select(Material).where(Material.council_id == council.id).order_by(Material.state, Material.id.desc())
        )
    ).all()
    return council, materials


async def returned_of(session: AsyncSession, user_id: int) -> Sequence[Material]:
    author = await author_in(session, user_id)
    return (
        await session.scalars(
            select(Material)
            .where(Material.author_id == author.id, Material.state == MaterialState.RETURNED)
            .order_by(Material.id)
        )
    ).all()


async def bank(session: AsyncSession, user_id: int, words: str) -> list[tuple[Material, str]]:
    """Approved materials of the user's council, newest first, matching every word in any script and case."""
    author = await author_in(session, user_id)
    rows = (
        await session.execute(
            select(Material, Member.full_name)
            .join(Member, Member.id == Material.author_id)
            .where(Material.council_id == author.council_id, Material.state == MaterialState.APPROVED)
            .order_by(Material.updated_at.desc())
        )
    ).all()
    needles = [word.casefold() for word in words.split()]
    found = []
    for material, author_name in rows:
        haystack = " ".join([material.title, material.subject, material.description or "", author_name]).casefold()
        if all(needle in haystack for needle in needles):
            found.append((material, author_name))
    return found


async def for_download(session: AsyncSession, material_id: int, user_id: int) -> Material:
    author = await author_in(session, user_id)
    material = await session.get(Material, material_id)
    if material is None or material.council_id != author.council_id:
        raise KeneshError(__("This material no longer exists."))
    council = await repo.get_council(session, material.council_id)
    if material.state is not MaterialState.APPROVED and user_id not in (council.chair_id, council.secretary_id):
        raise KeneshError(__("This material is not in the bank."))
    return material


async def remember_file_id(session: AsyncSession, material: Material, file_id: str) -> None:
    if material.telegram_file_id != file_id:
        material.telegram_file_id = file_id
        await session.commit()


async def agenda_choices(session: AsyncSession, material_id: int, user_id: int) -> list[Meeting]:
    material, _author, council = await reviewable(session, material_id, user_id)
    if material.state is not MaterialState.SUBMITTED:
        raise KeneshError(__("Only a submitted material can be put on an agenda."))
    meetings = list(await repo.council_meetings(session, council.id, (MeetingStatus.ANNOUNCED,)))
    if not meetings:
        raise KeneshError(__("There is no announced meeting to put it on. Announce one with /agenda first."))
    return meetings


async def put_on_agenda(
    session: AsyncSession, *, material_id: int, meeting_id: int, user_id: int, now: datetime
) -> tuple[Material, Meeting]:
    """The material becomes the last item of an announced meeting; the meeting's vote on it decides it."""
    material, author, council = await reviewable(session, material_id, user_id)
    meeting = await repo.get_meeting(session, meeting_id)
    if material.state is not MaterialState.SUBMITTED:
        raise KeneshError(__("Only a submitted material can be put on an agenda."))
    if meeting is None or meeting.council_id != council.id or meeting.status is not MeetingStatus.ANNOUNCED:
        raise KeneshError(__("This meeting no longer exists."))
    items = await repo.meeting_items(session, meeting.id)
    if len(items) >= rules.MAX_AGENDA_ITEMS:
        raise KeneshError(
            __("An agenda can have at most {limit} items; this one has {count}."),
            limit=rules.MAX_AGENDA_ITEMS,
            count=len(items),
        )
    title = _("Methodical material No. {number} «{title}»").format(number=material.id, title=material.title)
    session.add(
        AgendaItem(
            meeting_id=meeting.id,
            position=len(items) + 1,
            title=title[: rules.MAX_ITEM_LENGTH],
            reporter=author.full_name,
            material_id=material.id,
        )
    )
    material.state, material.meeting_id, material.updated_at = MaterialState.ON_AGENDA, meeting.id, now
    session.add(_event(material, MaterialState.ON_AGENDA, user_id, now))
    audit.record(
        session,
        council_id=council.id,
        actor_id=user_id,
        action=audit.AuditAction.MATERIAL_ON_AGENDA,
        obj_kind=audit.AuditObject.MATERIAL,
        obj_id=material.id,
        now=now,
    )
    await session.commit()
    return material, meeting


async def decided_at_meeting(
    session: AsyncSession, meeting: Meeting, by_user: int, now: datetime, default_locale: str
) -> None:
    """At /close: a material on the agenda follows the meeting's vote on its item (adopted: into the bank;
    not adopted: rejected; no vote or no quorum: back to the chair's list). Called before the commit."""
    items = [item for item in await repo.meeting_items(session, meeting.id) if item.material_id]
    votes = await repo.meeting_votes(session, meeting.id)
    for item in items:
        material = await session.get(Material, item.material_id)
        if material is None or material.state is not MaterialState.ON_AGENDA:
            continue
        outcomes = [v.outcome for v in votes if v.item_position == item.position and v.outcome]
        if Outcome.ADOPTED in outcomes:
            state = MaterialState.APPROVED
        elif Outcome.NOT_ADOPTED in outcomes:
            state = MaterialState.REJECTED
        else:
            state = MaterialState.SUBMITTED
        comment = _("Decided at the meeting, protocol No. {number}.").format(number=meeting.protocol_number)
        material.state, material.updated_at = state, now
        session.add(_event(material, state, by_user, now, comment if state is not MaterialState.SUBMITTED else None))
        if state is MaterialState.SUBMITTED:
            continue
        author = await repo.get_member(session, material.author_id)
        await notices.to_person(
            session,
            author.user_id,
            lambda m=material, s=state, n=meeting.protocol_number: _outcome_text(
                m, s, _("Decided at the meeting, protocol No. {number}.").format(number=n)
            ),
            kind=Kind.PERSONAL,
            now=now,
            default_locale=default_locale,
            council_id=material.council_id,
        )


def _outcome_text(material: Material, state: MaterialState, comment: str | None) -> str:
    head = {
        MaterialState.APPROVED: _("Your material «{title}» is approved and added to the bank of pedagogical ideas."),
        MaterialState.RETURNED: _(
            "Your material «{title}» is returned for revision. Send the corrected file with /submit."
        ),
        MaterialState.REJECTED: _("Your material «{title}» is not accepted by the council."),
    }[state].format(title=esc(material.title))
    return head + ("\n" + _("Comment: {comment}").format(comment=esc(comment)) if comment else "")
