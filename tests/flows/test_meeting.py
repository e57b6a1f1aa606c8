"""The meeting: attendance, inline-button votes with the 2/3 quorum (cl. 7.7), closing, the protocol."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

import pytest
from docx import Document

from db.models import Ballot, Meeting, MeetingStatus, Outcome, SealedBallot, SecretVoter, User, Vote
from tests.conftest import NOW, seed_council

AGENDA = "\n1. Мектептин методикалык темасы — Осмонова Г.\n2. Окуу топторунун иш пландары"


@pytest.fixture
async def meeting(flow):
    """A 10-member council (plus one participant) whose meeting, announced 8 days ahead, is today."""
    council = await seed_council(flow, members=10, participants=1)
    await flow.say(council.chair, council.chair, "/start")
    day = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} 15:00 Кабинет 12{AGENDA}")
    await flow.press(council.chair, preview, "Опубликовать")
    flow.clock.advance(timedelta(days=8, hours=5))  # the meeting day, 15:00
    council.participant = council.people[-1]
    council.voters = council.people[:-1]
    return council


async def open_meeting(flow, council):  # the attendance message in the group
    await flow.say(council.chair, council.group, "/open")
    return next(m for m in flow.api.sent_to(council.group.id) if "Присутствую" in str(m.reply_markup))


async def mark_present(flow, council, attendance, people) -> None:
    for person in people:
        answer = await flow.press(person, attendance, "Присутствую")
        assert answer["text"] in {"Сиз катышты деп белгилендиңиз.", "Ваше присутствие отмечено."}


async def post_vote(flow, council, text: str):  # the vote message
    sent = await flow.say(council.chair, council.group, text)
    (vote_message,) = [m for m in sent if m.chat_id == council.group.id]
    return vote_message


async def test_open_posts_attendance_with_a_live_count(flow, meeting):
    attendance = await open_meeting(flow, meeting)
    assert "Присутствуют члены совета: 0 из 10 · для кворума нужно 7" in attendance.text
    assert "Катышып жатат: 10 мүчөдөн 0 · кворум үчүн 7 киши керек" in attendance.text  # both languages, Kyrgyz first
    await mark_present(flow, meeting, attendance, meeting.voters[1:4] + [meeting.participant])
    answer = await flow.press(meeting.voters[1], attendance, "Присутствую")
    assert answer["text"] == "Сиз мурунтан эле катышты деп белгиленгенсиз."  # a Kyrgyz reader, pressed twice
    assert attendance.edits == 0  # nothing edited per press: the timer does it
    await flow.live.flush()
    assert "Присутствуют члены совета: 3 из 10" in attendance.text
    assert "Участники без права голоса: 1" in attendance.text
    assert attendance.edits == 1
    await flow.live.flush()
    assert attendance.edits == 1  # nothing changed, no edit (Telegram would refuse it)


async def test_chair_marks_members_without_phones(flow, meeting):
    attendance = await open_meeting(flow, meeting)
    roll = flow.api.last_to(meeting.chair.id)
    assert roll.text.startswith("Заседание открыто.")
    name = "Фамилия05 Мугалим5"
    await flow.press(meeting.chair, roll, name)
    assert any(b["text"] == f"✅ {name}" for b in roll.buttons)
    await flow.live.flush()
    assert "Присутствуют члены совета: 1 из 10" in attendance.text
    await flow.press(meeting.chair, roll, name)  # a mistake, undone
    await flow.live.flush()
    assert "Присутствуют члены совета: 0 из 10" in attendance.text


async def test_vote_buttons_order_and_who_may_vote(flow, meeting):
    attendance = await open_meeting(flow, meeting)
    await mark_present(flow, meeting, attendance, meeting.voters[:7] + [meeting.participant])
    message = await post_vote(flow, meeting, "/vote 1 Мектептин методикалык темасын бекитүү")
    assert [[b["text"] for b in row] for row in message.reply_markup["inline_keyboard"]] == [
        ["Макул / За", "Каршы / Против", "Калыс / Воздержался"],
        ["Добушту жабуу (төрага) / Закрыть голосование (председатель)"],
        ["⏱ 2 мүн. / ⏱ 2 мин", "⏱ 5 мүн. / ⏱ 5 мин", "⏱ 10 мүн. / ⏱ 10 мин"],  # the chair's close on time
    ]
    assert "по вопросу 1" in message.text and "Мектептин методикалык темасын бекитүү" in message.text

    absent = meeting.voters[8]  # a Russian reader, not marked present
    answer = await flow.press(absent, message, "Макул")
    assert answer["show_alert"] == "true" and answer["text"].startswith("Ваше присутствие не отмечено.")
    answer = await flow.press(meeting.participant, message, "Макул")
    assert "4.3" in answer["text"]
    stranger = flow.api.person(555, "Чужой", None, "ru")
    answer = await flow.press(stranger, message, "Макул")
    assert answer["text"] == "Голосуют только члены совета."

    voter = meeting.voters[1]
    assert (await flow.press(voter, message, "Каршы"))["text"] in {
        "Добушуңуз кабыл алынды: Каршы",
        "Голос учтён: Против",
    }
    assert (await flow.press(voter, message, "Макул"))["text"] in {"Добушуңуз кабыл алынды: Макул", "Голос учтён: За"}
    same = await flow.press(voter, message, "Макул")
    assert same["text"] in {"Сиз мурунтан эле добуш бергенсиз: Макул", "Вы уже проголосовали: За"}
    (ballot,) = await flow.rows(Ballot)
    assert ballot.choice.value == "for"
    await flow.live.flush()
    assert "За: 1 — Фамилия01 Мугалим1" in message.text
    # Of the 7 members present (the participant has no vote), not of all 10: the absent cannot vote.
    assert "Добуш берди: катышкан 7 мүчөдөн 1" in message.text
    assert "Проголосовали: 1 из 7 присутствующих" in message.text


async def test_adopted_not_adopted_and_protocol(flow, meeting):
    attendance = await open_meeting(flow, meeting)
    present = meeting.voters[:7]
    await mark_present(flow, meeting, attendance, present + [meeting.participant])

    first = await post_vote(flow, meeting, "/vote 1 Мектептин методикалык темасын бекитүү")
    for person, choice in zip(present, ["Макул"] * 4 + ["Каршы", "Калыс", "Калыс"], strict=True):
        await flow.press(person, first, choice)
    answer = await flow.press(meeting.chair, first, "Добушту жабуу")
    assert answer["text"] == "Голосование закрыто: принято"
    assert "Итог: принято." in first.text and first.buttons == []

    second = await post_vote(flow, meeting, "/vote 2 Иш пландарын кайра карап чыгуу")
    for person, choice in zip(present, ["Макул"] * 3 + ["Каршы"] * 2 + ["Калыс"] * 2, strict=True):
        await flow.press(person, second, choice)
    sent = await flow.say(meeting.chair, meeting.group, "/close")

    votes = await flow.rows(Vote)
    assert [
        (v.outcome, v.votes_for, v.votes_against, v.votes_abstain, v.present_total, v.members_total) for v in votes
    ] == [(Outcome.ADOPTED, 4, 1, 2, 7, 10), (Outcome.NOT_ADOPTED, 3, 2, 2, 7, 10)]
    assert "Итог: не принято." in second.text  # closed by /close, the tally frozen on the message
    (closed,) = await flow.rows(Meeting)
    assert (closed.status, closed.protocol_number, closed.school_year) == (MeetingStatus.CLOSED, 1, 2026)

    protocol_texts = [m.text for m in sent if m.chat_id == meeting.group.id and m.method == "sendMessage"]
    text = "\n".join(protocol_texts)
    assert "ПРОТОКОЛ №1 заседания методического совета «Мектеп №5»" in text
    assert "«Мектеп №5» методикалык кеңешинин отурумунун №1 ПРОТОКОЛУ" in text
    assert "Присутствовали члены совета (7 из 10): " in text
    assert "Катышты (10 мүчөдөн 7): " in text and "Отсутствовали: Фамилия07 Мугалим7" in text
    assert "Участники без права голоса: Фамилия10 Мугалим10" in text
    assert "Слушали: Осмонова Г." in text and "Угулду: Осмонова Г." in text
    assert "Постановили: Мектептин методикалык темасын бекитүү" in text
    assert "Голосование: за 4, против 1, воздержались 2. Принято." in text
    assert "Добуш берүү: макул 3, каршы 2, калыс 2. Кабыл алынган жок." in text
    # A motion not adopted is no decision: it is recorded as proposed, with its result (cl. 7.5).
    assert "Предлагалось: Иш пландарын кайра карап чыгуу\nГолосование: за 3, против 2," in text
    assert "Сунушталды: Иш пландарын кайра карап чыгуу\nДобуш берүү: макул 3, каршы 2," in text
    assert "Постановили: Иш пландарын" not in text and "Токтом кылынды: Иш пландарын" not in text
    assert "Токтом кылынды: Мектептин методикалык темасын бекитүү" in text
    assert all(len(t) <= 4096 for t in protocol_texts)

    (document,) = [m for m in sent if m.method == "sendDocument"]
    assert document.document["file_name"] == "protocol_2026-2027_01.docx"
    content, _ = flow.api.files[document.document["file_id"]]
    paragraphs = [p.text for p in Document(io.BytesIO(content)).paragraphs]
    assert paragraphs[0] == "«Мектеп №5» методикалык кеңешинин отурумунун №1 ПРОТОКОЛУ"  # Kyrgyz first
    assert "ПРОТОКОЛ №1 заседания методического совета «Мектеп №5»" in paragraphs
    assert "Председатель: ____________ Гүлнара Осмонова" in paragraphs
    assert "Төрага: ____________ Гүлнара Осмонова" in paragraphs
    assert "Сунушталды: Иш пландарын кайра карап чыгуу" in paragraphs
    assert "Предлагалось: Иш пландарын кайра карап чыгуу" in paragraphs
    assert not [p for p in paragraphs if p.startswith(("Постановили: Иш", "Токтом кылынды: Иш"))]
    assert closed.protocol_file_id == document.document["file_id"]


async def test_six_present_is_no_quorum(flow, meeting):
    attendance = await open_meeting(flow, meeting)
    present = meeting.voters[:6]
    await mark_present(flow, meeting, attendance, present)
    message = await post_vote(flow, meeting, "/vote 1 Окуу пландарын бекитүү")
    for person in present:
        await flow.press(person, message, "Макул")
    await flow.press(meeting.chair, message, "Добушту жабуу")
    (vote,) = await flow.rows(Vote)
    assert (vote.outcome, vote.votes_for, vote.present_total) == (Outcome.NO_QUORUM, 6, 6)
    assert "Добуш берүү жабылды. 10 мүчөдөн 6 киши катышты;" in message.text
    assert "Итог: нет кворума — решение неправомочно." in message.text
    assert "Жыйынтык: кворум жок — чечим күчүнө кирбейт." in message.text
    answer = await flow.press(present[0], message, "Каршы") if message.buttons else None
    assert answer is None  # no buttons left on a closed vote


async def test_pressing_a_closed_vote_is_refused(flow, meeting):
    attendance = await open_meeting(flow, meeting)
    await mark_present(flow, meeting, attendance, meeting.voters[:7])
    message = await post_vote(flow, meeting, "/vote 1 Бекитүү")
    data = message.button("Макул")["callback_data"]
    await flow.press(meeting.chair, message, "Добушту жабуу")
    confirm = flow.api.last_to(meeting.group.id)  # nobody voted: the chair confirms
    await flow.press(meeting.chair, confirm, "Закрыть")
    answer = await flow.press_data(meeting.voters[1], message, data)
    assert answer["text"] in {"Добуш берүү жабылган.", "Голосование закрыто."}
    assert await flow.rows(Ballot) == []


async def test_only_the_chair_closes_a_vote(flow, meeting):
    attendance = await open_meeting(flow, meeting)
    await mark_present(flow, meeting, attendance, meeting.voters[:7])
    message = await post_vote(flow, meeting, "/vote 1 Бекитүү")
    answer = await flow.press(meeting.voters[2], message, "Добушту жабуу")
    assert answer["text"] in {
        "Муну кеңештин төрагасы же катчысы гана жасай алат.",
        "Это может сделать только председатель или секретарь совета.",
    }
    (vote,) = await flow.rows(Vote)
    assert vote.is_open


async def test_secret_ballot_keeps_who_apart_from_what(flow, meeting):
    attendance = await open_meeting(flow, meeting)
    present = meeting.voters[:7]
    await mark_present(flow, meeting, attendance, present)
    message = await post_vote(flow, meeting, "/secretvote 1 Төраганын орун басарын шайлоо")
    assert "Тайное голосование" in message.text
    for person, choice in zip(present, ["Макул"] * 5 + ["Каршы", "Калыс"], strict=True):
        await flow.press(person, message, choice)
    await flow.press(present[5], message, "Макул")  # changes their secret vote
    assert await flow.rows(Ballot) == []  # no choice is stored readable
    assert len(await flow.rows(SealedBallot)) == 7 and len(await flow.rows(SecretVoter)) == 7
    await flow.live.flush()
    assert "Фамилия" not in message.text  # no name next to a choice
    assert "Проголосовали: 7 из 7 присутствующих" in message.text and "За:" not in message.text  # no count per choice
    await flow.press(meeting.chair, message, "Добушту жабуу")
    (vote,) = await flow.rows(Vote)
    assert (vote.votes_for, vote.votes_against, vote.votes_abstain) == (6, 0, 1)
    assert await flow.rows(SealedBallot) == []  # only the totals are left with the vote
    assert len(await flow.rows(SecretVoter)) == 7
    assert "За: 6" in message.text


async def test_many_members_pressing_at_once(flow):
    """30 members press within the same moment: every vote stored, the tally exact, no edit refused."""
    council = await seed_council(flow, members=30)
    await flow.say(council.chair, council.chair, "/start")
    day = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} 15:00{AGENDA}")
    await flow.press(council.chair, preview, "Опубликовать")
    flow.clock.advance(timedelta(days=8, hours=5))
    attendance = await open_meeting(flow, council)
    await mark_present(flow, council, attendance, council.people)
    message = await post_vote(flow, council, "/vote 1 Бекитүү")
    choices = ["Макул", "Каршы", "Калыс"]
    updates = [
        flow.api.callback_update(p, message, message.button(choices[i % 3])["callback_data"])
        for i, p in enumerate(council.people)
    ]
    await asyncio.gather(*(flow.feed(u) for u in updates))
    assert all(u["callback_query"]["id"] in flow.api.answers for u in updates)
    assert len(await flow.rows(Ballot)) == 30
    await flow.live.flush()
    assert "За: 10" in message.text and "Против: 10" in message.text and "Воздержались: 10" in message.text
    assert message.edits == 1
    assert not [e for e in flow.api.errors if e[0].startswith("edit")]


async def test_protocols_lists_and_sends_one_again_in_the_readers_language(flow, meeting):
    attendance = await open_meeting(flow, meeting)
    await mark_present(flow, meeting, attendance, meeting.voters[:7])
    await flow.say(meeting.chair, meeting.group, "/close")
    member = meeting.voters[1]  # a Kyrgyz reader
    (listing,) = await flow.say(member, member, "/protocols")
    assert listing.buttons[0]["text"].startswith("Протокол №1 — 2026-ж., 3-декабрь")
    before = len(flow.api.sent_to(member.id))
    await flow.press(member, listing, "Протокол №1")
    sent = flow.api.sent_to(member.id)[before:]
    assert sent[0].text.startswith("«Мектеп №5» методикалык кеңешинин отурумунун №1 ПРОТОКОЛУ")
    assert "ПРОТОКОЛ №1" not in sent[0].text  # only the reader's language in a private chat
    assert sent[-1].method == "sendDocument"
    stranger = flow.api.person(556, "Чужой", None, "ru")
    await flow.say(stranger, stranger, "/start")
    answer = await flow.press_data(stranger, listing, listing.buttons[0]["callback_data"])
    assert answer["text"] == "Вы не член этого совета."


async def test_group_language_setting_changes_group_posts(flow, meeting):
    (menu,) = await flow.say(meeting.chair, meeting.chair, "/settings")
    assert "Язык сообщений совета в группе: Кыргызча + Русский." in menu.text
    # The choice is labelled as the group's (not the chair's own language), the current one ticked.
    assert [b["text"] for b in menu.buttons][:3] == [
        "✓ Сообщения в группе: Кыргызча + Русский",
        "Сообщения в группе: Кыргызча",
        "Сообщения в группе: Русский",
    ]
    await flow.press(meeting.chair, menu, "Сообщения в группе: Русский")
    assert "Язык сообщений совета в группе: Русский." in menu.text
    assert [b["text"] for b in menu.buttons][2] == "✓ Сообщения в группе: Русский"
    # The current one pressed again: answered, the message not edited (Telegram would answer 400).
    edits = menu.edits
    answer = await flow.press(meeting.chair, menu, "✓ Сообщения в группе: Русский")
    assert answer["text"] == "Это уже выбрано." and menu.edits == edits and flow.api.errors == []
    attendance = await open_meeting(flow, meeting)
    assert attendance.text.startswith("Заседание методического совета открыто.")
    assert "Катыштым" not in attendance.text and attendance.buttons[0]["text"] == "Присутствую"
    member = meeting.voters[2]
    (refused,) = await flow.say(member, member, "/settings")
    assert refused.text == "Это может сделать только председатель этого совета."


@pytest.mark.parametrize("path", ["close", "daily"])
async def test_the_attendance_message_says_the_meeting_is_closed(flow, meeting, path):
    attendance = await open_meeting(flow, meeting)
    await mark_present(flow, meeting, attendance, meeting.voters[:7] + [meeting.participant])
    await flow.live.flush()
    if path == "close":
        await flow.say(meeting.chair, meeting.group, "/close")
    else:  # left open: the next day's check closes it
        flow.clock.advance(timedelta(days=1))
        await flow.scheduler.daily_check()
        await flow.delivery.drain()
    await flow.live.flush()
    assert attendance.buttons == []
    assert "открыто" not in attendance.text and "нажмите" not in attendance.text
    assert "ачылды" not in attendance.text and "басыңыздар" not in attendance.text
    assert "Заседание методического совета закрыто. Протокол №1." in attendance.text
    assert "Методикалык кеңештин отуруму жабылды. Протокол №1." in attendance.text
    assert "Присутствовали члены совета: 7 из 10" in attendance.text and "Катышты: 10 мүчөдөн 7" in attendance.text
    assert "Кворум: есть" in attendance.text and "Участники без права голоса: 1" in attendance.text


async def test_vote_counts_agree_with_their_number_and_count_those_present(flow, meeting):
    """5 of 10 members present: the vote counts of the 5 who can vote; "Воздержался" agrees with its number."""
    attendance = await open_meeting(flow, meeting)
    present = meeting.voters[:5]
    await mark_present(flow, meeting, attendance, present)
    message = await post_vote(flow, meeting, "/vote 1 Бекитүү")
    assert "Проголосовали: 0 из 5 присутствующих" in message.text
    assert "Добуш берди: катышкан 5 мүчөдөн 0" in message.text
    assert "Воздержались: 0" in message.text and "Калыс: 0" in message.text
    await flow.press(present[0], message, "Калыс")
    await flow.live.flush()
    assert "Воздержался: 1 — " in message.text and "Калыс: 1 — " in message.text
    assert "Проголосовали: 1 из 5 присутствующих" in message.text
    await flow.press(present[1], message, "Калыс")
    await flow.live.flush()
    assert "Воздержались: 2 — " in message.text and "Калыс: 2 — " in message.text
    assert "Воздержался:" not in message.text


async def test_open_and_close_after_the_close_say_the_meeting_is_closed_with_its_protocol(flow, meeting):
    attendance = await open_meeting(flow, meeting)
    await mark_present(flow, meeting, attendance, meeting.voters[:7])
    await flow.say(meeting.chair, meeting.group, "/close")
    closed = "Сегодняшнее заседание уже закрыто: протокол №1."
    (again,) = await flow.say(meeting.chair, meeting.group, "/close")
    assert again.text == closed
    (reopen,) = await flow.say(meeting.chair, meeting.group, "/open")
    assert reopen.text == closed
    async with flow.sessionmaker() as session:  # the chair switches to Kyrgyz
        (await session.get(User, meeting.chair.id)).language = "ky"
        await session.commit()
    (again,) = await flow.say(meeting.chair, meeting.chair, "/close")
    assert again.text == "Бүгүнкү отурум жабылып калган: протокол №1."
    (reopen,) = await flow.say(meeting.chair, meeting.group, "/open")
    assert reopen.text == "Бүгүнкү отурум жабылып калган: протокол №1."
    (row,) = await flow.rows(Meeting)
    assert row.status is MeetingStatus.CLOSED and row.protocol_number == 1  # nothing changed
