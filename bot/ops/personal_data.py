"""The operator's answers to "forget this person" and "this school leaves" (docs/data.md says what is kept).

forget_member: what a signed protocol holds stays (the issued protocol's text and .docx, the roster at each
closed meeting's opening, presence, decisions and who answers for them, materials a closed meeting
discussed); the rest goes: the member's name becomes "№<member id>" everywhere it is not part of a protocol,
their Telegram id is replaced by a placeholder id that no Telegram user can have (a negative one), their
materials no closed meeting discussed are deleted with their files, their messages waiting in the outbox and
their files in the quarantine go, and, when they belong to no other council, their own row, language and
conversation state. A member nothing signed holds is deleted outright.

delete_council: the council and every row that belongs to it (the foreign keys cascade), the archive files no
other council uses, and the people who belonged nowhere else. `python -m bot delete-council` takes a backup
first and asks for confirmation (bot/cli/).

Each returns what it did, in numbers and ids only: the caller logs and prints it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.ops.materials import QUARANTINE, Archive
from db.models import MemberStatus
from db.repo import councils as councils_repo
from db.repo import personal_data as repo

log = logging.getLogger(__name__)

PLACEHOLDER_BASE = 10**15  # placeholder ids are -(PLACEHOLDER_BASE + member id): negative, no user has one


class CannotForget(Exception):
    """The operator's request cannot be done now; the message says why. Nothing was changed."""


@dataclass
class Forgotten:
    member_id: int
    deleted_outright: bool
    kept_for_protocols: bool
    rows_renamed: int = 0
    materials_deleted: int = 0
    files_deleted: list[str] = field(default_factory=list)
    user_deleted: bool = False


def placeholder_name(member_id: int) -> str:
    return f"№{member_id}"


def placeholder_id(member_id: int) -> int:
    return -(PLACEHOLDER_BASE + member_id)


async def forget_member(
    session: AsyncSession, *, council_id: int, member_id: int, storage_dir: Path, now: datetime
) -> Forgotten:
    council = await councils_repo.get_council(session, council_id)
    if council is None:
        raise CannotForget(f"there is no council {council_id}")
    member = await repo.member_in(session, council_id, member_id)
    if member is None:
        raise CannotForget(f"council {council_id} has no member {member_id} (the ids /members and /log show)")
    user_id = member.user_id
    if user_id < 0:
        raise CannotForget(f"member {member_id} of council {council_id} is forgotten already")
    if council.chair_id == user_id:
        raise CannotForget(f"member {member_id} is the chair of council {council_id}: hand the chair over first")
    if await repo.on_open_meeting(session, member_id):
        raise CannotForget(f"member {member_id} is on the roster of a meeting open now: try after its /close")

    files: set[str] = set()
    materials = await repo.unsigned_materials(session, member_id)
    for material in materials:
        files.add(material.stored_name)
        await session.delete(material)
    for held in await repo.quarantined_of(session, user_id, council_id):
        await session.delete(held)
    await repo.drop_outbox_to(session, user_id, council_id)
    if council.secretary_id == user_id:
        council.secretary_id = None
    await session.flush()

    result = Forgotten(member_id, deleted_outright=False, kept_for_protocols=False)
    result.materials_deleted = len(materials)
    if await repo.in_the_record(session, member_id):
        result.kept_for_protocols = True
        await repo.drop_unsigned_roster_entries(session, member_id)
        new_id = placeholder_id(member_id)
        await repo.placeholder_user(session, new_id, now)
        name = placeholder_name(member_id)
        result.rows_renamed = await repo.replace_telegram_id(session, council_id, user_id, new_id, name)
        result.rows_renamed += await repo.rename_in_log(session, council_id, member_id, name)
        member.full_name, member.order_number, member.status = name, None, MemberStatus.REMOVED
        member.rejected_with_code = None
    else:
        result.deleted_outright = True
        await repo.rename_in_log(session, council_id, member_id, placeholder_name(member_id))
        await session.delete(member)  # its roster entries, presence and ballots go with it (ON DELETE CASCADE)
    await session.flush()
    if not await repo.has_other_places(session, user_id):
        await repo.drop_user(session, user_id)
        result.user_deleted = True
    await session.commit()
    result.files_deleted = _delete_unused_files(storage_dir, files, await _still_used(session, files))
    log.info(
        "Council %s: member %s forgotten (%s; %d row(s) renamed, %d material(s) and %d file(s) deleted%s)",
        council_id,
        member_id,
        f"kept as №{member_id} for the signed protocols" if result.kept_for_protocols else "deleted outright",
        result.rows_renamed,
        result.materials_deleted,
        len(result.files_deleted),
        ", their own row too" if result.user_deleted else "",
    )
    return result


@dataclass
class DeletedCouncil:
    council_id: int
    counts: dict[str, int]
    people_deleted: int
    files_deleted: list[str]


async def council_summary(session: AsyncSession, council_id: int) -> tuple[str, dict[str, int]] | None:
    council = await councils_repo.get_council(session, council_id)
    if council is None:
        return None
    return council.title, await repo.council_counts(session, council_id)


async def delete_council(session: AsyncSession, *, council_id: int, storage_dir: Path) -> DeletedCouncil:
    council = await councils_repo.get_council(session, council_id)
    if council is None:
        raise CannotForget(f"there is no council {council_id}")
    counts = await repo.council_counts(session, council_id)
    people = await repo.council_people(session, council_id)
    files = await repo.council_files(session, council_id)
    for user_id in people:
        for held in await repo.quarantined_of(session, user_id, council_id):
            files.add(held.stored_name)
    await repo.delete_council(session, council_id)
    await session.flush()
    gone = 0
    for user_id in people:
        if not await repo.has_other_places(session, user_id):
            await repo.drop_user(session, user_id)
            gone += 1
    await session.commit()
    deleted = _delete_unused_files(storage_dir, files, await _still_used(session, files))
    log.info(
        "Council %s deleted: %d member(s), %d meeting(s), %d material(s), %d person(s), %d file(s)",
        council_id,
        counts["members"],
        counts["meetings"],
        counts["materials"],
        gone,
        len(deleted),
    )
    return DeletedCouncil(council_id, counts, gone, deleted)


async def _still_used(session: AsyncSession, names: set[str]) -> set[str]:
    return {name for name in names if await repo.stored_name_used(session, name)}


def _delete_unused_files(storage_dir: Path, names: set[str], used: set[str]) -> list[str]:
    """Archive files (and quarantined ones) no remaining material names; after the commit, so a failure
    leaves a file without a row (harmless), never a row without its file."""
    archive = Archive(storage_dir)
    deleted = []
    for name in sorted(names - used):
        for path in (archive.path_for(name), storage_dir / QUARANTINE / name):
            if path.is_file():
                path.unlink()
                deleted.append(name)
    return deleted
