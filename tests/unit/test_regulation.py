"""The regulation the bot shows: the Kyrgyz original word for word, the Russian one clause for clause."""

import re
from pathlib import Path

import pytest

from bot.ui.regulation import regulation_messages, regulation_text
from bot.ui.render import tg_len
from tests.botapi import parse_html

ORIGINAL = Path(__file__).resolve().parents[3] / "shared" / "regulation" / "original-ky.txt"


@pytest.mark.skipif(not ORIGINAL.exists(), reason="the shared regulation is not beside this checkout")
def test_kyrgyz_text_is_the_schools_original_with_only_line_breaks_changed():
    original = ORIGINAL.read_text(encoding="utf-8")
    assert re.sub(r"\s+", "", regulation_text("ky")) == re.sub(r"\s+", "", original)


def test_russian_version_has_every_clause_of_the_regulation():
    text = regulation_text("ru")
    for clause in ["1.1.", "1.4.", "2.3.", "3.1.", "4.1.", "4.2.", "4.3.", "6.1.", "7.1.", "7.4.", "7.5.", "7.7."]:
        assert f"\n{clause} " in text, clause
    assert "не менее чем за неделю" in text and "2/3" in text
    assert text.rstrip().endswith("С положением ознакомлен(а):")


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_regulation_messages_fit_telegram_and_are_valid_html(locale):
    parts = regulation_messages(locale)
    assert len(parts) >= 2
    for part in parts:
        assert tg_len(part) <= 4096
        parse_html(part)
    visible = "".join(parse_html(p) for p in parts)
    assert re.sub(r"\s+", "", visible) == re.sub(r"\s+", "", regulation_text(locale))
