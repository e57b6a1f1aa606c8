"""Private messages the bot sends on its own (to the chair, to an applicant), in the reader's language."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup

log = logging.getLogger(__name__)


async def send_private(bot: Bot, chat_id: int, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> bool:
    """Send, and say whether it arrived: a person who never opened the bot or blocked it is not an error."""
    try:
        await bot.send_message(chat_id, text, reply_markup=reply_markup)
    except TelegramForbiddenError:
        log.warning("Private message to %s not delivered: the user has not started the bot or blocked it", chat_id)
        return False
    except TelegramBadRequest as error:
        log.warning("Private message to %s refused: %s", chat_id, error.message)
        return False
    return True


async def edit_message(message, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> None:  # noqa: ANN001
    """Edit a bot message; an edit that would change nothing is not an error (a double press, say).

    Telegram answers 400 "message is not modified" to such an edit:
    https://core.telegram.org/bots/api#editmessagetext
    """
    try:
        await message.edit_text(text, reply_markup=reply_markup)
    except TelegramBadRequest as error:
        if "message is not modified" not in error.message:
            raise
