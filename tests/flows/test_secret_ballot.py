"""A secret ballot cannot be tied to anyone, on either database, while open or after (issue 18 §3; SETTLED: the
secret ballot's observer). Whoever gets the database (SQLite's kenesh.db, -wal and -shm; PostgreSQL's relation
files, dead row versions and WAL records) finds who voted, and in place of each choice a sealed ballot that only
the vote's key opens; the key is never there, and it is gone after the close. A restart without Redis loses the
key: the vote closes "not counted", the chair and the group are told, the chair opens it again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.ballot_seal import BallotSeal
from db.models import AuditAction, AuditEntry, Ballot, Choice, Member, Outcome, SealedBallot, SecretVoter, Vote
from tests.conftest import NOW, build_test_runtime, seed_council
from tests.flows.test_meeting import AGENDA, mark_present, open_meeting, post_vote

DECISION = "Төраганын орун басарын шайлоо"
LABELS = {Choice.FOR: "Макул", Choice.AGAINST: "Каршы", Choice.ABSTAIN: "Калыс"}
CHOICES = [Choice.FOR, Choice.AGAINST, Choice.FOR, Choice.ABSTAIN, Choice.FOR, Choice.AGAINST, Choice.FOR, Choice.FOR]
CAST_ORDER = [7, 2, 5, 0, 3, 6, 1, 4]  # not the order of member ids


async def meeting_day(flow, chair_locale: str = "ru"):
    """A 10-member council at its meeting, 8 present (members alternate Kyrgyz and Russian readers)."""
    council = await seed_council(flow, members=10, chair_locale=chair_locale)
    await flow.say(council.chair, council.chair, "/start")
    day = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} 15:00{AGENDA}")
    await flow.press(council.chair, preview, "Опубликовать" if chair_locale == "ru" else "Жарыялоо")
    flow.clock.advance(timedelta(days=8, hours=5))
    attendance = await open_meeting(flow, council)
    council.present = council.people[:8]
    await mark_present(flow, council, attendance, council.present)
    return council


def dialect(flow) -> str:
    return flow.sessionmaker.kw["bind"].dialect.name


# --- reading the database as a thief would ------------------------------------------------------------------


async def raw_database(flow, tmp_path: Path, since_lsn: int | None = None) -> bytes:
    """Every byte the database keeps for this test. SQLite: its three files. PostgreSQL: after a CHECKPOINT,
    the files of every table, index and TOAST table of the test's database (dead row versions included, as
    VACUUM has not run), with the WAL records written to them since `since_lsn`."""
    if dialect(flow) == "sqlite":
        names = ("kenesh.db", "kenesh.db-wal", "kenesh.db-shm")
        return b"".join(f.read_bytes() for f in (tmp_path / n for n in names) if f.exists())
    wal = await pg_wal_records(flow, since_lsn) if since_lsn else b""  # before the CHECKPOINT recycles segments
    async with flow.sessionmaker() as session:
        await session.execute(text("CHECKPOINT"))  # every page written to its file
        files = await session.scalars(
            text(
                "SELECT pg_relation_filepath(c.oid) FROM pg_class c WHERE pg_relation_filepath(c.oid) IS NOT NULL "
                "AND (c.relnamespace = 'public'::regnamespace OR c.oid IN "
                "(SELECT reltoastrelid FROM pg_class WHERE relnamespace = 'public'::regnamespace))"
            )
        )
        parts = [await session.scalar(text("SELECT pg_read_binary_file(:path)"), {"path": path}) for path in files]
    return b"".join(parts) + wal


async def pg_lsn(flow) -> int:
    async with flow.sessionmaker() as session:
        return int(await session.scalar(text("SELECT pg_current_wal_insert_lsn()")))  # asyncpg: an int


async def pg_wal_records(flow, since_lsn: int) -> bytes:
    """The bytes of every WAL record since `since_lsn` that touches a relation of the test's database (other
    databases on the server are left out), read from the segment files (pg_walinspect finds them)."""
    async with flow.sessionmaker() as session:
        await session.execute(text("CREATE EXTENSION IF NOT EXISTS pg_walinspect"))
        await session.commit()
        database = await session.scalar(text("SELECT oid FROM pg_database WHERE datname = current_database()"))
        records = (
            await session.execute(
                text(
                    "SELECT start_lsn, end_lsn - start_lsn FROM "
                    "pg_get_wal_records_info(:since, pg_current_wal_flush_lsn()) WHERE block_ref ~ :rel"
                ),
                {"since": since_lsn, "rel": rf"rel \d+/{database}/"},
            )
        ).all()
        chunks = []
        for start, length in records:
            chunks.append(
                await session.scalar(
                    text(
                        "SELECT pg_read_binary_file('pg_wal/' || file_name, file_offset, :length) "
                        "FROM pg_walfile_name_offset(:start)"
                    ),
                    {"start": start, "length": int(length)},
                )
            )
    assert records, "no WAL record of this database was found: the reading would prove nothing"
    return b"".join(chunks)


async def pg_row_versions(flow, table: str) -> list[bytes]:
    """Every version of every row in a table's pages, dead ones included (pageinspect)."""
    async with flow.sessionmaker() as session:
        await session.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        pages = await session.scalar(text(f"SELECT pg_relation_size('{table}') / current_setting('block_size')::int"))
        versions = []
        for page in range(pages):
            rows = await session.scalars(
                text(f"SELECT t_data FROM heap_page_items(get_raw_page('{table}', {page})) WHERE t_data IS NOT NULL")
            )
            versions += list(rows)
        await session.commit()
    return versions


def no_choice_in(raw: bytes, *, schema_in_file: bool) -> None:
    """No choice is anywhere to pair a member with: a choice's name appears only in the schema's column names
    (a plain ballot row, or its old version, would hold it; the vote has 2 against and 1 abstaining)."""
    for name in (b"against", b"abstain"):
        assert raw.count(name) == (raw.count(b"votes_" + name) if schema_in_file else 0), name


# --- the promise ----------------------------------------------------------------------------------------------


async def test_no_member_choice_pair_is_in_the_database_during_the_vote_or_after(flow, tmp_path):
    council = await meeting_day(flow)
    since = await pg_lsn(flow) if dialect(flow) == "postgresql" else None
    message = await post_vote(flow, council, f"/secretvote 1 {DECISION}")
    voters = {}
    for index in CAST_ORDER:
        flow.clock.advance(timedelta(seconds=7))
        await flow.press(council.present[index], message, LABELS[CHOICES[index]])
        voters[council.present[index].id] = CHOICES[index]
    changer = council.present[2]
    await flow.press(changer, message, "Каршы")  # a change of mind while open still works
    await flow.press(changer, message, "Макул")
    await flow.live.flush()
    assert "Проголосовали: 8 из 8 присутствующих" in message.text and "За:" not in message.text
    (vote,) = await flow.rows(Vote)

    # During: who voted is plain; each choice is sealed, and the vote's key (not in the database) opens them.
    member_ids = {m.user_id: m.id for m in await flow.members(council.id)}
    assert sorted(v.member_id for v in await flow.rows(SecretVoter)) == sorted(member_ids[u] for u in voters)
    assert await flow.rows(Ballot) == []
    sealed = {row.token: row.sealed for row in await flow.rows(SealedBallot)}
    key = await flow.vote_keys.key(vote.id)
    assert key is not None
    seal = BallotSeal(vote.id, key)
    assert dict(seal.open(token, box) for token, box in sealed.items()) == voters
    raw = await raw_database(flow, tmp_path, since)
    assert all(box in raw for box in sealed.values())  # the sealed ballots are there, read whole...
    assert key not in raw  # ...and their key is not
    no_choice_in(raw, schema_in_file=dialect(flow) == "sqlite")
    if dialect(flow) == "postgresql":
        versions = await pg_row_versions(flow, "sealed_ballots")
        assert len(versions) >= 9  # the change of mind left a dead version: it is sealed too
        assert all(len(v) < 80 and b"against" not in v for v in versions)
        assert await pg_row_versions(flow, "ballots") == []  # no plain ballot, ever

    await flow.press(council.chair, message, "Добушту жабуу")
    (vote,) = await flow.rows(Vote)
    assert (vote.votes_for, vote.votes_against, vote.votes_abstain, vote.outcome) == (5, 2, 1, Outcome.ADOPTED)
    assert "За: 5" in message.text

    # After: the totals and who voted (in member order); no sealed ballot; the key dropped.
    assert await flow.rows(SealedBallot) == []
    assert [v.member_id for v in await flow.rows(SecretVoter)] == sorted(member_ids[u] for u in voters)
    assert await flow.vote_keys.key(vote.id) is None
    if flow.vote_keys.redis is not None:
        assert not await flow.vote_keys.redis.exists(f"{flow.settings.redis_prefix}:vote-key:{vote.id}")
    raw = await raw_database(flow, tmp_path, since)
    no_choice_in(raw, schema_in_file=dialect(flow) == "sqlite")
    assert key not in raw
    if dialect(flow) == "sqlite":  # secure_delete and the WAL emptied: not even the sealed bytes are left
        assert not [box for box in sealed.values() if box in raw]
    # PostgreSQL keeps dead row versions until VACUUM, and its WAL: sealed bytes whose key no longer exists.


# --- a restart ------------------------------------------------------------------------------------------------


@pytest.fixture
async def restart(flow):
    """Start the bot again on the same database, as production does (bot.app.build_runtime): a new Dispatcher,
    ballot box, scheduler and VoteKeys, which find the secret ballots' keys only in the Redis given (None: the
    keys were in the old process's memory)."""
    started = []

    async def again(redis) -> None:  # a Redis client, or None
        await flow.scheduler.stop()
        for router in flow.dp.chain_tail:  # the handler modules' routers join the new Dispatcher
            router._parent_router = None
        runtime = build_test_runtime(flow.settings, flow.sessionmaker.kw["bind"], redis, flow.clock, bot=flow.bot)
        started.append(runtime.scheduler)
        flow.use(runtime)
        await runtime.scheduler.start()  # as the Dispatcher's startup does
        await flow.delivery.drain()

    yield again
    for scheduler in started:
        await scheduler.stop()  # its leader lock's connection closed


NOT_COUNTED = {
    "ru": "Тайное голосование не подсчитано",
    "ky": "Жашыруун добуш берүүдө добуштар эсептелген жок",
}
VOTE_NOT_COUNTED = {"ru": "Голосование закрыто без подсчёта.", "ky": "Добуш берүү эсептелбестен жабылды."}
CLOSED = {"ru": "Голосование закрыто.", "ky": "Добуш берүү жабылган."}
KEY_LOST = {
    "ru": "Это тайное голосование уже нельзя подсчитать: бот перезапустился, пока оно было открыто.",
    "ky": "Бул жашыруун добуш берүүнү эми эсептөө мүмкүн эмес: ал ачык турганда бот кайра иштетилди.",
}
LOG_LABEL = {"ru": "не подсчитано (перезапуск)", "ky": "эсептелген жок (бот кайра иштетилди)"}
PROTOCOL_LINE = {
    "ru": "Тайное голосование: голоса не подсчитаны, так как во время голосования бот перезапустился",
    "ky": "Жашыруун добуш берүү: добуштар эсептелген жок, анткени добуш берүү учурунда бот кайра иштетилип",
}


def locale_of(council, person) -> str:
    return council.chair_locale if person is council.chair else ("ky" if council.people.index(person) % 2 else "ru")


async def assert_told_not_counted(flow, council, message, vote_id: int, before: int, lang: str) -> None:
    """The vote closed not counted: its record, its message, the group and the chair told, the /log."""
    (vote,) = await flow.rows(Vote, Vote.id == vote_id)
    assert (vote.is_open, vote.outcome, vote.votes_for, vote.votes_against) == (False, Outcome.NOT_COUNTED, 0, 0)
    assert await flow.rows(SealedBallot, SealedBallot.vote_id == vote_id) == []
    assert await flow.vote_keys.key(vote_id) is None
    assert VOTE_NOT_COUNTED["ru"] in message.text and VOTE_NOT_COUNTED["ky"] in message.text
    assert message.buttons == []
    new = flow.api.outbox[before:]
    (to_group,) = [m for m in new if m.chat_id == council.group.id and m.text.startswith(NOT_COUNTED["ky"])]
    assert (
        NOT_COUNTED["ru"] in to_group.text and "Председатель вынесет вопрос на голосование повторно." in to_group.text
    )
    (to_chair,) = [m for m in new if m.chat_id == council.chair.id]
    assert to_chair.text.startswith(NOT_COUNTED[lang])
    assert f"/secretvote 1 {DECISION}" in to_chair.text and f"<code>/secretvote 1 {DECISION}</code>" in to_chair.html
    (entry,) = await flow.rows(AuditEntry, AuditEntry.action == AuditAction.VOTE_CLOSED, AuditEntry.obj_id == vote_id)
    assert entry.after == "not_counted"
    (page,) = await flow.say(council.chair, council.chair, "/log")
    assert LOG_LABEL[lang] in page.text


@pytest.mark.parametrize("lang", ["ky", "ru"])
async def test_a_restart_without_redis_closes_the_open_secret_ballot_not_counted(flow, restart, lang):
    council = await meeting_day(flow, chair_locale=lang)
    council.chair_locale = lang
    message = await post_vote(flow, council, f"/secretvote 1 {DECISION}")
    old_buttons = {label: message.button(label)["callback_data"] for label in ("Макул", "Добушту жабуу")}
    for person in council.present[:5]:
        await flow.press(person, message, "Макул")
    (vote,) = await flow.rows(Vote)
    voted = sorted(v.member_id for v in await flow.rows(SecretVoter))
    before = len(flow.api.outbox)

    await restart(None)  # no Redis: the key was in the old process's memory

    await assert_told_not_counted(flow, council, message, vote.id, before, lang)
    assert sorted(v.member_id for v in await flow.rows(SecretVoter)) == voted  # who voted is kept
    for person in council.present[5:7]:  # a Kyrgyz and a Russian reader press the old button: it is closed
        answer = await flow.press_data(person, message, old_buttons["Макул"])
        assert answer["text"] == CLOSED[locale_of(council, person)]
    answer = await flow.press_data(council.chair, message, old_buttons["Добушту жабуу"])
    assert answer["text"] == CLOSED[lang]

    # The chair opens it again, as told; the new vote has its key and counts.
    again = await post_vote(flow, council, f"/secretvote 1 {DECISION}")
    for person in council.present:
        await flow.press(person, again, "Макул")
    await flow.press(council.chair, again, "Добушту жабуу")
    (_, second) = sorted(await flow.rows(Vote), key=lambda v: v.id)
    assert (second.outcome, second.votes_for) == (Outcome.ADOPTED, 8)

    sent = await flow.say(council.chair, council.group, "/close")
    protocol = "\n".join(m.text for m in sent if m.chat_id == council.group.id and m.method == "sendMessage")
    assert PROTOCOL_LINE["ru"] in protocol and PROTOCOL_LINE["ky"] in protocol
    assert "Тайное голосование: за 8, против 0, воздержались 0. Принято." in protocol


@pytest.mark.parametrize("lang", ["ky", "ru"])
async def test_a_key_lost_while_running_refuses_presses_and_the_close_says_not_counted(flow, lang):
    """The key gone under a running bot (Redis emptied): a press is told, in the member's language, that the
    ballot cannot be counted; the chair's Close closes it not counted and tells the chair and the group."""
    council = await meeting_day(flow, chair_locale=lang)
    council.chair_locale = lang
    message = await post_vote(flow, council, f"/secretvote 1 {DECISION}")
    for person in council.present[:3]:
        await flow.press(person, message, "Каршы")
    (vote,) = await flow.rows(Vote)
    await flow.vote_keys.drop(vote.id)
    for person in council.present[3:5]:  # a Kyrgyz and a Russian reader
        answer = await flow.press(person, message, "Макул")
        assert answer["text"].startswith(KEY_LOST[locale_of(council, person)]), answer
    assert len(await flow.rows(SecretVoter)) == 3  # nothing stored for them
    before = len(flow.api.outbox)
    answer = await flow.press(council.chair, message, "Добушту жабуу")
    closed = {"ru": "Голосование закрыто: {}", "ky": "Добуш берүү жабылды: {}"}[lang]
    assert answer["text"] == closed.format(LOG_LABEL[lang])
    await flow.delivery.drain()
    await assert_told_not_counted(flow, council, message, vote.id, before, lang)


async def test_a_restart_with_redis_keeps_the_key_and_the_votes_already_cast(flow, redis, restart):
    if redis is None:
        pytest.skip("needs Redis: KENESH_TEST_REDIS_URL")
    council = await meeting_day(flow)
    message = await post_vote(flow, council, f"/secretvote 1 {DECISION}")
    for person in council.present[:4]:
        await flow.press(person, message, "Макул")
    await restart(redis)  # another process, the same Redis
    for person in council.present[4:]:
        await flow.press(person, message, "Каршы")
    await flow.press(council.present[0], message, "Калыс")  # a change of mind across the restart
    await flow.press(council.chair, message, "Добушту жабуу")
    (vote,) = await flow.rows(Vote)
    assert (vote.votes_for, vote.votes_against, vote.votes_abstain) == (3, 4, 1)
    assert await flow.vote_keys.key(vote.id) is None
    member_ids = {m.user_id: m.id for m in await flow.rows(Member)}
    assert [v.member_id for v in await flow.rows(SecretVoter)] == sorted(member_ids[p.id] for p in council.present)
