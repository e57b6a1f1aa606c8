"""The one door for text a person supplies (issues 9.4 and 18 §4): bot/text_input.py, and the middleware that
applies it to every update at the entrance."""

from __future__ import annotations

import pytest
from aiogram.types import Update

from bot.runtime.middlewares import CleanText
from bot.text_input import clean_file_name, clean_text, clean_update


def test_control_and_xml_invalid_characters_are_removed():
    assert clean_text("Бекитүү\x0b \x00чечим\ufffe\uffff\ud800") == "Бекитүү чечим"
    assert clean_text("a\r\nb\tc\x1f", multiline=True) == "a\nb\tc"
    assert clean_text("a\nb\tc") == "a b c"  # one-line fields keep no line breaks
    assert clean_text(None) == ""


def test_decomposed_unicode_becomes_nfc():
    assert clean_text("\u0418\u0306олдош \u0415\u0308лкин") == "Йолдош Ёлкин"


@pytest.mark.parametrize(
    ("raw", "one_line", "multiline"),
    [
        ("a\x00b\x08c\x0bd\x1fe", "abcde", "abcde"),
        ("a\x7fb\x80c\x9fd", "abcd", "abcd"),  # DEL and C1
        ("a\ufffeb\uffffc\ufdd0d\U0001fffee", "abcde", "abcde"),  # noncharacters
        ("a\ud800b\udfffc", "abc", "abc"),  # lone surrogates
        ("a\r\nb\rc", "a b c", "a\nb\nc"),
        ("a\u2028b\u2029c\x85d", "a b c d", "a\nb\nc\nd"),
        ("a\tb", "a b", "a\tb"),
        ("и\u0306", "й", "й"),  # NFC
        ("Осмонова Гүлнара", "Осмонова Гүлнара", "Осмонова Гүлнара"),
        (None, "", ""),
    ],
)
def test_clean_text(raw, one_line, multiline):
    assert clean_text(raw) == one_line
    assert clean_text(raw, multiline=True) == multiline


def test_a_file_name_is_one_clean_line():
    assert clean_file_name(" ../от\x01чёт\n.pdf ") == "../отчёт .pdf"


def _update(text: str, first_name: str = "Гүлнара", title: str = "Мектеп №5", file_name: str | None = None) -> Update:
    message = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": -100, "type": "supergroup", "title": title},
        "from": {"id": 10, "is_bot": False, "first_name": first_name, "last_name": "Осмонова"},
        "text": text,
    }
    if file_name is not None:
        message["document"] = {"file_id": "f", "file_unique_id": "u", "file_name": file_name}
    return Update.model_validate({"update_id": 1, "message": message})


def test_an_update_with_nothing_to_clean_is_the_same_object():
    update = _update("/vote 1 Бекитүү")
    assert clean_update(update) is update


def test_every_person_supplied_text_of_an_update_is_cleaned():
    update = _update("/vote 1 Бекитүү\x01", first_name="Гүл\ufffeнара", title="Мектеп\x07 №5", file_name="a\x00.pdf")
    cleaned = clean_update(update)
    message = cleaned.message
    assert message is not None and message.from_user is not None and message.document is not None
    assert message.text == "/vote 1 Бекитүү"
    assert message.from_user.first_name == "Гүлнара" and message.from_user.id == 10
    assert message.chat.title == "Мектеп №5" and message.chat.id == -100
    assert message.document.file_name == "a.pdf"
    assert update.message is not None and update.message.text == "/vote 1 Бекитүү\x01"  # the original is not changed


def test_a_button_press_by_a_person_with_controls_in_the_name():
    update = Update.model_validate(
        {
            "update_id": 2,
            "callback_query": {
                "id": "1",
                "chat_instance": "1",
                "data": "v:1:for",
                "from": {"id": 10, "is_bot": False, "first_name": "А\x1bсел"},
            },
        }
    )
    cleaned = clean_update(update)
    assert cleaned.callback_query is not None and cleaned.callback_query.from_user.first_name == "Асел"
    assert cleaned.callback_query.data == "v:1:for"


async def test_the_middleware_cleans_every_update_before_any_handler_sees_it():
    seen = []

    async def handler(event, data):
        seen.append((event.message.text, data["event_from_user"].first_name, data["event_chat"].title))

    update = _update("/vote 1 Окуу\x0b пландарын бекитүү\ufffe", first_name="Г\x00", title="Мектеп\x01")
    raw = update.message
    assert raw is not None
    await CleanText()(handler, update, {"event_from_user": raw.from_user, "event_chat": raw.chat})
    assert seen == [("/vote 1 Окуу пландарын бекитүү", "Г", "Мектеп")]
