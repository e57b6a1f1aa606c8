"""The stand-in refuses what Telegram refuses, so a bot that passes here does not break there."""

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import create_bot
from bot.config import Settings
from tests.conftest import TOKEN


@pytest.fixture
async def bot(api):
    bot = create_bot(Settings(bot_token=TOKEN, telegram_api_url=api.base_url))
    api.group(-100, "Мектеп")
    yield bot
    await bot.session.close()


@pytest.mark.parametrize(
    "text",
    ["a < b", "Tom & Jerry", "<b>unclosed", "<b>x</i>", "<div>x</div>", "&nbsp;", "<b>x</b></b>"],
)
async def test_malformed_html_is_refused(api, bot, text):
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(-100, text)


async def test_valid_html_is_accepted_and_kept_as_visible_text(api, bot):
    await bot.send_message(-100, "<b>Протокол</b> &lt;1&gt; &amp; <a href='https://x.kg'>шилтеме</a>")
    assert api.last_to(-100).text == "Протокол <1> & шилтеме"


async def test_text_over_4096_after_parsing_is_refused(api, bot):
    await bot.send_message(-100, "<b>" + "ы" * 4096 + "</b>")  # 4096 visible characters: fine
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(-100, "ы" * 4097)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(-100, "🗳" * 2049)  # Telegram counts UTF-16 units


async def test_callback_data_over_64_bytes_is_refused(api, bot):
    def keyboard(data):
        return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="ok", callback_data=data)]])

    await bot.send_message(-100, "ok", reply_markup=keyboard("ы" * 32))  # 64 bytes
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(-100, "ok", reply_markup=keyboard("ы" * 32 + "a"))


async def test_edit_that_changes_nothing_is_refused(api, bot):
    message = await bot.send_message(-100, "<b>3</b> of 10")
    await bot.edit_message_text("<b>4</b> of 10", chat_id=-100, message_id=message.message_id)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("<b>4</b> of 10", chat_id=-100, message_id=message.message_id)
    assert api.last_to(-100).edits == 1


async def test_429_carries_retry_after_and_5xx_is_a_server_error(api, bot):
    api.fail("sendMessage", 429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(-100, "x")
    assert caught.value.retry_after == 3
    api.fail("sendMessage", 502)
    with pytest.raises(TelegramServerError):
        await bot.send_message(-100, "x")
    await bot.send_message(-100, "x")  # faults are for the next calls only
    assert [m.text for m in api.sent_to(-100)] == ["x"]


async def test_bot_cannot_write_first_to_a_person(api, bot):
    person = api.person(5, "Айбек")
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(person.id, "salam")
    api.message_update(person, person.private_chat, "/start")
    await bot.send_message(person.id, "salam")
    api.blocked.add(person.id)
    with pytest.raises(TelegramForbiddenError, match="blocked"):
        await bot.send_message(person.id, "salam")


async def test_documents_round_trip_through_get_file(api, bot):
    from aiogram.types import BufferedInputFile

    message = await bot.send_document(-100, BufferedInputFile(b"%PDF-1.4 protocol", filename="protocol.pdf"))
    assert message.document.file_name == "protocol.pdf"
    file = await bot.get_file(message.document.file_id)
    downloaded = await bot.download_file(file.file_path)
    assert downloaded.read() == b"%PDF-1.4 protocol"


def test_telegram_limits_per_chat_per_group_and_in_all_when_asked():
    from tests.botapi import Limits

    limits = Limits()
    now = 1000.0
    assert [limits.check(7, now) for _ in range(3)] == [0, 0, 0]  # a burst to one chat
    assert 0.9 < limits.check(7, now) <= 1.0  # then about one a second
    assert limits.check(7, now + 1.0) == 0
    for n in range(20):  # a group: 20 a minute, at one a second
        assert limits.check(-100, now + n * 1.0) == 0
    assert limits.check(-100, now + 20.0) == 40  # the 21st in a minute waits for the first to be a minute old
    in_all = Limits(chat_burst=100)
    assert all(in_all.check(n, now + n / 1000) == 0 for n in range(30))  # 30 chats within a second
    assert 0.85 < in_all.check(31, now + 0.1) <= 0.9  # the 31st waits for the first to be a second old
    assert in_all.check(31, now + 1.0) == 0


async def test_limits_answer_429_with_retry_after(api, bot):
    from tests.botapi import Limits

    api.limits = Limits()
    for _ in range(3):
        await bot.send_message(-100, "x")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(-100, "x")
    assert caught.value.retry_after == 1 and api.refused_429("sendMessage") == 1
    assert len(api.sent_to(-100)) == 3
