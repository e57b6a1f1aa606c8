"""One error router: domain errors reach the user in their language; anything else is logged."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.config import Settings
from bot.errors import KeneshError
from bot.i18n import I18n, locale_from_telegram
from bot.ops import members
from bot.ui import common as ui_common

log = logging.getLogger(__name__)

router = Router(name=__name__)

ALERT_LIMIT = 200  # https://core.telegram.org/bots/api#answercallbackquery: text, 0-200 characters


async def _reader_locale(event: ErrorEvent, sessionmaker: async_sessionmaker, settings: Settings) -> str:
    update = event.update
    sender = update.message or update.callback_query or update.my_chat_member or update.edited_message
    user = getattr(sender, "from_user", None)
    if user is not None:
        # The update's own session has been closed by now; a short read of the stored language. When the
        # database itself is what failed, the answer still goes out, in the Telegram app's language.
        try:
            async with sessionmaker() as session:
                stored = await members.stored_language(session, user.id)
        except Exception as error:  # the error path must always answer
            log.warning("Could not read the reader's language (%s); answering in the app's language", error)
            stored = None
        if stored:
            return stored
    return locale_from_telegram(user, settings.default_locale)


async def _tell(event: ErrorEvent, bot: Bot, text: str) -> None:
    update = event.update
    try:
        if update.callback_query is not None:
            call = update.callback_query
            if len(text) <= ALERT_LIMIT:
                await call.answer(text, show_alert=True)
            else:  # an alert holds 200 characters: a longer answer (a reason and a way out) comes as a message
                await call.answer()
                await bot.send_message(call.from_user.id, text)
        elif update.message is not None:
            await update.message.answer(text)
    except TelegramAPIError as error:  # the user must not see a traceback, and neither must the log twice
        log.warning("Could not tell the user about an error: %s", error)


@router.error(ExceptionTypeFilter(KeneshError))
async def domain_error(
    event: ErrorEvent, bot: Bot, i18n: I18n, sessionmaker: async_sessionmaker, settings: Settings
) -> None:
    error = event.exception
    assert isinstance(error, KeneshError)  # the filter above lets nothing else in
    locale = await _reader_locale(event, sessionmaker, settings)
    with i18n.context(), i18n.use_locale(locale):
        await _tell(event, bot, error.render())


@router.error()
async def unexpected_error(
    event: ErrorEvent, bot: Bot, i18n: I18n, sessionmaker: async_sessionmaker, settings: Settings
) -> None:
    sender = getattr(event.update.message or event.update.callback_query, "from_user", None)
    ids = {"update_id": event.update.update_id, "user_id": sender.id if sender is not None else None}
    log.error("Update %s failed", event.update.update_id, exc_info=event.exception, extra=ids)
    locale = await _reader_locale(event, sessionmaker, settings)
    with i18n.context(), i18n.use_locale(locale):
        await _tell(event, bot, ui_common.something_went_wrong())
