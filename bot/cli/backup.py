"""`python -m bot backup FILE` and `python -m bot restore FILE`: the council's records in one archive.

The archive (.tar.gz) holds:
  manifest.json       what is inside: the database kind, its migration, row counts, each file's SHA-256
  database/kenesh.db  SQLite: a consistent copy taken with SQLite's online backup API, while the bot runs
  database/kenesh.pgdump  PostgreSQL: `pg_dump --format=custom`, when pg_dump is installed (else the
                      database is left to the operator's own pg_dump, and the command says so)
  files/...           the archive of methodical materials (STORAGE_DIR), as stored

The database is copied before the files: a material's file is written before its row, and files are never
deleted, so every file the copied database names is in the archive.

Restore goes only into an empty place (no database file, an empty or missing STORAGE_DIR; for PostgreSQL a
database without tables): it never overwrites records. It checks every file against the manifest and the
copied database's integrity before putting anything in its place.

Plain synchronous code: it runs as its own short process, not inside the bot.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/kenesh.db"
PGDUMP_MEMBER = "database/kenesh.pgdump"
FILES = "files"
PARTIAL_SUFFIX = ".part"  # Archive.store writes here first; never a finished file
SQLITE_NEEDED = "this backup holds an SQLite database: set DATABASE_URL to an SQLite file to restore it"
TIMED_NAME = "kenesh-%Y-%m-%dT%H%M%SZ.tar.gz"  # `backup --into DIR`: names that sort by time
# What a cut-short (truncated) or foreign file raises while it is read as a .tar.gz.
UNREADABLE = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, json.JSONDecodeError, UnicodeDecodeError)

Manifest = dict[str, Any]  # manifest.json: what the archive holds, with its digests (JSON values)


class BackupError(Exception):
    """What went wrong, in words for the operator; nothing was changed."""


@dataclass(frozen=True)
class Target:
    """Where the records live: from DATABASE_URL and STORAGE_DIR."""

    database_url: str
    storage_dir: Path

    @property
    def sqlite_path(self) -> Path | None:
        url = make_url(self.database_url)
        if url.get_backend_name() != "sqlite":
            return None
        if not url.database or url.database == ":memory:":
            raise BackupError("an in-memory SQLite database has nothing to back up or restore into")
        return Path(url.database)

    @property
    def is_postgresql(self) -> bool:
        return make_url(self.database_url).get_backend_name() == "postgresql"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stored_files(storage_dir: Path) -> list[Path]:
    if not storage_dir.is_dir():
        return []
    return sorted(
        path
        for path in storage_dir.rglob("*")
        if path.is_file() and not path.is_symlink() and not path.name.endswith(PARTIAL_SUFFIX)
    )


def _sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _copy_sqlite(source: Path, destination: Path) -> tuple[dict[str, int], str | None]:
    """SQLite's online backup API: a consistent copy while the bot goes on writing (WAL)."""
    if not source.is_file():
        raise BackupError(f"no database at {source}: check DATABASE_URL")
    with sqlite3.connect(source) as live, sqlite3.connect(destination) as copy:
        live.execute("PRAGMA busy_timeout = 5000")
        live.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        counts, revision = _sqlite_counts(copy), _sqlite_revision(copy)
    live.close()
    copy.close()
    return counts, revision


def _pg_environment(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password (the password goes in PGPASSWORD: argv is visible to `ps`)."""
    url = make_url(database_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _dump_postgresql(database_url: str, destination: Path, snapshot: str | None = None) -> None:
    dsn, env = _pg_environment(database_url)
    at = [f"--snapshot={snapshot}"] if snapshot else []
    subprocess.run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            *at,
            f"--file={destination}",
            f"--dbname={dsn}",
        ],
        env=env,
        check=True,
    )


async def _postgresql_snapshot(database_url: str, dump_to: Path | None) -> tuple[dict[str, int], str | None]:
    """Row counts and the schema's revision, and the dump (when `dump_to`), all of one moment: the counts are
    read in a REPEATABLE READ transaction whose snapshot pg_dump is given (`--snapshot`), so the manifest
    describes exactly the rows in the dump. https://www.postgresql.org/docs/current/app-pgdump.html"""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="REPEATABLE READ")
            async with connection.begin():
                snapshot = await connection.scalar(text("SELECT pg_export_snapshot()"))
                counts = await _postgresql_counts(connection)
                revision = None
                if "alembic_version" in counts:
                    revision = await connection.scalar(text("SELECT version_num FROM alembic_version"))
                if dump_to is not None:  # while the transaction holds the snapshot
                    await asyncio.to_thread(_dump_postgresql, database_url, dump_to, str(snapshot))
    finally:
        await engine.dispose()
    return counts, revision


async def _postgresql_counts(connection: Any) -> dict[str, int]:
    from sqlalchemy import text

    tables = (
        await connection.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
        )
    ).all()
    return {table: int(await connection.scalar(text(f'SELECT count(*) FROM "{table}"'))) for table in tables}


async def _postgresql_counts_now(database_url: str) -> dict[str, int]:
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await _postgresql_counts(connection)
    finally:
        await engine.dispose()


def backup(target: Target, archive_path: Path) -> Manifest:
    """Write the archive; returns its manifest. The archive appears under its name only when complete."""
    archive_path = archive_path.resolve()
    archive_path.parent.mkdir(parents=True, exist_ok=True)
    manifest: Manifest = {
        "format": FORMAT,
        "app": "kenesh",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": None,
        "database_member": None,
        "revision": None,
        "counts": None,
        "files": {},
    }
    with tempfile.TemporaryDirectory(prefix="kenesh-backup-") as scratch:
        database_copy: Path | None = None
        sqlite_path = target.sqlite_path
        if sqlite_path is not None:
            database_copy = Path(scratch) / "kenesh.db"
            manifest["counts"], manifest["revision"] = _copy_sqlite(sqlite_path, database_copy)
            manifest["database"], manifest["database_member"] = "sqlite", SQLITE_MEMBER
        elif target.is_postgresql:
            manifest["database"] = "postgresql"
            if shutil.which("pg_dump"):
                database_copy = Path(scratch) / "kenesh.pgdump"
                manifest["database_member"] = PGDUMP_MEMBER
            try:
                manifest["counts"], manifest["revision"] = asyncio.run(
                    _postgresql_snapshot(target.database_url, database_copy)
                )
            except subprocess.CalledProcessError as error:
                raise BackupError(f"pg_dump failed (exit {error.returncode}); nothing was written") from None
            except (OSError, ImportError) as error:
                raise BackupError(f"cannot read the PostgreSQL database ({error})") from None
        else:
            raise BackupError(f"backups know SQLite and PostgreSQL, not {make_url(target.database_url).drivername}")
        files = _stored_files(target.storage_dir)
        for path in files:
            manifest["files"][path.relative_to(target.storage_dir).as_posix()] = _sha256(path)

        partial = archive_path.with_name(archive_path.name + PARTIAL_SUFFIX)
        # Readable by its owner only: the archive holds the members' names and everything they submitted.
        with (
            open(partial, "wb", opener=lambda path, flags: os.open(path, flags, 0o600)) as raw,
            tarfile.open(fileobj=raw, mode="w:gz") as archive,
        ):
            body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(datetime.now(UTC).timestamp()), 0o600
            archive.addfile(info, io.BytesIO(body))
            if database_copy is not None:
                archive.add(database_copy, arcname=manifest["database_member"], recursive=False)
            for path in files:
                archive.add(path, arcname=f"{FILES}/{path.relative_to(target.storage_dir).as_posix()}", recursive=False)
        partial.replace(archive_path)
    return manifest


def _read_manifest(archive: tarfile.TarFile) -> Manifest:
    try:
        member = archive.extractfile(MANIFEST)
    except KeyError:
        raise BackupError("not a Kenesh backup: it has no manifest.json") from None
    if member is None:  # a directory or a link of that name
        raise BackupError("not a Kenesh backup: its manifest.json is not a file")
    manifest: Manifest = json.load(member)
    if not isinstance(manifest, dict) or manifest.get("app") != "kenesh" or manifest.get("format") != FORMAT:
        raise BackupError(f"not a Kenesh backup of format {FORMAT}")
    return manifest


def _check_members(archive: tarfile.TarFile) -> None:
    """Only plain files and directories, inside the archive's own tree: a crafted archive cannot write
    elsewhere (absolute paths, "..", links, devices)."""
    for member in archive.getmembers():
        parts = Path(member.name).parts
        if not (member.isfile() or member.isdir()) or member.name.startswith("/") or ".." in parts:
            raise BackupError(f"the backup holds {member.name!r}, which a Kenesh backup never does")


def _refuse_if_not_empty(target: Target) -> None:
    sqlite_path = target.sqlite_path
    if sqlite_path is not None:
        for path in (sqlite_path, Path(f"{sqlite_path}-wal"), Path(f"{sqlite_path}-journal")):
            if path.exists() and path.stat().st_size > 0:
                raise BackupError(
                    f"{path} exists: restore goes only into an empty data directory. Move the old data away "
                    "first (or point DATABASE_URL and STORAGE_DIR somewhere empty)."
                )
    if target.storage_dir.exists() and any(target.storage_dir.iterdir()):
        raise BackupError(
            f"{target.storage_dir} is not empty: restore goes only into an empty data directory. Move the old "
            "files away first (or point STORAGE_DIR somewhere empty)."
        )


def _postgresql_is_empty(target: Target) -> bool:
    if not shutil.which("psql"):
        raise BackupError("psql and pg_restore are needed to restore a PostgreSQL backup (package postgresql-client)")
    dsn, env = _pg_environment(target.database_url)
    result = subprocess.run(
        [
            "psql",
            "--no-psqlrc",
            "--tuples-only",
            "--no-align",
            f"--dbname={dsn}",
            "--command",
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(result.stdout.strip() or 0) == 0


def restore(target: Target, archive_path: Path) -> Manifest:
    """Bring the archive's database and files back into an empty place; returns the manifest.

    A file cut short (a copy that stopped half-way) or not a backup at all is refused in one line."""
    if not archive_path.is_file():
        raise BackupError(f"no backup at {archive_path}")
    try:
        # The whole gzip stream first, to its checksum: a file missing only its last bytes still lists and
        # unpacks every member, but it is not the file that was written.
        with gzip.open(archive_path, "rb") as stream:
            while stream.read(1 << 20):
                pass
        return _restore(target, archive_path)
    except UNREADABLE as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise BackupError(
            f"{archive_path} is not a complete Kenesh backup: it is cut short, damaged or another kind of file "
            f"({reason}); nothing was restored"
        ) from None


def _private(path: Path) -> None:
    """What was restored, readable by its owner only (the records hold the members' names and files)."""
    path.chmod(0o700 if path.is_dir() else 0o600)


def _restore(target: Target, archive_path: Path) -> Manifest:
    with tarfile.open(archive_path, "r:gz") as archive:
        manifest = _read_manifest(archive)
        sqlite_path = target.sqlite_path
        if manifest["database"] == "sqlite" and sqlite_path is None:
            raise BackupError(SQLITE_NEEDED)
        if manifest["database"] == "postgresql" and not target.is_postgresql:
            raise BackupError("this backup holds a PostgreSQL dump: set DATABASE_URL to an empty PostgreSQL database")
        _refuse_if_not_empty(target)
        if manifest["database_member"] == PGDUMP_MEMBER and not _postgresql_is_empty(target):
            raise BackupError("the PostgreSQL database has tables: restore goes only into an empty database")

        with tempfile.TemporaryDirectory(prefix="kenesh-restore-") as scratch:
            # Everything is unpacked and checked aside first, then moved into place.
            _check_members(archive)
            if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4; Debian 12's 3.11.2 has only the check above
                archive.extractall(scratch, filter="data")
            else:
                archive.extractall(scratch)
            unpacked = Path(scratch)
            for name, digest in manifest["files"].items():
                if name.startswith("/") or ".." in Path(name).parts:
                    raise BackupError(f"the backup names the file {name!r}, which a Kenesh backup never does")
                path = unpacked / FILES / name
                if not path.is_file() or _sha256(path) != digest:
                    raise BackupError(f"the backup is damaged: {FILES}/{name} does not match its manifest")
            if manifest["database_member"] == SQLITE_MEMBER:
                if sqlite_path is None:  # the member says what "database" says, checked above
                    raise BackupError(SQLITE_NEEDED)
                copy = unpacked / SQLITE_MEMBER
                with sqlite3.connect(copy) as connection:
                    if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                        raise BackupError("the backup is damaged: the database fails SQLite's integrity check")
                    if manifest["counts"] is not None and _sqlite_counts(connection) != manifest["counts"]:
                        raise BackupError("the backup is damaged: the database's rows do not match its manifest")
                connection.close()
                sqlite_path.parent.mkdir(parents=True, exist_ok=True)
                _private(copy)  # before it is in place: never readable by others, not even for a moment
                shutil.move(copy, sqlite_path)
            elif manifest["database_member"] == PGDUMP_MEMBER:
                dsn, env = _pg_environment(target.database_url)
                subprocess.run(
                    [
                        "pg_restore",
                        "--no-owner",
                        "--no-privileges",
                        "--exit-on-error",
                        f"--dbname={dsn}",
                        str(unpacked / PGDUMP_MEMBER),
                    ],
                    env=env,
                    check=True,
                )
                counts = manifest.get("counts")
                if counts and asyncio.run(_postgresql_counts_now(target.database_url)) != counts:
                    raise BackupError("the restored database's rows do not match the backup's manifest")
            target.storage_dir.mkdir(parents=True, exist_ok=True)
            for name in manifest["files"]:
                destination = target.storage_dir / name
                destination.parent.mkdir(parents=True, exist_ok=True)
                _private(unpacked / FILES / name)
                shutil.move(unpacked / FILES / name, destination)
    return manifest


def timed_archive(directory: Path, now: datetime | None = None) -> Path:
    """`backup --into DIR`: a new archive's path in DIR, named by the time (UTC) so that names sort by age."""
    path = directory / (now or datetime.now(UTC)).strftime(TIMED_NAME)
    n = 1
    while path.exists() or path.with_name(path.name + PARTIAL_SUFFIX).exists():  # two in one second
        n += 1
        path = path.with_name(path.name.replace(".tar.gz", f"-{n}.tar.gz").replace(f"-{n - 1}-{n}", f"-{n}"))
    return path


def prune(directory: Path, keep: int) -> list[Path]:
    """Remove all but the `keep` newest archives `backup --into` wrote in DIR (others' files are left alone);
    returns what was removed."""
    archives = sorted(path for path in directory.glob("kenesh-*.tar.gz") if path.is_file())
    removed = archives[: max(0, len(archives) - keep)]
    for path in removed:
        path.unlink()
    return removed
