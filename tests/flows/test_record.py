"""The council's record holds (issue 8) and every meeting-day action happens once (issue 9): protocols resent
as issued, secret ballots that cannot be paired even from the database file, the roster frozen at /open,
votes and meetings that end oddly, who was heard, races, Telegram failures in the middle, long rosters."""

from __future__ import annotations

import asyncio
import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest
from docx import Document
from sqlalchemy.exc import IntegrityError

from db.models import (
    AgendaItem,
    Ballot,
    Council,
    IssuedProtocol,
    Meeting,
    MeetingStatus,
    Member,
    MemberStatus,
    OutboxMessage,
    Outcome,
    ProtocolPart,
    Role,
    RosterEntry,
    SealedBallot,
    SecretVoter,
    User,
    Vote,
)
from tests.conftest import NOW, seed_council
from tests.flows import test_meeting
from tests.flows.test_meeting import AGENDA, mark_present, open_meeting, post_vote

meeting = test_meeting.meeting  # the same fixture: a 10-member council (and a participant) on its meeting day

RU_FOR, RU_AGAINST, RU_ABSTAIN = "За", "Против", "Воздержался"
SECOND_CLOSE = {  # the second of two /close finds nothing to do and says so (in the sender's language)
    "Это заседание уже закрыто.",
    "Бул отурум жабылып калган.",
    "Открытого заседания нет. Председатель открывает сегодняшнее заседание командой /open.",
    "Ачык отурум жок. Бүгүнкү отурумду төрага /open менен ачат.",
}


def _protocol_posts(sent: list) -> list:
    return [m for m in sent if m.method == "sendMessage" and "ПРОТОКОЛ" in m.text.upper() and "№" in m.text]


async def _at_once(flow, *updates: dict) -> None:
    """Updates handled concurrently (as the Dispatcher does), then one pass of the delivery worker: two
    concurrent drains would be two workers, and claiming rows between workers is the outbox's own test."""
    from aiogram.types import Update

    await asyncio.gather(
        *(flow.dp.feed_update(flow.bot, Update.model_validate(u, context={"bot": flow.bot})) for u in updates)
    )
    await flow.delivery.drain()
    assert not flow.errors.records, [r.getMessage() for r in flow.errors.records]


async def _set_secretary(flow, council, person) -> None:
    async with flow.sessionmaker() as session:
        row = await session.get(Council, council.id)
        row.secretary_id = person.id
        await session.commit()


async def _remove(flow, council, name: str) -> None:
    """The chair removes a member through /members, as in test_members."""
    (listing,) = await flow.say(council.chair, council.chair, "/members")
    await flow.press(council.chair, listing, name)
    await flow.press(council.chair, listing, "Исключить из совета")
    await flow.press(council.chair, listing, "Да, исключить")


# --- 8.1 a protocol is kept as issued ------------------------------------------------------------------------


async def test_protocols_resends_exactly_what_was_issued_after_members_change(flow, meeting):
    attendance = await open_meeting(flow, meeting)
    await mark_present(flow, meeting, attendance, meeting.voters[:8])
    sent = await flow.say(meeting.chair, meeting.group, "/close")
    posted = [m.html for m in sent if m.chat_id == meeting.group.id and m.method == "sendMessage"]
    (document,) = [m for m in sent if m.method == "sendDocument"]
    issued_bytes, _ = flow.api.files[document.document["file_id"]]
    (issued,) = await flow.rows(IssuedProtocol)
    assert issued.document == issued_bytes and issued.sha256 == hashlib.sha256(issued_bytes).hexdigest()
    parts = await flow.rows(ProtocolPart)
    assert [p.locale for p in parts] == ["ky", "ru"] and [p.text for p in parts] == posted

    # After the close: a member present is renamed, another removed, the group now reads Russian only.
    async with flow.sessionmaker() as session:
        renamed = (await session.scalars(text_select_member("Фамилия03 Мугалим3"))).one()
        renamed.full_name = "Жаңы Аты"
        (await session.get(Council, meeting.id)).group_language = "ru"
        await session.commit()
    await _remove(flow, meeting, "Фамилия05 Мугалим5")

    reader = meeting.voters[1]  # a Kyrgyz reader
    (listing,) = await flow.say(reader, reader, "/protocols")
    before = len(flow.api.sent_to(reader.id))
    await flow.press(reader, listing, "Протокол №1")
    again = flow.api.sent_to(reader.id)[before:]
    assert [m.html for m in again if m.method == "sendMessage"] == [parts[0].text]  # the Kyrgyz part as issued
    assert "Фамилия03 Мугалим3" in again[0].text and "Жаңы Аты" not in again[0].text
    (resent,) = [m for m in again if m.method == "sendDocument"]
    resent_bytes, _ = flow.api.files[resent.document["file_id"]]
    assert resent_bytes == issued_bytes  # byte for byte
    assert resent.document["file_name"] == document.document["file_name"]
    paragraphs = [p.text for p in Document(io.BytesIO(resent_bytes)).paragraphs]
    assert any("Фамилия05 Мугалим5" in p for p in paragraphs)

    russian = meeting.voters[2]
    (listing,) = await flow.say(russian, russian, "/protocols")
    before = len(flow.api.sent_to(russian.id))
    await flow.press(russian, listing, "Протокол №1")
    again = flow.api.sent_to(russian.id)[before:]
    assert [m.html for m in again if m.method == "sendMessage"] == [parts[1].text]


def text_select_member(name: str):
    from sqlalchemy import select

    return select(Member).where(Member.full_name == name)


async def test_protocol_numbers_are_unique_per_council_and_school_year_in_the_database(flow):
    council = await seed_council(flow, members=3)
    at = datetime(2026, 10, 1, 10, tzinfo=UTC)
    async with flow.sessionmaker() as session:
        for _ in range(2):
            session.add(
                Meeting(
                    council_id=council.id,
                    starts_at=at,
                    status=MeetingStatus.CLOSED,
                    created_by=council.chair.id,
                    created_at=at,
                    school_year=2026,
                    protocol_number=1,
                )
            )
        with pytest.raises(IntegrityError):
            await session.commit()


# --- 8.2 a secret ballot stays secret --------------------------------------------------------------------------


# The files, pages and WAL of both databases, during a secret ballot and after: tests/flows/test_secret_ballot.py.


# --- 8.3 the roster is frozen at the opening -------------------------------------------------------------------


async def test_the_roster_frozen_at_open_decides_quorum_and_who_votes(flow, meeting):
    attendance = await open_meeting(flow, meeting)
    assert len(await flow.rows(RosterEntry)) == 10  # the 10 with a vote; not the participant
    present = meeting.voters[:6]  # 6 of 10: no quorum (7 needed)
    await mark_present(flow, meeting, attendance, present)
    # During the meeting the chair removes two absent members and one who is present...
    await _remove(flow, meeting, "Фамилия08 Мугалим8")
    await _remove(flow, meeting, "Фамилия09 Мугалим9")
    await _remove(flow, meeting, "Фамилия05 Мугалим5")
    # ...and a newcomer is approved.
    newcomer = flow.api.person(300, "Жаңы", "Мүчө", "ru")
    async with flow.sessionmaker() as session:
        session.add(User(id=newcomer.id, language="ru", created_at=flow.clock.now()))
        await session.flush()
        session.add(
            Member(
                council_id=meeting.id,
                user_id=newcomer.id,
                full_name="Мүчө Жаңы",
                role=Role.TEACHER,
                status=MemberStatus.APPROVED,
                applied_at=flow.clock.now(),
            )
        )
        await session.commit()
    await flow.press(newcomer, attendance, "Присутствую")

    message = await post_vote(flow, meeting, "/vote 1 Бекитүү")
    answer = await flow.press(newcomer, message, "Макул")
    assert (
        answer["text"]
        == "Вы вступили в совет после открытия этого заседания: голосовать вы будете со следующего заседания."
    )
    removed = meeting.voters[5]  # removed during the meeting, still on its roster
    assert (await flow.press(removed, message, "Макул"))["text"] in {"Добушуңуз кабыл алынды: Макул", "Голос учтён: За"}
    for person in present[:5]:
        await flow.press(person, message, "Макул")
    # A member marked present by mistake votes, then the chair unmarks them: their ballot does not count.
    roll = next(m for m in flow.api.sent_to(meeting.chair.id) if m.text.startswith("Заседание открыто."))
    await flow.press(meeting.chair, roll, "Фамилия06 Мугалим6")
    await flow.press(meeting.voters[6], message, "Каршы")
    await flow.press(meeting.chair, roll, "Фамилия06 Мугалим6")  # unmarked again
    await flow.press(meeting.chair, message, "Добушту жабуу")
    (vote,) = await flow.rows(Vote)
    assert (vote.outcome, vote.members_total, vote.present_total, vote.votes_for, vote.votes_against) == (
        Outcome.NO_QUORUM,
        10,
        6,
        6,
        0,
    )
    sent = await flow.say(meeting.chair, meeting.group, "/close")
    protocol = "\n".join(m.text for m in _protocol_posts(sent))
    assert "Присутствовали члены совета (6 из 10)" in protocol
    assert "Фамилия05 Мугалим5" in protocol and "Фамилия08 Мугалим8, Фамилия09 Мугалим9" in protocol
    assert "Мүчө Жаңы" in protocol.split("Участники без права голоса:")[1].splitlines()[0]


# --- 8.4 votes and meetings that end oddly ---------------------------------------------------------------------


async def test_closing_a_vote_nobody_voted_in_asks_first_and_reads_no_votes_cast(flow, meeting):
    attendance = await open_meeting(flow, meeting)
    await mark_present(flow, meeting, attendance, meeting.voters[:7])
    message = await post_vote(flow, meeting, "/vote 2 Бекитүү")
    answer = await flow.press(meeting.chair, message, "Добушту жабуу")
    (vote,) = await flow.rows(Vote)
    assert vote.is_open and message.buttons  # nothing closed yet
    confirm = flow.api.last_to(meeting.group.id)  # asked in the group's two languages, as every group post
    assert confirm.text.startswith("Азырынча эч ким добуш берген жок.") and answer["text"] is not None
    assert "\n\nПока никто не проголосовал." in confirm.text
    assert [b["text"] for b in confirm.buttons] == ["Добушсуз жабуу / Закрыть без голосов"]
    await flow.press(meeting.chair, confirm, "Закрыть без голосов")
    (vote,) = await flow.rows(Vote)
    assert (vote.is_open, vote.outcome) == (False, Outcome.NO_VOTES)
    assert "Итог: голосов не подано." in message.text and "не принято" not in message.text
    assert confirm.text.endswith("\n\nГолосование закрыто: голосов не подано")
    sent = await flow.say(meeting.chair, meeting.group, "/close")
    assert "голосов не подано" in "\n".join(m.text for m in _protocol_posts(sent))


async def test_a_material_on_an_item_with_no_votes_cast_waits_for_the_next_meeting(flow):
    from db.models import Material, MaterialState
    from tests.flows.test_materials import PDF, submit

    council = await seed_council(flow, members=4)
    await flow.say(council.chair, council.chair, "/start")
    await submit(flow, council.people[2], PDF, "dev.pdf", "Долбоорлоо ыкмасы")
    day = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} 15:00\n1. Окуу пландары")
    await flow.press(council.chair, preview, "Опубликовать")
    card = next(m for m in flow.api.sent_to(council.chair.id) if m.text.startswith("Материал №1"))
    await flow.press(council.chair, card, "Поставить в повестку")
    await flow.press(council.chair, flow.api.last_to(council.chair.id), "2026")
    flow.clock.advance(timedelta(days=8, hours=5))
    attendance = await open_meeting(flow, council)
    await mark_present(flow, council, attendance, council.people)
    message = await post_vote(flow, council, "/vote 2 Материалды банкка кошуу")
    await flow.press(council.chair, message, "Добушту жабуу")
    await flow.press(council.chair, flow.api.last_to(council.group.id), "Закрыть без голосов")
    await flow.say(council.chair, council.group, "/close")
    (material,) = await flow.rows(Material)
    assert material.state is MaterialState.SUBMITTED  # not rejected: back on the chair's list


async def test_a_meeting_left_open_is_closed_by_the_next_days_check_and_blocks_no_other(flow):
    council = await seed_council(flow, members=10)
    await flow.say(council.chair, council.chair, "/start")
    for days in (8, 9):
        day = (NOW + timedelta(days=days)).strftime("%d.%m.%Y")
        (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} 15:00{AGENDA}")
        await flow.press(council.chair, preview, "Опубликовать")
    flow.clock.advance(timedelta(days=8, hours=5))
    attendance = await open_meeting(flow, council)
    await mark_present(flow, council, attendance, council.people[:7])
    message = await post_vote(flow, council, "/vote 1 Бекитүү")
    for person in council.people[:7]:
        await flow.press(person, message, "Макул")
    # The chair forgets /close. The next day, before the daily check:
    flow.clock.advance(timedelta(days=1))
    (refused,) = await flow.say(council.chair, council.group, "/open")
    assert refused.text.startswith("Заседание от 3 декабря 2026") and "/close" in refused.text
    assert [m.status for m in sorted(await flow.rows(Meeting), key=lambda m: m.id)] == [
        MeetingStatus.OPEN,
        MeetingStatus.ANNOUNCED,
    ]

    before = len(flow.api.outbox)
    await flow.scheduler.daily_check()
    await flow.delivery.drain()
    first, second = sorted(await flow.rows(Meeting), key=lambda m: m.id)
    assert (first.status, first.closed_automatically, first.protocol_number) == (MeetingStatus.CLOSED, True, 1)
    (vote,) = await flow.rows(Vote)
    assert (vote.is_open, vote.outcome, vote.votes_for) == (False, Outcome.ADOPTED, 7)
    posted = "\n".join(m.text for m in _protocol_posts(flow.api.outbox[before:]))
    assert "оно закрыто автоматически в конце дня" in posted and "күндүн аягында автоматтык түрдө жабылды" in posted
    assert "Итог: принято." in message.text or vote.outcome is Outcome.ADOPTED

    await open_meeting(flow, council)
    assert (await flow.rows(Meeting, Meeting.id == second.id))[0].status is MeetingStatus.OPEN


# --- 8.7 who was heard -----------------------------------------------------------------------------------------


async def test_heard_records_who_reported_and_the_protocol_uses_it(flow, meeting):
    attendance = await open_meeting(flow, meeting)
    await mark_present(flow, meeting, attendance, meeting.voters[:7])
    (refused,) = await flow.say(meeting.chair, meeting.group, "/heard Осмонова")
    assert refused.text.startswith("Напишите номер вопроса и кто по нему докладывал")
    (refused,) = await flow.say(meeting.chair, meeting.group, "/heard 5 Осмонова Г.")
    assert refused.text == "В повестке нет вопроса 5."
    (refused,) = await flow.say(meeting.voters[1], meeting.group, "/heard 2 Осмонова Г.")
    assert "председатель или секретарь" in refused.text or "төрагасы же катчысы" in refused.text
    (done,) = await flow.say(meeting.chair, meeting.group, "/heard 2 Асанова Б.")
    assert done.text == (  # a group post: in the group's languages, not only the chair's
        "Протоколго жазылды. 2-маселе боюнча угулду — Асанова Б.\n\n"
        "Записано в протокол. По вопросу 2 слушали — Асанова Б."
    )
    items = await flow.rows(AgendaItem)
    assert [i.heard for i in items] == [None, "Асанова Б."]
    sent = await flow.say(meeting.chair, meeting.group, "/close")
    protocol = "\n".join(m.text for m in _protocol_posts(sent))
    assert "Слушали: Осмонова Г." in protocol  # item 1: the agenda's reporter
    assert "Слушали: Асанова Б." in protocol and "Угулду: Асанова Б." in protocol


# --- 9.1 exactly once --------------------------------------------------------------------------------------------


async def test_close_by_chair_and_secretary_at_once_posts_one_protocol(flow, meeting):
    secretary = meeting.voters[3]
    await _set_secretary(flow, meeting, secretary)
    attendance = await open_meeting(flow, meeting)
    await mark_present(flow, meeting, attendance, meeting.voters[:7])
    before = len(flow.api.outbox)
    await _at_once(
        flow,
        flow.api.message_update(meeting.chair, meeting.group.chat, "/close"),
        flow.api.message_update(secretary, meeting.group.chat, "/close"),
    )
    sent = flow.api.outbox[before:]
    assert len([m for m in sent if m.method == "sendDocument"]) == 1
    titles = [m.text for m in _protocol_posts(sent) if "ПРОТОКОЛ №" in m.text or "ПРОТОКОЛУ" in m.text]
    assert len(titles) == 2  # one protocol, in Kyrgyz and in Russian
    (closed,) = await flow.rows(Meeting)
    assert closed.protocol_number == 1 and len(await flow.rows(IssuedProtocol)) == 1
    docs = [o for o in await flow.rows(OutboxMessage) if o.kind == "protocol_doc"]
    assert len(docs) == 1
    (told,) = [m.text for m in sent if m.method == "sendMessage" and m not in _protocol_posts(sent)]
    assert told in SECOND_CLOSE


async def test_a_vote_closed_twice_at_once_closes_once(flow, meeting):
    attendance = await open_meeting(flow, meeting)
    await mark_present(flow, meeting, attendance, meeting.voters[:7])
    message = await post_vote(flow, meeting, "/vote 1 Бекитүү")
    for person in meeting.voters[:7]:
        await flow.press(person, message, "Макул")
    data = message.button("Добушту жабуу")["callback_data"]
    updates = [flow.api.callback_update(meeting.chair, message, data) for _ in range(2)]
    await _at_once(flow, *updates)
    answers = sorted(flow.api.answers[u["callback_query"]["id"]]["text"] for u in updates)
    assert answers == ["Голосование закрыто.", "Голосование закрыто: принято"]
    (vote,) = await flow.rows(Vote)
    assert (vote.is_open, vote.votes_for) == (False, 7)


async def test_open_twice_at_once_opens_once(flow, meeting):
    secretary = meeting.voters[3]
    await _set_secretary(flow, meeting, secretary)
    before = len(flow.api.outbox)
    await _at_once(
        flow,
        flow.api.message_update(meeting.chair, meeting.group.chat, "/open"),
        flow.api.message_update(secretary, meeting.group.chat, "/open"),
    )
    sent = flow.api.outbox[before:]
    attendance = [m for m in sent if "Присутствую" in str(m.reply_markup)]
    assert len(attendance) == 1
    assert "Сегодняшнее заседание уже открыто." in [m.text for m in sent] or "Бүгүнкү отурум ачылып калган." in [
        m.text for m in sent
    ]
    assert len(await flow.rows(RosterEntry)) == 10
    (opened,) = await flow.rows(Meeting)
    assert opened.attendance_message_id == attendance[0].message_id


# --- 9.2 a failure in the middle leaves nothing half made ----------------------------------------------------------


async def test_a_502_on_open_leaves_the_meeting_announced_and_open_works_again(flow, meeting):
    flow.api.fail("sendMessage", 502)
    (told,) = await flow.say(meeting.chair, meeting.group, "/open")
    assert (
        told.text == "Telegram не принял сообщение для отметки присутствия, поэтому заседание ещё не открыто. "
        "Отправьте /open ещё раз."
    )
    (row,) = await flow.rows(Meeting)
    assert (row.status, row.opened_at, row.attendance_message_id) == (MeetingStatus.ANNOUNCED, None, None)
    assert await flow.rows(RosterEntry) == []
    attendance = await open_meeting(flow, meeting)
    (row,) = await flow.rows(Meeting)
    assert row.status is MeetingStatus.OPEN and row.attendance_message_id == attendance.message_id


async def test_a_failed_vote_post_leaves_no_phantom_vote(flow, meeting):
    attendance = await open_meeting(flow, meeting)
    await mark_present(flow, meeting, attendance, meeting.voters[:7])
    flow.api.fail("sendMessage", 502)
    (told,) = await flow.say(meeting.chair, meeting.group, "/vote 1 Бекитүү")
    assert (
        told.text == "Telegram не принял сообщение о голосовании, поэтому голосования нет. Отправьте команду ещё раз."
    )
    assert await flow.rows(Vote) == []
    message = await post_vote(flow, meeting, "/vote 1 Бекитүү")
    for person in meeting.voters[:7]:
        await flow.press(person, message, "Макул")
    sent = await flow.say(meeting.chair, meeting.group, "/close")
    protocol = "\n".join(m.text for m in _protocol_posts(sent))
    assert protocol.count("Постановили: Бекитүү") == 1 and "не принято" not in protocol


# --- 9.3 / 9.4 long rosters and odd input --------------------------------------------------------------------------


async def test_a_vote_of_sixty_long_names_stays_under_the_limit_and_closes(flow):
    council = await seed_council(flow, members=60)
    async with flow.sessionmaker() as session:
        for member in await session.scalars(text_select_all_members(council.id)):
            member.full_name = (member.full_name + " Кызы Узун Атка Ээ Болгон Мугалим")[:60]
        await session.commit()
    await flow.say(council.chair, council.chair, "/start")
    day = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} 15:00{AGENDA}")
    await flow.press(council.chair, preview, "Опубликовать")
    flow.clock.advance(timedelta(days=8, hours=5))
    attendance = await open_meeting(flow, council)
    await mark_present(flow, council, attendance, council.people)
    message = await post_vote(flow, council, "/vote 1 Бекитүү")
    for person in council.people:
        await flow.press(person, message, "Макул")
    await flow.live.flush()
    assert "За: 60" in message.text and "Фамилия" in message.text  # names while they fit, then how many more
    assert "и ещё" in message.text
    assert not [e for e in flow.api.errors if e[0].startswith("edit")]
    answer = await flow.press(council.chair, message, "Добушту жабуу")
    assert answer["text"] == "Голосование закрыто: принято"
    assert "Итог: принято." in message.text


def text_select_all_members(council_id: int):
    from sqlalchemy import select

    return select(Member).where(Member.council_id == council_id)


async def test_vote_with_an_item_number_and_no_decision_is_refused(flow, meeting):
    await open_meeting(flow, meeting)
    (refused,) = await flow.say(meeting.chair, meeting.group, "/vote 1")
    assert refused.text.startswith("Напишите решение после команды")
    assert await flow.rows(Vote) == []


async def test_a_press_racing_the_close_leaves_no_ballot_behind_a_closed_secret_vote(flow, meeting):
    """The press read the vote as open; the close committed before its write: the write finds it closed."""
    from db.models import Choice
    from db.repo import meeting_day as day_repo

    attendance = await open_meeting(flow, meeting)
    await mark_present(flow, meeting, attendance, meeting.voters[:7])
    message = await post_vote(flow, meeting, "/secretvote 1 Шайлоо")
    await flow.press(meeting.voters[0], message, "Макул")
    late = meeting.voters[1]
    async with flow.sessionmaker() as session:
        vote_id = (await flow.rows(Vote))[0].id
        is_open, voters, _paused = await day_repo.voters(session, vote_id, [late.id])
        assert is_open and voters[late.id].on_roster and voters[late.id].present  # what the press saw
        seal = await flow.vote_keys.seal(vote_id)
        await flow.press(meeting.chair, message, "Добушту жабуу")  # meanwhile, the chair closes
        await day_repo.mark_secret_voters(session, vote_id, [late.id])
        written = await day_repo.store_sealed_ballots(session, vote_id, {late.id: seal.seal(late.id, Choice.AGAINST)})
        await session.commit()
    assert written == set() and await flow.rows(SealedBallot) == [] and await flow.rows(Ballot) == []
    assert len(await flow.rows(SecretVoter)) == 1  # only the one counted
    (vote,) = await flow.rows(Vote)
    assert (vote.votes_for, vote.votes_against) == (1, 0)


async def test_the_chairs_roll_call_of_ninety_comes_in_pages(flow):
    council = await seed_council(flow, members=90)
    await flow.say(council.chair, council.chair, "/start")
    day = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} 15:00{AGENDA}")
    await flow.press(council.chair, preview, "Опубликовать")
    flow.clock.advance(timedelta(days=8, hours=5))
    attendance = await open_meeting(flow, council)
    assert "0 из 90" in attendance.text
    roll = flow.api.last_to(council.chair.id)
    assert len(roll.buttons) == 40 + 3 and roll.buttons[-2]["text"] == "1/3"
    await flow.press(council.chair, roll, "▶")
    assert roll.buttons[-2]["text"] == "2/3"
    name = roll.buttons[5]["text"].split(" ", 1)[1]
    await flow.press(council.chair, roll, name)
    assert roll.buttons[-2]["text"] == "2/3" and any(b["text"] == f"✅ {name}" for b in roll.buttons)
    await flow.live.flush()
    assert "1 из 90" in attendance.text
    stranger = council.people[3]
    answer = await flow.press_data(stranger, roll, roll.buttons[-1]["callback_data"])
    assert answer["text"] in {
        "Муну кеңештин төрагасы же катчысы гана жасай алат.",
        "Это может сделать только председатель или секретарь совета.",
    }
