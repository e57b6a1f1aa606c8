"""The one writer of the bot's files (bot/ui/documents.py): the school's page, text that cannot fail, text
cells that cannot become formulas; and the council's name said once."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import date, datetime

import pytest
from docx import Document
from openpyxl import load_workbook

from bot.i18n import create_i18n
from bot.rules import Counts
from bot.ui import plan as ui_plan
from bot.ui import protocol
from bot.ui.documents import Sheet, excel_date_format, workbook
from bot.ui.render import council_name
from db.models import Council, GroupLanguage, Outcome, Plan, PlanEntry, PlanState
from tests.conftest import BISHKEK

DIRTY = "Бөлчөк\x01төр\ufffe\x0b"  # a C0 control, a noncharacter, a vertical tab: invalid in XML 1.0


@pytest.fixture(autouse=True)
def i18n():
    i18n = create_i18n("ky")
    with i18n.context():
        yield i18n


def data(title: str = "Мектеп №5", text: str = "Планды бекитүү") -> protocol.ProtocolData:
    return protocol.ProtocolData(
        council_title=title,
        number=3,
        school_year=2026,
        starts_at=datetime(2026, 12, 10, 15, tzinfo=BISHKEK),
        place="12-кабинет",
        chair="Осмонова Гүлнара",
        secretary="Ким Ольга",
        members_total=3,
        present=["Осмонова Гүлнара", "Ким Ольга"],
        absent=["Петрова Анна"],
        participants=[],
        items=[(1, text, None)],
        decisions=[protocol.Decision(1, text, False, Counts(2, 0, 0), Outcome.ADOPTED, 2, 3, {})],
        done=[(2, text, "Ким Ольга", f"{text}.pdf")],
    )


def test_a_protocol_with_characters_xml_forbids_still_builds_without_them():
    document = Document(io.BytesIO(protocol.protocol_docx(data(DIRTY, DIRTY), BISHKEK, GroupLanguage.BOTH)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "«Бөлчөктөр» методикалык кеңешинин отурумунун №3 ПРОТОКОЛУ" in text
    assert "Токтом кылынды: Бөлчөктөр" in text and "Постановили: Бөлчөктөр" in text
    assert not any(c in text for c in "\x01\ufffe\x0b")


def test_the_protocol_has_the_schools_name_above_when_it_is_not_the_councils():
    with_school = replace(data(), school="Бишкек шаарындагы №5 мектеп-гимназиясы")
    paragraphs = [
        p for p in Document(io.BytesIO(protocol.protocol_docx(with_school, BISHKEK, GroupLanguage.RU))).paragraphs
    ]
    assert paragraphs[0].text == "Бишкек шаарындагы №5 мектеп-гимназиясы" and paragraphs[0].runs[0].bold
    assert paragraphs[1].text == "ПРОТОКОЛ №3 заседания методического совета «Мектеп №5»"
    alone = Document(io.BytesIO(protocol.protocol_docx(data(), BISHKEK, GroupLanguage.RU))).paragraphs
    assert alone[0].text.startswith("ПРОТОКОЛ №3")  # the title already names it: not said twice
    assert [p.text for p in alone[-2:]] == [
        "Председатель: ____________ Осмонова Гүлнара",
        "Секретарь: ____________ Ким Ольга",
    ]


def test_the_plan_is_the_schools_page_with_the_directors_approval_and_both_signatures():
    council = Council(id=1, title="Мектеп №5", group_language=GroupLanguage.BOTH, chair_id=1)
    plan = Plan(
        id=1, school_year=2026, version=2, state=PlanState.APPROVED, order_number="15", order_date=date(2026, 10, 1)
    )
    entries = [PlanEntry(day=date(2026, 12, 10), topic=DIRTY, responsible="Осмонова Г.", position=1)]
    content = ui_plan.plan_docx(
        council, plan, entries, GroupLanguage.BOTH, chair="Осмонова Гүлнара", secretary="Ким Ольга"
    )
    document = Document(io.BytesIO(content))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.left_margin.mm), round(section.right_margin.mm)) == (
        210,
        30,
        10,
    )
    texts = [p.text for p in document.paragraphs]
    assert texts[:3] == ["БЕКИТЕМ", "Мектептин директору ____________", "01.10.2026-ж. №15 буйрук"]
    assert "УТВЕРЖДАЮ" in texts and "Приказ №15 от 01.10.2026" in texts
    assert "«Мектеп №5» методикалык кеңешинин 2026-2027-окуу жылына жылдык планы (циклограммасы)" in texts
    assert "2-редакция. Абалы: директордун 01.10.2026-ж. №15 буйругу менен бекитилген" in texts
    assert "Редакция 2. Статус: утверждён приказом директора №15 от 01.10.2026" in texts
    assert "Төрага: ____________ Осмонова Гүлнара" in texts and "Секретарь: ____________ Ким Ольга" in texts
    table = document.tables[0]
    assert [c.text for c in table.rows[1].cells] == ["10.12.2026", "1. Бөлчөктөр", "Осмонова Г."]
    sizes = {run.font.size.pt for row in table.rows for cell in row.cells for p in cell.paragraphs for run in p.runs}
    assert sizes == {12}  # tables in 12, the text in 14
    assert document.styles["Normal"].font.size.pt == 14


def read_back(content: bytes, title: str):
    return load_workbook(io.BytesIO(content))[title]


def test_person_supplied_cells_are_text_whatever_they_start_with():
    values = ['=HYPERLINK("https://example.com","x")', "+1", "-1", "@SUM(A1)", "\tтаб", "\rCR", DIRTY]
    content = workbook([Sheet("Материалы", ["Аталышы"], [[v] for v in values])], "ky")
    sheet = read_back(content, "Материалы")
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == [v.replace("\r", "") for v in values[:-1]] + ["Бөлчөктөр"]
    assert {c.data_type for c in cells} == {"s"}
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode()


def test_dates_are_dates_in_the_readers_format_and_columns_fit():
    rows = [[1, date(2026, 12, 3), "Триместр II (01.12–28.02)", "x" * 200]]
    for locale in ("ky", "ru"):
        sheet = read_back(workbook([Sheet("Заседания", ["№", "Дата", "Триместр", "Чечим"], rows)], locale), "Заседания")
        assert sheet["B2"].is_date and sheet["B2"].value == datetime(2026, 12, 3)
        assert sheet["B2"].number_format == excel_date_format(locale) == "dd.mm.yyyy"
        assert sheet.freeze_panes == "A2"
        widths = [sheet.column_dimensions[c].width for c in "ABCD"]
        assert widths[0] == 8 and widths[2] == len("Триместр II (01.12–28.02)") + 2 and widths[3] == 60
        assert sheet["D2"].alignment.wrap_text


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Мектеп №5", "Мектеп №5"),
        ("5-мектептин методикалык кеңеши", "5-мектеп"),
        ("Мектеп №5 методикалык кеңеши", "Мектеп №5"),
        ("Методический совет лицея №61", "лицея №61"),
        ("МК «Өнүгүү»", "Өнүгүү"),
        ("Методсовет — Лицей 61", "Лицей 61"),
        ("Методикалык кеңеш", "Методикалык кеңеш"),  # nothing else to call it
        ("Мектеп №5 «Өнүгүү»", "Мектеп №5 „Өнүгүү“"),  # inside «…», inner quotes are „…“
    ],
)
def test_the_council_is_named_once(title, name):
    assert council_name(title) == name
