"""Splitting HTML into Telegram messages: under 4096, never inside a tag, nothing lost."""

import pytest

from bot.ui.render import esc, short_label, split_blocks, tg_len
from tests.botapi import parse_html


def test_escape_makes_user_text_safe_for_html():
    assert esc("<b>Иван</b> & Co") == "&lt;b&gt;Иван&lt;/b&gt; &amp; Co"
    assert parse_html(esc("a < b & c > d")) == "a < b & c > d"


def test_small_input_is_one_message():
    assert split_blocks(["<b>Протокол №1</b>", "1. Осмонова"]) == ["<b>Протокол №1</b>\n1. Осмонова"]


@pytest.mark.parametrize("limit", [100, 200, 4096])
def test_many_blocks_split_between_blocks_under_the_limit(limit):
    blocks = [f"<b>{i}.</b> <i>{'ы' * (i % 37)}</i> &amp; жыйынтык" for i in range(400)]
    parts = split_blocks(blocks, limit=limit)
    assert all(tg_len(part) <= limit for part in parts)
    for part in parts:
        parse_html(part)  # each part is valid HTML on its own: no tag was cut
    assert "\n".join(parts).split("\n") == blocks


def test_a_block_longer_than_the_limit_is_cut_at_spaces():
    long_block = " ".join(f"сөз{i}" for i in range(3000))
    parts = split_blocks([long_block], limit=4096)
    assert len(parts) > 1 and all(tg_len(p) <= 4096 for p in parts)
    assert " ".join(parts).split() == long_block.split()


def test_emoji_count_double_as_telegram_counts_them():
    assert tg_len("✅") == 1 and tg_len("🗳") == 2
    parts = split_blocks(["🗳" * 3000], limit=4096)
    assert all(tg_len(p) <= 4096 for p in parts)


def test_a_button_label_is_cut_at_a_word_with_an_ellipsis():
    assert short_label("Отметить исполнение: Мектептин «Окуучулардын функционалдык»", 40) == (
        "Отметить исполнение: Мектептин…"
    )
    assert short_label("Короткий текст", 40) == "Короткий текст"
    assert short_label("Ж" * 70, 60) == "Ж" * 59 + "…"  # one word longer than the limit: cut where it must be
    assert len(short_label("сөз " * 30)) <= 60
