"""The one cleaning every typed text gets (issue 9.4), and the middleware that applies it at the entrance."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram.types import Chat, Message, User

from bot.runtime.middlewares import CleanText
from bot.text_input import clean_text


def test_control_and_xml_invalid_characters_are_removed():
    assert clean_text("Бекитүү\x0b \x00чечим\ufffe\uffff\ud800") == "Бекитүү чечим"
    assert clean_text("a\r\nb\tc\x1f", multiline=True) == "a\nb\tc"
    assert clean_text("a\nb\tc") == "a b c"  # one-line fields keep no line breaks
    assert clean_text(None) == ""


def test_decomposed_unicode_becomes_nfc():
    assert clean_text("\u0418\u0306олдош \u0415\u0308лкин") == "Йолдош Ёлкин"


async def test_the_middleware_cleans_every_text_before_any_handler_sees_it():
    message = Message(
        message_id=1,
        date=datetime(2026, 11, 25, tzinfo=UTC),
        chat=Chat(id=-100, type="group"),
        from_user=User(id=10, is_bot=False, first_name="Г"),
        text="/vote 1 Окуу\x0b пландарын бекитүү\ufffe",
    )
    seen = []

    async def handler(event, data):
        seen.append(event.text)

    await CleanText()(handler, message, {})
    assert seen == ["/vote 1 Окуу пландарын бекитүү"]
