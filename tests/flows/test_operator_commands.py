"""The operator's commands as the operator runs them (`python -m bot ...`, a process beside the bot):
backups on a timer, restore refusing a cut-short file, forget-member and delete-council (issue 19 §4, §5)."""

from __future__ import annotations

import json
import sqlite3
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import (
    Attendance,
    AuditEntry,
    Council,
    IssuedProtocol,
    Material,
    Meeting,
    Member,
    MemberStatus,
    ProtocolPart,
    Role,
    RosterEntry,
    User,
)
from tests.flows import test_meeting
from tests.flows.test_backup import PG, _sqlite_only, kenesh, postgresql_here, psql, stored_files
from tests.flows.test_materials import PDF, submit
from tests.flows.test_meeting import mark_present, open_meeting, post_vote

meeting = test_meeting.meeting  # the fixture: a 10-member council whose meeting is today


async def a_backup(flow, tmp_path: Path) -> Path:
    archive = tmp_path / "kenesh.tar.gz"
    code, _, err = await kenesh(
        "backup", str(archive), database=tmp_path / "kenesh.db", storage=flow.settings.storage_dir
    )
    assert code == 0, err
    return archive


async def test_a_cut_short_or_foreign_file_is_refused_in_one_line_and_nothing_is_written(flow, meeting, tmp_path):
    _sqlite_only(flow)
    whole = (await a_backup(flow, tmp_path)).read_bytes()
    for name, content in (
        ("cut.tar.gz", whole[: len(whole) // 2]),  # a copy that stopped half-way
        ("last-bytes-missing.tar.gz", whole[:-20]),
        ("notes.tar.gz", b"just some text, not an archive\n"),
    ):
        given = tmp_path / name
        given.write_bytes(content)
        new = tmp_path / f"new-{name}"
        code, out, err = await kenesh("restore", str(given), database=new / "kenesh.db", storage=new / "files")
        assert code == 1 and out == "", err
        assert err.count("\n") == 1 and "Traceback" not in err, err  # one line
        assert f"Kenesh cannot restore: {given} is not a complete Kenesh backup" in err
        assert not (new / "kenesh.db").exists() and not any((new / "files").rglob("*"))


async def test_a_restored_database_and_its_files_are_readable_by_their_owner_only(flow, meeting, tmp_path):
    _sqlite_only(flow)
    await submit(flow, meeting.people[2], PDF, "development.pdf", "Функционалдык сабаттуулук")
    archive = await a_backup(flow, tmp_path)
    restored = tmp_path / "restored"
    code, _, err = await kenesh("restore", str(archive), database=restored / "kenesh.db", storage=restored / "files")
    assert code == 0, err
    assert (restored / "kenesh.db").stat().st_mode & 0o777 == 0o600
    files = [path for path in (restored / "files").rglob("*") if path.is_file()]
    assert files and all(path.stat().st_mode & 0o077 == 0 for path in files)


async def test_backups_into_a_directory_keep_the_newest_fourteen(flow, tmp_path):
    _sqlite_only(flow)
    backups = tmp_path / "backups"
    backups.mkdir()
    old = [backups / f"kenesh-2026-10-{day:02d}T030000Z.tar.gz" for day in range(1, 17)]
    for path in old:
        path.write_bytes(b"an older backup")
    (backups / "notes.txt").write_text("the operator's own file")
    code, out, err = await kenesh(
        "backup", "--into", str(backups), "--keep", "14", database=tmp_path / "kenesh.db", storage=tmp_path / "f"
    )
    assert code == 0, err
    kept = sorted(path.name for path in backups.glob("kenesh-*.tar.gz"))
    assert len(kept) == 14 and kept[:13] == [path.name for path in old[3:]]  # the three oldest went
    (new,) = [name for name in kept if name.startswith("kenesh-20") and not name.startswith("kenesh-2026-10-")]
    assert f"Backed up to {backups / new}" in out and out.count("Removed the old backup") == 3
    assert (backups / "notes.txt").exists()
    with tarfile.open(backups / new) as opened:
        assert json.load(opened.extractfile("manifest.json"))["counts"]["councils"] == 0


@pytest.mark.skipif(not postgresql_here(), reason="no PostgreSQL on 127.0.0.1:5432 with pg_dump here")
async def test_a_postgresql_backup_says_its_row_counts_and_schema_revision(tmp_path):
    import os

    from db.engine import create_engine, head_revision, make_sessionmaker, migrate
    from tests.conftest import NOW

    name = f"kenesh_counts_{os.getpid()}"
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # a run stopped halfway may have left it
    psql(f"CREATE DATABASE {name}")
    try:
        engine = create_engine(f"{PG}/{name}")
        await migrate(engine)
        async with make_sessionmaker(engine)() as session:
            session.add(User(id=10, language="ky", created_at=NOW))
            await session.flush()
            session.add(Council(chat_id=-100, title="Мектеп №5", join_code="abc", chair_id=10, created_at=NOW))
            await session.commit()
        await engine.dispose()
        archive = tmp_path / "kenesh.tar.gz"
        code, out, err = await kenesh("backup", str(archive), url=f"{PG}/{name}", storage=tmp_path / "files")
        assert code == 0, err
        assert "1 council(s), 0 meeting(s), 0 material(s), 0 file(s)" in out  # not "? council(s)"
        with tarfile.open(archive) as opened:
            manifest = json.load(opened.extractfile("manifest.json"))
        assert manifest["revision"] == head_revision()
        assert manifest["counts"]["councils"] == 1 and manifest["counts"]["users"] == 1
    finally:
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def closed_meeting(flow, meeting) -> Meeting:
    """The meeting held: seven present, a decision adopted, the protocol issued."""
    attendance = await open_meeting(flow, meeting)
    await mark_present(flow, meeting, attendance, meeting.voters[:7])
    vote = await post_vote(flow, meeting, "/vote 1 Мектептин методикалык темасын бекитүү")
    for person in meeting.voters[:7]:
        await flow.press(person, vote, "Макул")
    await flow.say(meeting.chair, meeting.group, "/close")
    (held,) = await flow.rows(Meeting)
    return held


async def member_of(flow, person) -> Member:
    (member,) = await flow.rows(Member, Member.user_id == person.id)
    return member


async def test_forget_member_keeps_what_the_signed_protocol_holds_and_removes_the_rest(flow, meeting, tmp_path):
    _sqlite_only(flow)
    held = await closed_meeting(flow, meeting)
    present = meeting.voters[2]
    await submit(flow, present, PDF, "development.pdf", "Функционалдык сабаттуулук")  # no meeting discussed it
    issued_before = await flow.rows(IssuedProtocol)
    parts_before = [part.text for part in await flow.rows(ProtocolPart)]
    forgotten = await member_of(flow, present)
    name = forgotten.full_name
    db, files = tmp_path / "kenesh.db", flow.settings.storage_dir

    code, out, err = await kenesh("forget-member", str(meeting.id), str(forgotten.id), database=db, storage=files)
    assert code == 0, err
    assert f"forgotten: shown as №{forgotten.id}" in out and "1 material(s) and 1 file(s) deleted" in out
    assert f"member {forgotten.id} forgotten" in err  # logged, by ids only
    assert name not in err

    # What the signed protocol holds is as it was signed.
    assert [(p.document, p.sha256) for p in await flow.rows(IssuedProtocol)] == [
        (p.document, p.sha256) for p in issued_before
    ]
    assert [part.text for part in await flow.rows(ProtocolPart)] == parts_before
    (roster,) = await flow.rows(RosterEntry, RosterEntry.member_id == forgotten.id)
    assert roster.full_name == name and roster.meeting_id == held.id
    assert await flow.rows(Attendance, Attendance.member_id == forgotten.id)
    # The rest: the name, the Telegram id, the material and its file, the person's own row.
    (member,) = await flow.rows(Member, Member.id == forgotten.id)
    assert member.full_name == f"№{forgotten.id}" and member.status is MemberStatus.REMOVED
    assert member.user_id < 0
    assert await flow.rows(User, User.id == present.id) == []
    assert await flow.rows(Material) == [] and stored_files(files) == {}
    with sqlite3.connect(db) as raw:  # nowhere in the council's tables by Telegram id any more
        for table, column in (("members", "user_id"), ("attendance", "marked_by"), ("audit_log", "actor_id")):
            assert raw.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", (present.id,)).fetchone() == (0,)
    raw.close()
    assert all(entry.actor_name != name for entry in await flow.rows(AuditEntry))

    # Someone no signed protocol names (an applicant since) goes entirely; the chair cannot be forgotten; nor twice.
    newcomer = flow.api.person(700, "Жаңы", "Мугалим", "ky")
    async with flow.sessionmaker() as session:
        session.add(User(id=newcomer.id, language="ky", created_at=flow.clock.now()))
        await session.flush()
        session.add(
            Member(
                council_id=meeting.id,
                user_id=newcomer.id,
                full_name="Мугалим Жаңы",
                role=Role.TEACHER,
                status=MemberStatus.PENDING,
                applied_at=flow.clock.now(),
            )
        )
        await session.commit()
    absent = await member_of(flow, newcomer)
    code, out, err = await kenesh("forget-member", str(meeting.id), str(absent.id), database=db, storage=files)
    assert code == 0 and "deleted: no signed protocol holds them" in out, err
    assert await flow.rows(Member, Member.id == absent.id) == [] and await flow.rows(User, User.id == newcomer.id) == []
    chair = await member_of(flow, meeting.chair)
    for member_id, reason in ((chair.id, "is the chair"), (forgotten.id, "forgotten already"), (999, "has no member")):
        code, out, err = await kenesh("forget-member", str(meeting.id), str(member_id), database=db, storage=files)
        assert code == 1 and reason in err and err.count("\n") == 1, err


async def test_forget_member_waits_for_the_meeting_open_now(flow, meeting, tmp_path):
    _sqlite_only(flow)
    await open_meeting(flow, meeting)
    member = await member_of(flow, meeting.voters[3])
    code, _, err = await kenesh(
        "forget-member", str(meeting.id), str(member.id), database=tmp_path / "kenesh.db", storage=tmp_path / "f"
    )
    assert code == 1 and "open now" in err
    assert (await flow.rows(Member, Member.id == member.id))[0].full_name == member.full_name


async def test_delete_council_takes_a_backup_asks_and_then_deletes_everything_of_it(flow, meeting, tmp_path):
    _sqlite_only(flow)
    await closed_meeting(flow, meeting)
    await submit(flow, meeting.people[2], PDF, "development.pdf", "Функционалдык сабаттуулук")
    db, files, backups = tmp_path / "kenesh.db", flow.settings.storage_dir, tmp_path / "backups"
    args = ("delete-council", str(meeting.id), "--backups", str(backups))

    code, out, err = await kenesh(*args, database=db, storage=files, stdin="no\n")
    assert code == 1 and "not confirmed; nothing was deleted" in err
    assert "Backed up to" in out and "This deletes council 1 «Мектеп №5»: 11 member(s), 1 meeting(s)" in out
    assert len(await flow.rows(Council)) == 1

    code, out, err = await kenesh(*args, database=db, storage=files, stdin=f"{meeting.id}\n")
    assert code == 0, err
    assert "Deleted council 1" in out and "11 person(s) who belonged nowhere else, 1 file(s)" in out
    for model in (Council, Member, Meeting, Material, IssuedProtocol, AuditEntry, User):
        assert await flow.rows(model) == [], model
    assert stored_files(files) == {}
    (first, second) = sorted(backups.glob("kenesh-*.tar.gz"))  # one before each attempt
    code, out, err = await kenesh(
        "restore", str(second), database=tmp_path / "r" / "kenesh.db", storage=tmp_path / "rf"
    )
    assert code == 0 and "1 council(s), 1 meeting(s), 1 material(s), 1 file(s)" in out, err
    async with flow.sessionmaker() as session:
        assert (await session.scalars(select(Council))).all() == []
