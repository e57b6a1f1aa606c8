"""The operator's commands, each its own short process beside the running bot (README "For a district"):

    python -m bot backup FILE.tar.gz | backup --into DIR [--keep N]
    python -m bot restore FILE.tar.gz
    python -m bot forget-member COUNCIL MEMBER
    python -m bot delete-council COUNCIL [--yes]
    python -m bot watchdog --dry-run

Each prints one clear line on failure (no traceback) and returns the process's exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Settings

KEEP_DEFAULT = 14


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Kenesh's operator commands (`python -m bot` alone runs the bot)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    backup = commands.add_parser("backup", help="the database and the materials in one archive")
    backup.add_argument("file", nargs="?", help="the archive to write (.tar.gz)")
    backup.add_argument("--into", metavar="DIR", help="write kenesh-<time>.tar.gz into DIR instead")
    backup.add_argument(
        "--keep", type=int, metavar="N", help=f"with --into: keep the N newest (default {KEEP_DEFAULT})"
    )
    restore = commands.add_parser("restore", help="bring an archive back into an empty data directory")
    restore.add_argument("file")
    forget = commands.add_parser("forget-member", help="remove a member's personal data (what no protocol holds)")
    forget.add_argument("council", type=int)
    forget.add_argument("member", type=int, help="the member's number in the council (as /members shows it)")
    delete = commands.add_parser("delete-council", help="delete a council and its records, after a backup")
    delete.add_argument("council", type=int)
    delete.add_argument("--yes", action="store_true", help="do not ask (the backup is still taken)")
    delete.add_argument("--backups", metavar="DIR", default="backups", help="where the backup goes (default backups/)")
    watchdog = commands.add_parser("watchdog", help="what today's trimester check would send, and why; sends nothing")
    watchdog.add_argument("--dry-run", action="store_true", required=True)
    return parser


def main(args: list[str], load_settings: Callable[..., Settings]) -> int:
    options = _parser().parse_args(args)
    settings = load_settings(require_token=False)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("bot").handlers.clear()
    try:
        if options.command in ("backup", "restore"):
            return backup_or_restore(options, settings)
        if options.command == "forget-member":
            return asyncio.run(forget_member(settings, options.council, options.member))
        if options.command == "watchdog":
            return asyncio.run(watchdog_dry_run(settings))
        return asyncio.run(delete_council(settings, options.council, options.yes, Path(options.backups)))
    except Refused as error:
        print(f"Kenesh cannot {options.command.replace('-', ' ')}: {error}", file=sys.stderr)
        return 1


class Refused(Exception):
    """One line for the operator; nothing was changed."""


def _describe(manifest: dict[str, Any]) -> str:
    counts = manifest["counts"] or {}
    return (
        f"{counts.get('councils', '?')} council(s), {counts.get('meetings', '?')} meeting(s), "
        f"{counts.get('materials', '?')} material(s), {len(manifest['files'])} file(s)"
    )


def backup_or_restore(options: argparse.Namespace, settings: Settings) -> int:
    """`backup FILE` / `backup --into DIR [--keep N]` / `restore FILE`; bot/cli/backup.py says what an archive
    holds."""
    from bot.cli.backup import BackupError, Target, backup, prune, restore, timed_archive

    target = Target(settings.database_url, settings.storage_dir)
    try:
        if options.command == "restore":
            manifest = restore(target, Path(options.file))
            print(f"Restored from {options.file} (made {manifest['created_at']}): {_describe(manifest)}")
            return 0
        if (options.file is None) == (options.into is None):
            raise Refused("give either FILE or --into DIR")
        if options.keep is not None and (options.into is None or options.keep < 1):
            raise Refused("--keep N (N at least 1) goes with --into DIR")
        archive = Path(options.file) if options.file else timed_archive(Path(options.into))
        manifest = backup(target, archive)
    except BackupError as error:
        raise Refused(str(error)) from None
    print(f"Backed up to {archive}: {_describe(manifest)}")
    if manifest["database"] == "postgresql" and manifest["database_member"] is None:
        print(
            "pg_dump is not installed here: the archive holds the files only. Dump the database too:\n"
            "  pg_dump --format=custom --file=kenesh.pgdump postgresql://USER@HOST/DATABASE",
            file=sys.stderr,
        )
    if options.into is not None:
        for old in prune(Path(options.into), options.keep or KEEP_DEFAULT):
            print(f"Removed the old backup {old}")
    return 0


async def forget_member(settings: Settings, council_id: int, member_id: int) -> int:
    from bot.ops.personal_data import CannotForget
    from bot.ops.personal_data import forget_member as forget
    from db.engine import create_engine, make_sessionmaker, migrate

    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        async with make_sessionmaker(engine)() as session:
            try:
                done = await forget(
                    session,
                    council_id=council_id,
                    member_id=member_id,
                    storage_dir=settings.storage_dir,
                    now=datetime.now(UTC),
                )
            except CannotForget as error:
                raise Refused(str(error)) from None
    finally:
        await engine.dispose()
    if done.deleted_outright:
        print(f"Member {member_id} of council {council_id} deleted: no signed protocol holds them.")
    else:
        print(
            f"Member {member_id} of council {council_id} forgotten: shown as №{member_id} from now on; the issued "
            "protocols that name them are kept as they were signed."
        )
    print(
        f"{done.materials_deleted} material(s) and {len(done.files_deleted)} file(s) deleted"
        + ("; the person belongs to no other council, so their own row went too." if done.user_deleted else ".")
    )
    return 0


async def delete_council(settings: Settings, council_id: int, yes: bool, backups: Path) -> int:
    from bot.cli.backup import BackupError, Target, backup, timed_archive
    from bot.ops.personal_data import CannotForget, council_summary
    from bot.ops.personal_data import delete_council as delete
    from db.engine import create_engine, make_sessionmaker, migrate

    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        sessionmaker = make_sessionmaker(engine)
        async with sessionmaker() as session:
            summary = await council_summary(session, council_id)
        if summary is None:
            raise Refused(f"there is no council {council_id}")
        title, counts = summary
        what = f"council {council_id} «{title}»: {counts['members']} member(s), {counts['meetings']} meeting(s), "
        what += f"{counts['materials']} material(s)"
        archive = timed_archive(backups)
        try:
            await asyncio.to_thread(backup, Target(settings.database_url, settings.storage_dir), archive)
        except BackupError as error:
            raise Refused(f"the backup before deleting failed, nothing was deleted: {error}") from None
        print(f"Backed up to {archive} first.")
        if not yes:
            print(f"This deletes {what}, for good.")
            prompt = f"Type the council's number ({council_id}) to delete it: "
            answer = (await asyncio.to_thread(input, prompt)).strip()
            if answer != str(council_id):
                raise Refused("not confirmed; nothing was deleted")
        async with sessionmaker() as session:
            try:
                done = await delete(session, council_id=council_id, storage_dir=settings.storage_dir)
            except CannotForget as error:
                raise Refused(str(error)) from None
    finally:
        await engine.dispose()
    print(
        f"Deleted {what}; {done.people_deleted} person(s) who belonged nowhere else, {len(done.files_deleted)} file(s)."
    )
    return 0


async def watchdog_dry_run(settings: Settings) -> int:
    """`python -m bot watchdog --dry-run`: what today's trimester check would send, and why. Sends nothing."""
    from bot.clock import Clock
    from bot.ops.watchdog import dry_run
    from db.engine import create_engine, make_sessionmaker, migrate

    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        async with make_sessionmaker(engine)() as session:
            verdicts = await dry_run(
                session, now=Clock(settings.tz).now(), tz=settings.tz, warn_days=settings.watchdog_warn_days
            )
    finally:
        await engine.dispose()
    if not verdicts:
        print("No councils yet.")
    for verdict in verdicts:
        action = f"WOULD SEND warning {verdict.stage}" if verdict.stage is not None else "nothing to send"
        print(
            f"council {verdict.council.id} «{verdict.council.title}» (chat {verdict.council.chat_id}): "
            f"{action} — {verdict.reason}"
        )
    return 0
