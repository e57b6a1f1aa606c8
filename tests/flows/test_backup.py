"""Backups that restore: `python -m bot backup FILE` while the bot runs, `python -m bot restore FILE` into an
empty data directory brings back the same rows (the protocol's .docx byte for byte) and the same files."""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from bot.ops.meeting_day import protocol_data
from bot.ui.protocol import protocol_messages
from db.engine import create_engine, make_sessionmaker, migrate
from db.models import GroupLanguage, Material, Meeting, MeetingStatus
from tests.conftest import NOW
from tests.flows import test_meeting
from tests.flows.test_materials import PDF, submit
from tests.flows.test_meeting import mark_present, open_meeting, post_vote

meeting = test_meeting.meeting  # the fixture: a 10-member council whose meeting is today

ROOT = Path(__file__).resolve().parents[2]


async def kenesh(
    *args: str, storage: Path, database: Path | None = None, url: str | None = None, stdin: str | None = None
) -> tuple[int, str, str]:
    """`python -m bot ...` as the operator runs it: DATABASE_URL the SQLite file `database` (or `url`)."""
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL", "STORAGE_DIR"}}
    env.update(DATABASE_URL=url or f"sqlite+aiosqlite:///{database}", STORAGE_DIR=str(storage), PYTHONPATH=str(ROOT))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin.encode() if stdin is not None else None), 120)
    return process.returncode, out.decode(), err.decode()


def table_rows(database: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(database) as connection:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        rows = {t: connection.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}
    connection.close()
    return rows


async def protocol_text(database: Path, meeting_id: int, flow) -> list[str]:
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with make_sessionmaker(engine)() as session:
            data = await protocol_data(session, meeting_id)
        with flow.dp["i18n"].context():
            return protocol_messages(data, flow.settings.tz, GroupLanguage.BOTH)
    finally:
        await engine.dispose()


def stored_files(storage: Path) -> dict[str, bytes]:
    return {p.relative_to(storage).as_posix(): p.read_bytes() for p in sorted(storage.rglob("*")) if p.is_file()}


def _sqlite_only(flow) -> None:
    """These two back up the flow's own database file; the PostgreSQL path has its own test below."""
    if flow.sessionmaker.kw["bind"].dialect.name != "sqlite":
        pytest.skip("backs up the flow's SQLite file; PostgreSQL: test_postgresql_backup_carries_a_pg_dump…")


async def test_a_backup_taken_while_the_bot_runs_restores_the_same_records(flow, meeting, tmp_path):
    _sqlite_only(flow)
    # A closed meeting with its protocol, and a material in the archive, made through the bot.
    attendance = await open_meeting(flow, meeting)
    await mark_present(flow, meeting, attendance, meeting.voters[:7])
    vote = await post_vote(flow, meeting, "/vote 1 Мектептин методикалык темасын бекитүү")
    for person in meeting.voters[:7]:
        await flow.press(person, vote, "Макул")
    await flow.say(meeting.chair, meeting.group, "/close")
    await submit(flow, meeting.people[2], PDF, "development.pdf", "Функционалдык сабаттуулук")
    (closed,) = await flow.rows(Meeting)
    assert closed.status is MeetingStatus.CLOSED and closed.protocol_number == 1
    (material,) = await flow.rows(Material)

    database, storage = tmp_path / "kenesh.db", flow.settings.storage_dir
    archive = tmp_path / "backups" / "kenesh-2026-12-03.tar.gz"
    code, out, err = await kenesh("backup", str(archive), database=database, storage=storage)  # the bot is up
    assert code == 0, err
    assert f"Backed up to {archive}: 1 council(s), 1 meeting(s), 1 material(s), 1 file(s)" in out
    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
        assert sorted(opened.getnames()) == sorted(
            ["manifest.json", "database/kenesh.db", f"files/{material.stored_name[:2]}/{material.stored_name}"]
        )
    assert manifest["database"] == "sqlite" and manifest["counts"]["meetings"] == 1
    assert archive.stat().st_mode & 0o777 == 0o600  # the members' records: for the operator only

    restored = tmp_path / "restored"
    code, out, err = await kenesh("restore", str(archive), database=restored / "kenesh.db", storage=restored / "files")
    assert code == 0, err
    assert "Restored from" in out and "1 council(s), 1 meeting(s), 1 material(s), 1 file(s)" in out

    assert table_rows(restored / "kenesh.db") == table_rows(database)  # every row of every table
    assert stored_files(restored / "files") == stored_files(storage)  # every file, byte for byte
    # The protocol /protocols sends from the restored records is the one issued (and Telegram's file id of
    # its .docx, kept on the meeting, resends the same bytes).
    issued = await protocol_text(database, closed.id, flow)
    assert "ПРОТОКОЛ №1" in "\n".join(issued)
    assert await protocol_text(restored / "kenesh.db", closed.id, flow) == issued

    # The restored data directory runs: the trimester check reads it like the original.
    code, out, err = await kenesh("watchdog", "--dry-run", database=restored / "kenesh.db", storage=restored / "files")
    assert code == 0 and "council 1 «Мектеп №5»" in out, err


async def test_restore_refuses_a_data_directory_that_has_records(flow, tmp_path):
    _sqlite_only(flow)
    database, storage = tmp_path / "kenesh.db", flow.settings.storage_dir
    archive = tmp_path / "kenesh.tar.gz"
    assert (await kenesh("backup", str(archive), database=database, storage=storage))[0] == 0
    before = database.read_bytes()

    code, out, err = await kenesh("restore", str(archive), database=database, storage=storage)
    assert code == 1 and out == ""
    assert "restore goes only into an empty data directory" in err and str(database) in err
    assert database.read_bytes() == before

    other = tmp_path / "other"
    (other / "files" / "ab").mkdir(parents=True)
    (other / "files" / "ab" / "left-behind.pdf").write_bytes(b"%PDF old")
    code, _, err = await kenesh("restore", str(archive), database=other / "kenesh.db", storage=other / "files")
    assert code == 1 and "is not empty" in err
    assert not (other / "kenesh.db").exists()


async def test_a_damaged_or_foreign_archive_is_refused_and_nothing_is_written(tmp_path):
    foreign = tmp_path / "photos.tar.gz"
    with tarfile.open(foreign, "w:gz") as archive:
        archive.add(__file__, arcname="photo.jpg")
    code, _, err = await kenesh(
        "restore", str(foreign), database=tmp_path / "new" / "kenesh.db", storage=tmp_path / "new" / "files"
    )
    assert code == 1 and "not a Kenesh backup" in err
    assert not (tmp_path / "new").exists()


PG = "postgresql+asyncpg://postgres@127.0.0.1:5432"


def postgresql_here() -> bool:
    if not all(shutil.which(tool) for tool in ("psql", "pg_dump", "pg_restore")):
        return False
    probe = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc", "SELECT 1"],
        capture_output=True,
        text=True,
        timeout=10,
    )
    return probe.returncode == 0


def psql(command: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", command], check=True)


@pytest.mark.skipif(not postgresql_here(), reason="no PostgreSQL on 127.0.0.1:5432 with pg_dump here")
async def test_postgresql_backup_carries_a_pg_dump_and_restores_into_an_empty_database(tmp_path):
    from sqlalchemy import select

    from db.models import Council, User

    source, target = f"kenesh_backup_{os.getpid()}", f"kenesh_restore_{os.getpid()}"
    for name in (source, target):
        psql(f"DROP DATABASE IF EXISTS {name}")
        psql(f"CREATE DATABASE {name}")
    try:
        engine = create_engine(f"{PG}/{source}")
        await migrate(engine)
        async with make_sessionmaker(engine)() as session:
            session.add(User(id=10, language="ky", created_at=NOW))
            await session.flush()
            session.add(Council(chat_id=-100, title="Мектеп №5", join_code="abc", chair_id=10, created_at=NOW))
            await session.commit()
        await engine.dispose()
        storage = tmp_path / "files"
        (storage / "ab").mkdir(parents=True)
        (storage / "ab" / "abcdef.pdf").write_bytes(PDF)

        archive = tmp_path / "kenesh.tar.gz"
        code, out, err = await kenesh("backup", str(archive), url=f"{PG}/{source}", storage=storage)
        assert code == 0, err
        with tarfile.open(archive) as opened:
            assert "database/kenesh.pgdump" in opened.getnames()

        restored = tmp_path / "restored"
        code, out, err = await kenesh("restore", str(archive), url=f"{PG}/{target}", storage=restored)
        assert code == 0, err
        assert stored_files(restored) == stored_files(storage)
        engine = create_engine(f"{PG}/{target}")
        async with make_sessionmaker(engine)() as session:
            (council,) = (await session.scalars(select(Council))).all()
        await engine.dispose()
        assert (council.title, council.chair_id, council.join_code) == ("Мектеп №5", 10, "abc")

        # Again into the same database: it has tables now, so nothing is touched.
        code, _, err = await kenesh("restore", str(archive), url=f"{PG}/{target}", storage=tmp_path / "again")
        assert code == 1 and "has tables" in err and not (tmp_path / "again").exists()
    finally:
        for name in (source, target):
            psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def test_an_archive_that_reaches_outside_is_refused(tmp_path):
    crafted = tmp_path / "crafted.tar.gz"
    with tarfile.open(crafted, "w:gz") as archive:
        body = json.dumps({"app": "kenesh", "format": 1, "database": None, "database_member": None, "files": {}})
        for name, data in (("manifest.json", body.encode()), ("../../escaped.txt", b"x")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    code, _, err = await kenesh("restore", str(crafted), database=tmp_path / "d" / "kenesh.db", storage=tmp_path / "f")
    assert code == 1 and "never does" in err
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path.parent / "escaped.txt").exists()
