"""One door for every text a person supplies (issue 18 §4): message text, captions, a document's file name, the
names and the group title Telegram sends all arrive clean (bot/text_input.py), and a button's numbers are
bounded where they are parsed (bot/ui/callbacks.py)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from docx import Document

from db.models import (
    AgendaItem,
    Attendance,
    Ballot,
    Council,
    FollowUp,
    FollowUpState,
    Material,
    Meeting,
    MeetingStatus,
    Member,
    Plan,
    SecretVoter,
    Vote,
)
from tests.conftest import BISHKEK, NOW, seed_council

OUT_OF_DATE = {"Эта кнопка устарела.", "Бул баскыч эскирип калган."}
BAD = "\x01\x0b\x1b\x7f\x80\x9f\ufffe\uffff\ufdd0"  # C0, DEL, C1, noncharacters


def move_to(flow, when: datetime) -> None:
    flow.clock.advance(when - flow.clock.now())


async def hold_meeting(flow, council, day: datetime, decision: str) -> list:
    """A meeting on `day` with item 1, held with 8 present; `decision` put to the vote on item 1 and adopted.
    Returns what the chair was sent privately while the vote closed."""
    move_to(flow, day - timedelta(days=8))
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day:%d.%m.%Y} 15:00\n1. Маселе")
    await flow.press(council.chair, preview, "Опубликовать")
    move_to(flow, day.replace(hour=15))
    await flow.say(council.chair, council.group, "/open")
    attendance = next(m for m in reversed(flow.api.sent_to(council.group.id)) if "Присутствую" in str(m.reply_markup))
    for person in council.people[:8]:
        await flow.press(person, attendance, "Присутствую")
    before = len(flow.api.sent_to(council.chair.id))
    sent = await flow.say(council.chair, council.group, f"/vote 1 {decision}")
    (vote,) = [m for m in sent if m.chat_id == council.group.id]
    for person in council.people[:8]:
        await flow.press(person, vote, "Макул")
    await flow.press(council.chair, vote, "Добушту жабуу")
    return flow.api.sent_to(council.chair.id)[before:]


@pytest.fixture
async def council(flow):
    council = await seed_council(flow, members=10)
    await flow.say(council.chair, council.chair, "/start")
    return council


async def report_done_with_a_file(flow, council, file_name: str, caption: str | None = None) -> None:
    """Meeting 1 adopts a decision, member 1 is made responsible and reports it done with a document."""
    prompts = await hold_meeting(flow, council, datetime(2026, 12, 3, 10, tzinfo=BISHKEK), "Ачык сабактар")
    await flow.say(council.chair, council.group, "/close")
    await flow.press(council.chair, next(m for m in prompts if "Решение принято" in m.text), "Фамилия01 Мугалим1")
    await flow.say(council.chair, council.chair, "15.12.2026")
    responsible = council.people[1]
    told = next(m for m in flow.api.sent_to(responsible.id) if m.buttons and "Аткарылды" in m.buttons[0]["text"])
    flow.clock.advance(timedelta(days=5))
    await flow.press(responsible, told, "Аткарылды")
    update = flow.api.document_update(responsible, b"%PDF-1.4 report", file_name)
    if caption is not None:
        update["message"]["caption"] = caption
    await flow.feed(update)


async def test_a_file_name_with_controls_as_a_done_report_then_every_later_close_works(flow, council):
    await report_done_with_a_file(flow, council, f"от{BAD}чёт\ud800.pdf")
    (row,) = await flow.rows(FollowUp)
    assert row.state is FollowUpState.DONE and row.report_file_name == "отчёт.pdf"

    await hold_meeting(flow, council, datetime(2027, 1, 20, 10, tzinfo=BISHKEK), "Башка")
    sent = await flow.say(council.chair, council.group, "/close")
    protocol = "\n".join(m.text for m in sent if m.chat_id == council.group.id and m.method == "sendMessage")
    assert "ПРОТОКОЛ №2" in protocol
    assert "Протокол №1: Ачык сабактар — исполнил(а) Фамилия01 Мугалим1. отчёт.pdf" in protocol
    (document,) = [m for m in sent if m.chat_id == council.group.id and m.method == "sendDocument"]
    content, _ = flow.api.files[document.document["file_id"]]
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "отчёт.pdf" in text
    (second,) = await flow.rows(Meeting, Meeting.protocol_number == 2)
    assert second.status is MeetingStatus.CLOSED


async def test_a_caption_with_controls_is_kept_clean_as_the_report(flow, council):
    await report_done_with_a_file(flow, council, "report.pdf", caption=f"Бардыгы\u2028аткарылды{BAD}\r\nи\u0306ок\x85!")
    (row,) = await flow.rows(FollowUp)
    assert row.report == "Бардыгы\nаткарылды\nйок\n!"  # a line break (U+2028, NEL, CR LF) stays one; NFC
    assert row.report_file_name == "report.pdf"
    told = flow.api.last_to(council.chair.id)
    assert "Бардыгы" in told.text and "\x01" not in told.text


async def test_the_group_title_and_the_chairs_names_from_telegram_are_stored_clean(flow):
    chair = flow.api.person(10, f"Гүл{BAD}нара", "Осмон\u200bова\x00\ufffe", "ru")
    group = flow.api.group(-100, f"Мектеп{BAD} №5\nи\u0306", admins={10})
    (reply,) = await flow.say(chair, group, "/setup")
    (council,) = await flow.rows(Council)
    assert council.title == "Мектеп №5 й"  # one line, NFC
    (member,) = await flow.rows(Member, Member.council_id == council.id)
    assert member.full_name == "Гүлнара Осмон\u200bова"
    assert "\x01" not in reply.text and "Гүлнара" in reply.text


async def test_a_material_file_name_with_controls_is_stored_clean(flow, council):
    teacher = council.people[2]
    await flow.feed(flow.api.document_update(teacher, b"PK\x03\x04 lesson" * 40, f"Са{BAD}бак.docx"))
    (ask_title,) = flow.api.sent_to(teacher.id)[-1:]
    await flow.press(teacher, ask_title, "Сабак")
    await flow.press(teacher, flow.api.last_to(teacher.id), "План урока")
    await flow.say(teacher, teacher, f"Мате{BAD}матика")
    await flow.press(teacher, flow.api.last_to(teacher.id), "Пропустить")
    (material,) = await flow.rows(Material)
    assert (material.file_name, material.title, material.subject) == ("Сабак.docx", "Сабак", "Математика")


# --- a button's numbers, bounded where they are parsed ---------------------------------------------------

HUGE = "12345678901234567890123"  # 23 digits: no row has such an id, and a BIGINT cannot hold it


@pytest.fixture
async def open_meeting(flow, council):
    """Today's meeting open, 3 present, an open vote on item 1 (a Kyrgyz-reading council: group posts in both)."""
    day = NOW + timedelta(days=8)
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day:%d.%m.%Y} 15:00\n1. Маселе")
    await flow.press(council.chair, preview, "Опубликовать")
    move_to(flow, day.replace(hour=15))
    await flow.say(council.chair, council.group, "/open")
    council.attendance = next(m for m in flow.api.sent_to(council.group.id) if "Присутствую" in str(m.reply_markup))
    for person in council.people[:3]:
        await flow.press(person, council.attendance, "Присутствую")
    sent = await flow.say(council.chair, council.group, "/vote 1 Бекитүү")
    (council.vote,) = [m for m in sent if m.chat_id == council.group.id]
    council.roll = next(m for m in flow.api.sent_to(council.chair.id) if "rc:" in str(m.reply_markup))
    return council


@pytest.mark.parametrize("number", [HUGE, "0", "-1", "9223372036854775808", "1e3", "", "٣"])
async def test_a_forged_vote_press_is_out_of_date_and_stores_nothing(flow, open_meeting, number):
    council = open_meeting
    member = council.people[3]
    await flow.press(member, council.attendance, "Присутствую")
    answer = await flow.press_data(member, council.vote, f"v:{number}:for")
    assert answer["text"] in OUT_OF_DATE
    assert await flow.rows(Ballot) == [] and await flow.rows(SecretVoter) == []
    # The honest press right after it is stored as always.
    honest = await flow.press(member, council.vote, "Макул")
    assert honest["text"].startswith(("Добушуңуз кабыл алынды", "Голос учтён"))
    assert len(await flow.rows(Ballot)) == 1


@pytest.mark.parametrize(
    "data",
    [
        f"pr:{HUGE}",  # Present
        "pr:0",
        f"rc:{HUGE}:1",  # the chair's roll call
        "rc:1:-4",
        f"rq:1:{HUGE}",  # a page of the roll call
        f"vc:{HUGE}",  # close the vote
        "vz:0",
        f"vt:{HUGE}:5",  # the close timer
        "vt:1:100000",
        f"pt:{HUGE}",  # a protocol
    ],
)
async def test_forged_presses_on_the_meeting_day_change_nothing(flow, open_meeting, data):
    council = open_meeting
    before = (await flow.rows(Attendance), await flow.rows(Vote), await flow.rows(Meeting))
    for person in (council.chair, council.people[5]):
        answer = await flow.press_data(person, council.roll if data.startswith("r") else council.vote, data)
        assert answer["text"] in OUT_OF_DATE
    after = (await flow.rows(Attendance), await flow.rows(Vote), await flow.rows(Meeting))
    assert [[vars_of(r) for r in rows] for rows in after] == [[vars_of(r) for r in rows] for rows in before]


def vars_of(row) -> dict:
    return {k: v for k, v in vars(row).items() if not k.startswith("_")}


@pytest.mark.parametrize(
    "data",
    [
        f"ml:a:{HUGE}",  # the chair approves a material
        "ml:a:0",
        "ml:x:-3",
        f"mg:{HUGE}:1",  # a material onto an agenda
        "mg:1:0",
        f"ag:p:{HUGE}",  # publish an agenda
        f"mt:c:{HUGE}",  # cancel a meeting
        f"ap:a:{HUGE}",  # approve an application
        "mb:r:0",  # remove a member
        f"pl:g:{HUGE}",  # the plan onto an agenda
        "pg:1:-1",
        "pd:20261332",  # a planned day that does not exist
        f"fu:{HUGE}:0",  # the responsible for a decision
        "fu:1:-1",
        f"fd:{HUGE}",  # a decision reported done
        f"bk:{HUGE}",  # a page of the bank
        f"au:{HUGE}",  # a page of the log
    ],
)
async def test_forged_presses_elsewhere_are_out_of_date(flow, council, data):
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {NOW + timedelta(days=8):%d.%m.%Y} 15:00\n1. А")
    answer = await flow.press_data(council.chair, preview, data)
    assert answer["text"] in OUT_OF_DATE
    (meeting,) = await flow.rows(Meeting)
    assert meeting.status is MeetingStatus.DRAFT
    assert [i.title for i in await flow.rows(AgendaItem)] == ["А"]
    assert await flow.rows(Plan) == [] and await flow.rows(FollowUp) == []
    assert all(m.status.value == "approved" for m in await flow.members(meeting.council_id))
    assert [m.state for m in await flow.rows(Material)] == []
