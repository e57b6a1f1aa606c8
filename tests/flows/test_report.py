"""/report and /export: the year's figures agree in the message, the .xlsx, the chart and the protocols."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook
from PIL import Image

from tests.conftest import BISHKEK, seed_council
from tests.flows.test_decisions import hold_meeting

PLAN = "/plan 03.12.2026 Биринчи — Осмонова Г.\n20.01.2027 Экинчи\n18.03.2027 Үчүнчү"


@pytest.fixture
async def year(flow):
    """Two meetings held: 8 of 10 present (one adopted, one not), then 6 of 10 (no quorum)."""
    council = await seed_council(flow, members=10)
    await flow.say(council.chair, council.chair, "/start")
    sent = await flow.say(council.chair, council.chair, PLAN)
    await flow.press(council.chair, sent[-1], "Сохранить")
    await hold_meeting(
        flow, council, datetime(2026, 12, 3, 10, tzinfo=BISHKEK), [("Ачык сабактар", "Макул"), ("Жок", "Каршы")]
    )
    council.protocols = [await flow.say(council.chair, council.group, "/close")]
    present = council.people
    council.people = present[:6]  # only six come to the second meeting
    await hold_meeting(flow, council, datetime(2027, 1, 20, 10, tzinfo=BISHKEK), [("Экинчи", "Макул")])
    council.people = present
    council.protocols.append(await flow.say(council.chair, council.group, "/close"))
    return council


def _protocol_text(sent) -> str:
    return "\n".join(m.text for m in sent if m.method == "sendMessage")


async def test_report_message_sheet_and_chart_agree(flow, year):
    for sent, present in zip(year.protocols, ("8 из 10", "6 из 10"), strict=True):
        assert f"Присутствовали члены совета ({present})" in _protocol_text(sent)
    sent = await flow.say(year.chair, year.chair, "/report")
    text, sheet, chart = sent
    assert "2026-2027" in text.text
    assert "Проведено заседаний: 2; запланировано: 3." in text.text
    assert "Триместр II (01.12–28.02): проведено 2, запланировано 2" in text.text
    assert "Триместр III (01.03–31.05): проведено 0, запланировано 1" in text.text
    assert "Протокол №1 (03.12.2026): присутствовали 8 из 10" in text.text
    assert "Протокол №2 (20.01.2027): присутствовали 6 из 10" in text.text
    assert "Средняя посещаемость: 70%" in text.text  # 14 of 20 seats
    assert "принято 1, не принято 1, нет кворума 1" in text.text

    assert sheet.document["file_name"] == "report_2026-2027.xlsx"
    book = load_workbook(io.BytesIO(flow.api.files[sheet.document["file_id"]][0]))
    assert book.sheetnames == ["Заседания", "Решения", "Члены совета", "Материалы"]
    sheet_of_meetings = book["Заседания"]
    meetings = list(sheet_of_meetings.iter_rows(values_only=True))
    assert meetings[0] == (
        "Протокол",
        "Дата",
        "Триместр",
        "Присутствовали",
        "Всего членов совета",
        "Кворум",
        "Вопросов в повестке",
    )
    assert meetings[1:] == [  # dates are dates, shown as the reader writes them
        (1, datetime(2026, 12, 3), "Триместр II (01.12–28.02)", 8, 10, "есть", 1),
        (2, datetime(2027, 1, 20), "Триместр II (01.12–28.02)", 6, 10, "нет", 1),
    ]
    assert sheet_of_meetings["B2"].is_date and sheet_of_meetings["B2"].number_format == "dd.mm.yyyy"
    assert sheet_of_meetings.freeze_panes == "A2"  # the header row stays in view
    widths = {c: sheet_of_meetings.column_dimensions[c].width for c in "ABCE"}
    assert widths["C"] >= len("Триместр II (01.12–28.02)") and widths["E"] >= len("Всего членов совета")
    assert widths["A"] < widths["C"]  # each column as wide as what it holds, not one width for all
    decisions = list(book["Решения"].iter_rows(values_only=True))[1:]
    assert [(d[0], d[1], d[2]) for d in decisions] == [
        (1, "Ачык сабактар", "принято"),
        (1, "Жок", "не принято"),
        (2, "Экинчи", "нет кворума — решение неправомочно"),
    ]
    members = {row[0]: row[2:] for row in list(book["Члены совета"].iter_rows(values_only=True))[1:]}
    assert members["Гүлнара Осмонова"] == (2, 2, 100)
    assert members["Фамилия07 Мугалим7"] == (1, 2, 50)
    assert members["Фамилия09 Мугалим9"] == (0, 2, 0)
    assert sum(row[0] for row in members.values()) == 8 + 6  # the same seats as the protocols

    assert chart.method == "sendPhoto"  # shown in the chat at once; the .png file is in /export
    image = Image.open(io.BytesIO(flow.api.files[chart.photo["file_id"]][0]))
    assert image.format == "PNG" and image.size == (1000, 450)


async def test_another_year_bad_year_and_who_may_ask(flow, year):
    text, *_ = await flow.say(year.chair, year.chair, "/report 2025-2026")
    assert "Проведено заседаний: 0; запланировано: 0." in text.text
    (bad,) = await flow.say(year.chair, year.chair, "/report 2026")
    assert "/report 2026-2027" in bad.text
    member = year.people[2]
    (refused,) = await flow.say(member, member, "/report")
    assert refused.text == "Это может сделать только председатель или секретарь совета."
    (refused,) = await flow.say(member, member, "/export")
    assert "только председатель" in refused.text


async def test_export_is_one_zip_of_the_year(flow, year):
    (sent,) = await flow.say(year.chair, year.chair, "/export")
    assert sent.document["file_name"] == "kenesh_2026-2027.zip"
    archive = zipfile.ZipFile(io.BytesIO(flow.api.files[sent.document["file_id"]][0]))
    assert sorted(archive.namelist()) == [
        "protocol_2026-2027_01.docx",
        "protocol_2026-2027_02.docx",
        "report_2026-2027.png",
        "report_2026-2027.xlsx",
    ]
    book = load_workbook(io.BytesIO(archive.read("report_2026-2027.xlsx")))
    assert book["Заседания"].max_row == 3
    assert Image.open(io.BytesIO(archive.read("report_2026-2027.png"))).size == (1000, 450)
