"""What nobody else handled: a short answer in private, silence in groups, stale buttons answered."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot.ui import common as ui_common
from handlers.scope import PRIVATE

log = logging.getLogger(__name__)

router = Router(name=__name__)


@router.message(PRIVATE, F.text.startswith("/"))
async def unknown_command(message: Message) -> None:
    await message.answer(ui_common.unknown_command())


@router.message(PRIVATE)
async def unexpected_message(message: Message) -> None:
    await message.answer(ui_common.unexpected_message())


@router.callback_query()
async def stale_button(call: CallbackQuery) -> None:
    # A button from an old message, from a step already passed, or data nobody can parse (forged).
    log.info("Stale or unknown button pressed by %s", call.from_user.id)
    await call.answer(ui_common.button_out_of_date(), show_alert=True)
