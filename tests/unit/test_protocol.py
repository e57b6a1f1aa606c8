"""The protocol rendered from data: split under 4096 between lines, valid HTML, both languages, .docx."""

import io
from datetime import datetime

from docx import Document

from bot.i18n import create_i18n
from bot.rules import Counts
from bot.ui.protocol import Decision, ProtocolData, protocol_docx, protocol_filename, protocol_messages
from db.models import GroupLanguage, Outcome
from tests.botapi import parse_html, utf16_len
from tests.conftest import BISHKEK


def big_protocol() -> ProtocolData:
    names = [f"Фамилия{i:02d} Аты <{i}> & Ко" for i in range(30)]
    return ProtocolData(
        council_title="Мектеп №5 & лицей",
        number=3,
        school_year=2026,
        starts_at=datetime(2026, 12, 10, 15, 0, tzinfo=BISHKEK),
        place="Кабинет <12>",
        chair=names[0],
        secretary=names[1],
        members_total=30,
        present=names[:21],
        absent=names[21:],
        participants=["Катышуучу Бир"],
        items=[(i, f"Маселе {i}: " + "узун текст " * 25, f"Баяндамачы {i}") for i in range(1, 21)],
        decisions=[
            Decision(i, "Чечим " + "ы" * 200, i % 2 == 0, Counts(11, 5, 5), Outcome.ADOPTED, 21, 30, {})
            for i in range(1, 21)
        ],
    )


def test_long_protocol_splits_under_the_limit_between_lines_in_both_languages():
    with create_i18n("ky").context():
        check_long_protocol()


def check_long_protocol():
    data = big_protocol()
    parts = protocol_messages(data, BISHKEK, GroupLanguage.BOTH)
    assert len(parts) > 2
    visible = []
    for part in parts:
        assert utf16_len(part) <= 4096
        visible.append(parse_html(part))  # no tag cut in half, every name escaped
    text = "\n".join(visible)
    assert text.index("№3 ПРОТОКОЛУ") < text.index("ПРОТОКОЛ №3")  # Kyrgyz first
    assert "Фамилия05 Аты <5> & Ко" in text
    assert text.count("Голосование: за 11") == 10 and text.count("Тайное голосование: за 11") == 10


def test_docx_in_the_groups_language_with_signature_lines():
    data = big_protocol()
    with create_i18n("ky").context():
        document = Document(io.BytesIO(protocol_docx(data, BISHKEK, GroupLanguage.RU)))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "ПРОТОКОЛ №3 заседания методического совета «Мектеп №5 & лицей»"
    assert "Место: Кабинет <12>" in paragraphs
    assert paragraphs[-2:] == [
        "Председатель: ____________ Фамилия00 Аты <0> & Ко",
        "Секретарь: ____________ Фамилия01 Аты <1> & Ко",
    ]
    assert protocol_filename(data) == "protocol_2026-2027_03.docx"
