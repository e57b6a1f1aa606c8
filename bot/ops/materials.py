"""Methodical materials (cl. 3.1): teachers submit files, the council reviews them, approved ones form the
bank of pedagogical ideas. Files are kept in the school's own archive under names the bot makes."""

from __future__ import annotations

import hashlib
import logging
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path, PurePath
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import SUPPORTED_LOCALES
from bot.domain import ReviewLine
from bot.errors import KeneshError
from bot.i18n import in_locale
from bot.i18n import lazy_gettext as __
from bot.ops import audit, meetings, notices
from bot.ops.access import NOT_RUNNER, council_for_runner, runs_meetings
from bot.text_input import clean_text
from bot.ui import materials as ui_materials
from bot.ui import reviews as ui_reviews
from bot.ui.labels import kind_label
from db.models import (
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
    QuarantinedFile,
)
from db.repo import change_if, referenced, reload, remove
from db.repo import groups as groups_repo
from db.repo import materials as materials_repo
from db.repo import meeting_day as day_repo
from db.repo import meetings as meetings_repo
from db.repo import members as members_repo
from db.repo import reviews as reviews_repo
from db.repo.outbox import Kind

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
BANK_PAGE = 5  # materials per page of /bank
QUARANTINE = "quarantine"
ABANDONED_AFTER = timedelta(hours=24)


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
    for place in await members_repo.memberships_of(session, user_id):
        if place.status is MemberStatus.APPROVED:
            return place
    raise KeneshError(
        __(
            "Only members and participants of a council can submit materials. Ask the chair for the join link "
            "in the council's group."
        )
    )


def _write_once(path: Path, content: bytes) -> None:
    """The file at `path` unless it is there already (named by its content, it would be the same bytes)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(content)
        temporary.replace(path)  # a crash never leaves half a file under the real name


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
        _write_once(self.path_for(stored_name), content)
        return digest, stored_name

    def read(self, stored_name: str) -> bytes:
        return self.path_for(stored_name).read_bytes()

    # A new material's file waits in the quarantine until its four questions are answered: a dialog left
    # unfinished leaves nothing in the archive, and the quarantine is swept after 24 hours.

    def quarantine_path(self, stored_name: str) -> Path:
        quarantine = (self.root / QUARANTINE).resolve()
        path = (quarantine / stored_name).resolve()
        if path.parent != quarantine:
            raise ValueError(stored_name)
        return path

    def hold(self, content: bytes, extension: str) -> tuple[str, str]:
        digest = hashlib.sha256(content).hexdigest()
        stored_name = f"{digest}.{extension}"
        _write_once(self.quarantine_path(stored_name), content)
        return digest, stored_name

    def release(self, stored_name: str) -> None:
        """The quarantined file into the archive (its copy in the quarantine goes at the next sweep)."""
        self.store(self.quarantine_path(stored_name).read_bytes(), PurePath(stored_name).suffix.lstrip("."))

    def sweep_quarantine(self, keep: set[str], abandoned: set[str]) -> int:
        """Remove the files of abandoned dialogs, and files no dialog ever claimed once they are a day old
        (a crash between writing a file and recording its dialog); returns how many. A file just written
        whose dialog is being recorded right now (another member's upload, at the same moment) stays."""
        quarantine = self.root / QUARANTINE
        if not quarantine.is_dir():
            return 0
        # A file's age by the file system's own clock (a file made now), whatever the bot's clock says.
        with tempfile.TemporaryFile(dir=quarantine) as probe:
            orphaned_before = os.fstat(probe.fileno()).st_mtime - ABANDONED_AFTER.total_seconds()
        removed = 0
        for path in quarantine.iterdir():
            if not path.is_file() or path.name in keep:
                continue
            if path.name in abandoned or path.stat().st_mtime < orphaned_before:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def total_bytes(self) -> int:
        """What the archive (with the quarantine) takes on disk, for the MAX_ARCHIVE_MB quota."""
        if not self.root.is_dir():
            return 0
        return sum(path.stat().st_size for path in self.root.rglob("*") if path.is_file())


async def same_file(session: AsyncSession, council_id: int, digest: str) -> Material | None:
    return await materials_repo.same_file(session, council_id, digest)


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


async def check_limits(
    session: AsyncSession,
    *,
    user_id: int,
    size: int | None,
    archive: Archive,
    now: datetime,
    tz: ZoneInfo,
    per_day: int,
    archive_mb: int,
) -> None:
    """MAX_SUBMISSIONS_PER_DAY per member (new materials and new versions, since midnight in the council's
    time zone) and MAX_ARCHIVE_MB for the whole archive: refused before anything is downloaded."""
    midnight = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    today = await materials_repo.submissions_since(session, user_id, midnight)
    if today >= per_day:
        raise KeneshError(
            __(
                "You have submitted {limit} materials today, the most a day allows; nothing was saved. "
                "Send it tomorrow."
            ),
            limit=per_day,
        )
    if archive.total_bytes() + (size or 0) > archive_mb * 1024 * 1024:
        log.warning("The archive is full (MAX_ARCHIVE_MB=%d): a file was refused", archive_mb)
        raise KeneshError(
            __(
                "The council's archive is full; nothing was saved. Tell the chair: the school's administrator "
                "must make room."
            )
        )


async def admit_file(
    session: AsyncSession,
    archive: Archive,
    *,
    user_id: int,
    file_name: str,
    size: int | None,
    now: datetime,
    tz: ZoneInfo,
    max_mb: int,
    per_day: int,
    archive_mb: int,
) -> tuple[str, str]:
    """Everything checked before a file is downloaded (who sends it, its type and size, the day's limit, the
    archive's room): the name to keep and the type; a KeneshError says why a file is refused."""
    await author_in(session, user_id)
    name = clean_text(file_name).strip() or "file"
    extension = check_file(name, size, max_mb)
    await sweep_quarantine(session, archive, now)
    await check_limits(
        session, user_id=user_id, size=size, archive=archive, now=now, tz=tz, per_day=per_day, archive_mb=archive_mb
    )
    return name, extension


def archive_file(
    archive: Archive, content: bytes, *, file_name: str, extension: str, file_id: str | None, held: bool
) -> Upload:
    """The downloaded file kept: in the quarantine while its dialog runs (held), or in the archive."""
    digest, stored_name = archive.hold(content, extension) if held else archive.store(content, extension)
    return Upload(
        file_name=file_name, stored_name=stored_name, size=len(content), sha256=digest, telegram_file_id=file_id
    )


async def sweep_quarantine(session: AsyncSession, archive: Archive, now: datetime) -> int:
    """Forget dialogs abandoned for 24 hours and remove their files, unless another dialog waits for the same
    file. Commits."""
    abandoned = await materials_repo.forget_quarantined_before(session, now - ABANDONED_AFTER)
    await session.commit()
    keep = await materials_repo.quarantined_names(session)
    removed = archive.sweep_quarantine(keep, abandoned)
    if removed:
        log.info("Quarantine: %d abandoned file(s) removed", removed)
    return removed


async def drop_held_file(session: AsyncSession, archive: Archive, stored_name: str) -> None:
    """Remove a quarantined file at once when no dialog waits for it any more."""
    if not await materials_repo.quarantine_waits_for(session, stored_name):
        archive.quarantine_path(stored_name).unlink(missing_ok=True)


async def discard_held(session: AsyncSession, archive: Archive, *, held_id: int, user_id: int) -> None:
    """/cancel in the middle of the questions: the quarantined file goes at once, not after a day."""
    held = await materials_repo.get_quarantined(session, held_id)
    if held is None or held.user_id != user_id:
        return
    await remove(session, held)
    await session.commit()
    await drop_held_file(session, archive, held.stored_name)


async def hold(session: AsyncSession, *, user_id: int, upload: Upload, now: datetime) -> int:
    """A received file waits in the quarantine (row + file) for its dialog; returns the row's id."""
    author = await author_in(session, user_id)
    row = QuarantinedFile(
        council_id=author.council_id,
        user_id=user_id,
        file_name=upload.file_name[:255],
        stored_name=upload.stored_name,
        size=upload.size,
        sha256=upload.sha256,
        telegram_file_id=upload.telegram_file_id,
        created_at=now,
    )
    session.add(row)
    await session.commit()
    return row.id


@dataclass(frozen=True)
class Received:
    """What became of a received file: a returned material's new version saved, the same bytes found already
    submitted (the held file dropped), or a new material's file held while its four questions run. The
    material with the same bytes is named (`duplicate`) only when the sender may see it: in the bank, or their
    own; another member's material still under review stays unnamed (`duplicate_hidden`)."""

    version: Material | None = None
    duplicate: Material | None = None
    duplicate_hidden: bool = False
    held_id: int | None = None


async def receive_file(
    session: AsyncSession,
    archive: Archive,
    *,
    user_id: int,
    upload: Upload,
    version_of: int | None,
    now: datetime,
    default_locale: str,
) -> Received:
    """A file kept by `archive_file`: a new version of the returned material `version_of`, or a new material
    whose file waits in the quarantine, unless the council already has the same bytes."""
    if version_of:
        material = await new_version(
            session, user_id=user_id, material_id=version_of, upload=upload, now=now, default_locale=default_locale
        )
        return Received(version=material)
    author = await author_in(session, user_id)
    existing = await same_file(session, author.council_id, upload.sha256)
    if existing is not None:
        await drop_held_file(session, archive, upload.stored_name)
        if existing.author_id == author.id or existing.state is MaterialState.APPROVED:
            return Received(duplicate=existing)
        return Received(duplicate_hidden=True)
    return Received(held_id=await hold(session, user_id=user_id, upload=upload, now=now))


async def submit(
    session: AsyncSession,
    *,
    user_id: int,
    held_id: int,
    archive: Archive,
    title: str,
    kind: MaterialKind,
    subject: str,
    description: str | None,
    now: datetime,
    default_locale: str,
) -> Material:
    author = await author_in(session, user_id)
    council = await referenced(session, Council, author.council_id)
    held = await materials_repo.get_quarantined(session, held_id)
    # The last answer sent twice (Skip pressed twice): the first takes the file out of the quarantine, the
    # second finds it gone and makes no second material.
    gone = await materials_repo.take_quarantined(session, held_id, user_id)
    if held is None or not gone:
        raise KeneshError(
            __(
                "This material is already saved, or its file waited too long and was removed. "
                "If it was removed, send the file again."
            )
        )
    upload = Upload(held.file_name, held.stored_name, held.size, held.sha256, held.telegram_file_id)
    archive.release(upload.stored_name)
    title, subject = clean_text(title).strip(), clean_text(subject).strip()
    description = clean_text(description, multiline=True).strip() or None
    material = Material(
        council_id=council.id,
        author_id=author.id,
        group_id=await groups_repo.association_of(session, author.id),  # the author's association, then
        title=title[:MAX_TITLE],
        kind=kind,
        subject=subject[:MAX_SUBJECT],
        description=description and description[:MAX_DESCRIPTION],
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
    await drop_held_file(session, archive, upload.stored_name)
    log.info("Council %s: material %s submitted (%d bytes)", council.id, material.id, upload.size)
    return material


async def new_version(
    session: AsyncSession, *, user_id: int, material_id: int, upload: Upload, now: datetime, default_locale: str
) -> Material:
    """A returned material sent again: the same number, the next version, back to the council."""
    material = await materials_repo.get_material(session, material_id)
    author = await author_in(session, user_id)
    if material is None or material.author_id != author.id:
        raise KeneshError(__("This material is not yours."))
    only_returned = __("Only a material returned for revision can be sent again.")
    if material.state is not MaterialState.RETURNED:
        raise KeneshError(only_returned)
    if not await change_if(
        session,
        Material,
        material.id,
        Material.state == MaterialState.RETURNED,
        Material.version == material.version,
        version=material.version + 1,
        file_name=clean_text(upload.file_name)[:255],
        stored_name=upload.stored_name,
        size=upload.size,
        sha256=upload.sha256,
        telegram_file_id=upload.telegram_file_id,
        state=MaterialState.SUBMITTED,
        updated_at=now,
    ):
        raise KeneshError(only_returned)
    await reload(session, material)
    session.add(_event(material, MaterialState.SUBMITTED, user_id, now))
    council = await referenced(session, Council, material.council_id)
    await _tell_chair(session, council, material, author, now, default_locale)
    await session.commit()
    return material


async def _tell_chair(
    session: AsyncSession, council: Council, material: Material, author: Member, now: datetime, default_locale: str
) -> None:
    await notices.to_person(
        session,
        council.chair_id,
        partial(ui_materials.material_card, material, author.full_name, await association_name(session, material)),
        kind=Kind.PERSONAL,
        now=now,
        default_locale=default_locale,
        council_id=council.id,
        markup=lambda: ui_materials.material_review_keyboard(material.id),
    )


@dataclass(frozen=True)
class Reviewed:
    material: Material
    author: Member


async def association_name(session: AsyncSession, material: Material) -> str | None:
    """The association the material's author was in when they submitted it (cl. 3.1)."""
    if material.group_id is None:
        return None
    group = await groups_repo.get_group(session, material.group_id)
    return group.name if group else None


async def review_lines(session: AsyncSession, material: Material) -> list[ReviewLine]:
    """The expert reviews asked for the material's current version (bot/ops/reviews.py), with the reviewers' names."""
    rows = await reviews_repo.reviews_with_names(session, material.id, material.version)
    return [ReviewLine(review, name) for review, name in rows]


def _with_reviews(text: str, lines: list[ReviewLine]) -> str:
    """A decision told to the author, with the experts' comments (named only with their consent)."""
    reviews = ui_reviews.for_author(lines)
    return f"{text}\n\n{reviews}" if reviews else text


def _decided_with_reviews(
    material: Material, state: MaterialState, protocol_number: int | None, lines: list[ReviewLine]
) -> str:
    return _with_reviews(ui_materials.material_decided_at_meeting(material, state, protocol_number), lines)


async def reviewable(session: AsyncSession, material_id: int, user_id: int) -> tuple[Material, Member, Council]:
    material = await materials_repo.get_material(session, material_id)
    if material is None:
        raise KeneshError(__("This material no longer exists."))
    council = await referenced(session, Council, material.council_id)
    if not runs_meetings(council, user_id):
        raise KeneshError(NOT_RUNNER)
    author = await referenced(session, Member, material.author_id)
    return material, author, council


async def undecided(session: AsyncSession, material_id: int, user_id: int) -> tuple[Material, Member, Council]:
    """A material the chair may still decide (submitted or on an agenda), asked before the comment is."""
    material, author, council = await reviewable(session, material_id, user_id)
    if material.state not in (MaterialState.SUBMITTED, MaterialState.ON_AGENDA):
        raise KeneshError(ui_materials.ALREADY_DECIDED)
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
    material, author, council = await undecided(session, material_id, user_id)
    comment = clean_text(comment, multiline=True).strip()[:MAX_COMMENT] or None
    # The decision sent twice: the second finds the material decided and tells the author nothing again.
    if not await change_if(
        session,
        Material,
        material.id,
        Material.state.in_((MaterialState.SUBMITTED, MaterialState.ON_AGENDA)),
        Material.version == material.version,
        state=state,
        updated_at=now,
    ):
        raise KeneshError(ui_materials.ALREADY_DECIDED)
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

    lines = await review_lines(session, material)
    await notices.to_person(
        session,
        author.user_id,
        lambda: _with_reviews(ui_materials.material_outcome(material, state, comment), lines),
        kind=Kind.PERSONAL,
        now=now,
        default_locale=default_locale,
        council_id=council.id,
        markup=partial(ui_materials.new_version_keyboard, material) if state is MaterialState.RETURNED else None,
    )
    await session.commit()
    log.info("Material %s: %s", material.id, state.value)
    return Reviewed(material, author)


async def by_state(session: AsyncSession, user_id: int) -> tuple[Council, Sequence[Material]]:
    council = await council_for_runner(session, user_id)
    return council, await materials_repo.council_materials(session, council.id)


async def returned_of(session: AsyncSession, user_id: int) -> Sequence[Material]:
    author = await author_in(session, user_id)
    return await materials_repo.returned_materials(session, author.id)


async def _bank(session: AsyncSession, user_id: int, words: str) -> list[tuple[Material, str]]:
    """The bank of the user's council (/bank): the first council they belong to."""
    author = await author_in(session, user_id)
    return await bank_of(session, author.council_id, words)


async def bank_of(session: AsyncSession, council_id: int, words: str) -> list[tuple[Material, str]]:
    """Approved materials of a council, newest first, matching every word in any script and case, in the
    title, subject, description, author or kind, the kind by its name in either language (a Russian reader
    finds «презентация», a Kyrgyz one «сабактын планы»): /bank and the Mini App search alike."""
    rows = await materials_repo.approved_with_authors(session, council_id)
    needles = [word.casefold() for word in words.split()]
    if not needles:
        return list(rows)
    kinds = {
        kind: " ".join(in_locale(locale, partial(kind_label, kind)) for locale in SUPPORTED_LOCALES)
        for kind in MaterialKind
    }
    found = []
    for material, author_name in rows:
        haystack = " ".join(
            [material.title, material.subject, material.description or "", author_name, kinds[material.kind]]
        ).casefold()
        if all(needle in haystack for needle in needles):
            found.append((material, author_name))
    return found


@dataclass(frozen=True)
class BankPage:
    shown: list[tuple[Material, str]]  # the materials on this page with their authors' names
    page: int
    pages: int
    associations: dict[int, str] = field(default_factory=dict)  # material id -> its author's association


async def bank_page(session: AsyncSession, user_id: int, words: str, page: int) -> BankPage:
    """One page of the bank (BANK_PAGE materials), the page number kept within the pages there are."""
    found = await _bank(session, user_id, words)
    pages = math.ceil(len(found) / BANK_PAGE)
    page = max(0, min(page, pages - 1))
    shown = found[page * BANK_PAGE : (page + 1) * BANK_PAGE]
    associations = {m.id: name for m, _author in shown if (name := await association_name(session, m))}
    return BankPage(shown, page, pages, associations)


async def for_download(session: AsyncSession, material_id: int, user_id: int) -> Material:
    author = await author_in(session, user_id)
    return await downloadable(session, await referenced(session, Council, author.council_id), material_id, user_id)


async def downloadable(session: AsyncSession, council: Council, material_id: int, user_id: int) -> Material:
    """A material of this council its member may have: one in the bank, or any for who runs the council."""
    material = await materials_repo.get_material(session, material_id)
    if material is None or material.council_id != council.id:
        raise KeneshError(__("This material no longer exists."))
    if material.state is not MaterialState.APPROVED and not runs_meetings(council, user_id):
        raise KeneshError(__("This material is not in the bank."))
    return material


async def remember_file_id(session: AsyncSession, material: Material, file_id: str) -> None:
    if material.telegram_file_id != file_id:
        material.telegram_file_id = file_id
        await session.commit()


async def send_material(bot: Bot, session: AsyncSession, archive: Archive, material: Material, chat_id: int) -> None:
    """The material's file, by Telegram's file id while Telegram keeps it, else from the archive (whose new
    file id is remembered for next time)."""
    caption = ui_materials.file_caption(material)
    if material.telegram_file_id:
        try:
            await bot.send_document(chat_id, material.telegram_file_id, caption=caption)
            return
        except TelegramBadRequest as error:  # Telegram no longer has it: the archive does
            log.info(
                "Material %s: Telegram file id refused (%s); sending the archived copy", material.id, error.message
            )
    sent = await bot.send_document(
        chat_id, BufferedInputFile(archive.read(material.stored_name), filename=material.file_name), caption=caption
    )
    if sent.document:
        await remember_file_id(session, material, sent.document.file_id)


async def agenda_choices(session: AsyncSession, material_id: int, user_id: int) -> list[Meeting]:
    material, _author, council = await reviewable(session, material_id, user_id)
    if material.state is not MaterialState.SUBMITTED:
        raise KeneshError(__("Only a submitted material can be put on an agenda."))
    announced = list(await meetings_repo.council_meetings(session, council.id, (MeetingStatus.ANNOUNCED,)))
    if not announced:
        raise KeneshError(__("There is no announced meeting to put it on. Announce one with /agenda first."))
    return announced


async def put_on_agenda(
    session: AsyncSession,
    *,
    material_id: int,
    meeting_id: int,
    user_id: int,
    now: datetime,
    tz: ZoneInfo,
    default_locale: str,
) -> tuple[Material, Meeting]:
    """The material becomes the last item of an announced meeting; the meeting's vote on it decides it. The
    agenda changes by the one notice rule (bot/ops/meetings.py `add_to_agenda`) and is announced again."""
    material, author, council = await reviewable(session, material_id, user_id)
    only_submitted = __("Only a submitted material can be put on an agenda.")
    if material.state is not MaterialState.SUBMITTED:
        raise KeneshError(only_submitted)
    # Pressed twice: the second press finds the material already on an agenda and adds no second item.
    if not await change_if(
        session,
        Material,
        material.id,
        Material.state == MaterialState.SUBMITTED,
        state=MaterialState.ON_AGENDA,
        meeting_id=meeting_id,
        updated_at=now,
    ):
        raise KeneshError(only_submitted)
    view, _position = await meetings.add_to_agenda(
        session,
        council=council,
        meeting_id=meeting_id,
        user_id=user_id,
        title=partial(ui_materials.material_item_title, material),
        reporter=author.full_name,
        material_id=material.id,
        now=now,
        tz=tz,
        default_locale=default_locale,
    )
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
    log.info("Material %s put on the agenda of meeting %s; the agenda is announced again", material.id, meeting_id)
    return material, view.meeting


async def decided_at_meeting(
    session: AsyncSession, meeting: Meeting, by_user: int, now: datetime, default_locale: str
) -> None:
    """At /close: a material on the agenda follows the meeting's vote on its item (adopted: into the bank;
    not adopted: rejected; no vote or no quorum: back to the chair's list). Called before the commit."""
    items = await meetings_repo.meeting_items(session, meeting.id)
    votes = await day_repo.meeting_votes(session, meeting.id)
    for item in items:
        if item.material_id is None:
            continue
        material = await materials_repo.get_material(session, item.material_id)
        if material is None or material.state is not MaterialState.ON_AGENDA:
            continue
        outcomes = [v.outcome for v in votes if v.item_position == item.position and v.outcome]
        if Outcome.ADOPTED in outcomes:
            state = MaterialState.APPROVED
        elif Outcome.NOT_ADOPTED in outcomes:
            state = MaterialState.REJECTED
        else:
            state = MaterialState.SUBMITTED
        comment = ui_materials.meeting_decided_comment(meeting.protocol_number)
        material.state, material.updated_at = state, now
        session.add(_event(material, state, by_user, now, comment if state is not MaterialState.SUBMITTED else None))
        if state is MaterialState.SUBMITTED:
            continue
        author = await referenced(session, Member, material.author_id)
        lines = await review_lines(session, material)
        await notices.to_person(
            session,
            author.user_id,
            partial(_decided_with_reviews, material, state, meeting.protocol_number, lines),
            kind=Kind.PERSONAL,
            now=now,
            default_locale=default_locale,
            council_id=material.council_id,
        )
