"""The one writer of the files the bot issues: the protocol's and the plan's .docx, /report's .xlsx.

A .docx is laid out as Kyrgyz school records are: A4, margins of 30 mm on the left, 10 mm on the right and
20 mm at the top and bottom, Times New Roman 14 (12 in tables), the page number in the footer.
A spreadsheet has its header row frozen, columns as wide as what they hold, dates as real dates shown the
way the reader's language writes them, and every text cell written as text: a material titled
"=HYPERLINK(...)" is words in the sheet, never a formula (nor is one starting with + - @, a tab or CR).

Every text passes `xml_safe`, the inbound door's own character rule (bot/text_input.py), so a character that
reached the database before the door existed, or a name the door never saw, cannot make a file fail.
python-docx and openpyxl are imported when the first file is written, not by an idle bot.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.text_input import xml_safe

# A4 and the margins of Kyrgyz school records, in millimetres.
PAGE_MM = (210, 297)
MARGINS_MM = {"left": 30, "right": 10, "top": 20, "bottom": 20}
FONT = "Times New Roman"
TEXT_PT, TABLE_PT = 14, 12


class Docx:
    """A document built paragraph by paragraph; `bytes()` gives the file."""

    def __init__(self) -> None:
        from docx import Document
        from docx.shared import Mm, Pt

        self._document = Document()
        section = self._document.sections[0]
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        normal = self._document.styles["Normal"]
        normal.font.size = Pt(TEXT_PT)
        _set_font(normal.element, FONT)
        normal.paragraph_format.space_after = Pt(0)
        self._page_number(section.footer.paragraphs[0])

    def _page_number(self, paragraph: Any) -> None:
        """The footer's page number: a PAGE field, which Word and LibreOffice fill in on every page."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run()
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
            if kind is not None:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
            elif text == "1":
                element = OxmlElement("w:t")
                element.text = text
            else:
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = text
            run._r.append(element)

    def page_break(self) -> None:
        self._document.add_page_break()

    def paragraph(self, text: str = "", *, bold: bool = False, align: str = "left", space_before: int = 0) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        paragraph = self._document.add_paragraph()
        paragraph.alignment = {
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        }[align]
        if space_before:
            paragraph.paragraph_format.space_before = Pt(space_before)
        if text:
            paragraph.add_run(xml_safe(text)).bold = bold

    def table(self, columns: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[int]) -> None:
        """A grid with a bold header row, in the table size; a cell's lines stay lines."""
        from docx.shared import Mm, Pt

        table = self._document.add_table(rows=1 + len(rows), cols=len(columns))
        table.style = "Table Grid"
        for row_index, values in enumerate([columns, *rows]):
            for column, (cell, value) in enumerate(zip(table.rows[row_index].cells, values, strict=True)):
                cell.width = Mm(widths_mm[column])
                run = cell.paragraphs[0].add_run(xml_safe(value))
                run.font.size = Pt(TABLE_PT)
                run.bold = row_index == 0

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self._document.save(buffer)
        return buffer.getvalue()


def _set_font(style_element: Any, name: str) -> None:
    """The font for every script: python-docx's font.name sets Latin only, and Cyrillic is "hAnsi"/"cs"."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = style_element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), name)


# --- spreadsheets ---------------------------------------------------------------------------------------------

Cell = str | int | float | date | None  # what a sheet holds: text, a number, a date, or nothing

MIN_WIDTH, MAX_WIDTH = 8, 60  # characters


@dataclass(frozen=True)
class Sheet:
    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]


def excel_date_format(locale: str) -> str:
    """The reader's short date (Babel's pattern for the locale) as a spreadsheet number format, the year in
    four digits: "dd.mm.yyyy" for both Kyrgyz and Russian."""
    from babel.dates import get_date_format

    pattern = get_date_format("short", locale=locale).pattern
    pattern = re.sub(r"y+", "yyyy", pattern)
    return pattern.replace("MM", "mm").replace("M", "m").replace("'", '"')


def _shown(value: Cell, date_width: int) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return date_width
    return max((len(line) for line in str(value).splitlines()), default=0)


def workbook(sheets: Sequence[Sheet], locale: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    date_format = excel_date_format(locale)
    book = Workbook()
    book.remove(book.active)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for sheet_data in sheets:
        # A sheet's name may not hold : \ / ? * [ ] and is at most 31 characters long (Excel's rule).
        sheet = book.create_sheet(re.sub(r"[:\\/?*\[\]]", " ", xml_safe(sheet_data.title))[:31])
        widths = [len(title) for title in sheet_data.header]
        for row_number, values in enumerate([sheet_data.header, *sheet_data.rows], 1):
            for column, value in enumerate(values, 1):
                cell = sheet.cell(row=row_number, column=column)
                if isinstance(value, str):
                    cell.value = xml_safe(value)
                    cell.data_type = "s"  # text, whatever it starts with: openpyxl would take "=…" as a formula
                    if len(value) > MAX_WIDTH or "\n" in value:
                        cell.alignment = wrap
                else:
                    cell.value = value
                    if isinstance(value, date):
                        cell.number_format = date_format
                if row_number == 1:
                    cell.font = bold
                widths[column - 1] = max(widths[column - 1], _shown(value, len(date_format)))
        for column, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(column)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
        sheet.freeze_panes = "A2"  # the header row stays in view
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
