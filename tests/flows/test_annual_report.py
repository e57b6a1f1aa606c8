"""The council's report to the teaching staff (cl. 7.6; issue 23 §5): a .docx draft in the group's language(s),
on demand with `/report 2026-2027 docx`, and to the chair two weeks before the school year's last
pedagogical council, once."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from docx import Document

from db.models import GroupLanguage, JobRun
from tests.conftest import BISHKEK, seed_council
from tests.flows.structure_steps import announce, open_with, vote


def paragraphs(flow, message) -> list[str]:
    content, _name = flow.api.files[message.document["file_id"]]
    return [p.text.replace("\u202f", " ") for p in Document(io.BytesIO(content)).paragraphs]


def move_to(flow, when: datetime) -> None:
    flow.clock.advance(when - flow.clock.now())


@pytest.fixture
async def council(flow):
    council = await seed_council(flow, members=6)
    await flow.say(council.chair, council.chair, "/start")
    return council


async def test_report_docx_on_demand_for_the_chair_and_the_secretary_only(flow, council):
    chair = council.chair
    await announce(flow, council)
    flow.clock.advance(timedelta(days=8, hours=5))
    voters = council.people[:5]
    await open_with(flow, council, voters)
    await vote(flow, council, "/vote 1 Иш планы кабыл алынсын", [(p, "Макул") for p in voters])
    await flow.say(chair, council.group, "/close")
    (refused,) = await flow.say(chair, chair, "/report 2026 docx")
    assert refused.text == "Напишите учебный год так: /report 2026-2027"
    (sent,) = await flow.say(chair, chair, "/report 2026-2027 docx")
    assert sent.method == "sendDocument" and sent.document["file_name"] == "report_7.6_2026-2027.docx"
    assert sent.text == "Проект годового отчёта совета за 2026-2027 учебный год (п. 7.6)"
    text = paragraphs(flow, sent)
    # The group reads both languages: Kyrgyz first, then Russian, each in its own words.
    ky_title = "Методикалык кеңештин (Мектеп №5) 2026-2027-окуу жылындагы иши боюнча педагогикалык жамаатка отчету"
    ru_title = "Отчёт методического совета (Мектеп №5) перед педагогическим коллективом за 2026-2027 учебный год"
    assert text[0] == ky_title and ru_title in text and text.index(ru_title) > text.index("5. Катышуу")
    assert "Заседаний запланировано: 0; проведено: 1." in text
    assert "Решений поставлено на голосование: 1; принято: 1; не принято: 0; без кворума: 0." in text
    assert "Средняя посещаемость: 83%" in text  # five of six
    assert "Председатель методического совета: ____________ Гүлнара Осмонова" in text
    member = council.people[2]
    (refused,) = await flow.say(member, member, "/report 2026-2027 docx")
    assert refused.text == "Это может сделать только председатель или секретарь совета."
    # A Kyrgyz-only group gets it in Kyrgyz alone.
    (menu,) = await flow.say(chair, chair, "/settings")
    await flow.press_data(chair, menu, "gl:ky")
    (sent,) = await flow.say(chair, chair, "/report 2026-2027 docx")
    text = paragraphs(flow, sent)
    assert text[0] == ky_title and ru_title not in text
    assert (await flow.council(council.group.id)).group_language is GroupLanguage.KY


async def test_the_draft_reaches_the_chair_two_weeks_before_the_last_pedagogical_council_once(flow, council):
    chair = council.chair
    (menu,) = await flow.say(chair, chair, "/settings")
    await flow.press(chair, menu, "Последний педсовет")
    (refused,) = await flow.say(chair, chair, "10 июня")
    assert refused.text == "Не удалось прочитать дату. Напишите её так: 01.09.2026"
    (shown,) = await flow.say(chair, chair, "10.06.2027")
    assert "Последний педсовет учебного года: 10 июня 2027 г.; отчёт совета готовится за две недели до него." in (
        shown.text.replace("\u202f", " ")
    )
    move_to(flow, datetime(2027, 5, 26, 9, 0, tzinfo=BISHKEK))  # fifteen days before: not yet
    before = len(flow.api.sent_to(chair.id))
    await flow.scheduler.year_check()
    await flow.delivery.drain()
    assert flow.api.sent_to(chair.id)[before:] == []
    move_to(flow, datetime(2027, 5, 27, 9, 0, tzinfo=BISHKEK))
    await flow.scheduler.year_check()
    await flow.scheduler.year_check()  # again the same day: nothing more
    move_to(flow, datetime(2027, 5, 28, 9, 0, tzinfo=BISHKEK))
    await flow.scheduler.year_check()  # and the next day
    await flow.delivery.drain()
    notice, document = flow.api.sent_to(chair.id)[before:]
    assert notice.text.startswith("Годовой отчёт совета за 2026-2027 учебный год (п. 7.6), в виде проекта")
    assert document.document["file_name"] == "report_7.6_2026-2027.docx"
    assert "Положение о методическом совете, п. 7.6. Проект от 27 мая 2027 г." in paragraphs(flow, document)
    assert [r.name for r in await flow.rows(JobRun) if r.name.startswith("report-draft:")] == [
        "report-draft:1:2027-06-10"
    ]
