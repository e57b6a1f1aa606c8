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

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
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


def _dump_postgresql(database_url: str, destination: Path) -> None:
    dsn, env = _pg_environment(database_url)
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={destination}", f"--dbname={dsn}"],
        env=env,
        check=True,
    )


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
                _dump_postgresql(target.database_url, database_copy)
                manifest["database_member"] = PGDUMP_MEMBER
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
    if manifest.get("app") != "kenesh" or manifest.get("format") != FORMAT:
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
    """Bring the archive's database and files back into an empty place; returns the manifest."""
    if not archive_path.is_file():
        raise BackupError(f"no backup at {archive_path}")
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
            target.storage_dir.mkdir(parents=True, exist_ok=True)
            for name in manifest["files"]:
                destination = target.storage_dir / name
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(unpacked / FILES / name, destination)
    return manifest
