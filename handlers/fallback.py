"""What nobody else handled: a short answer in private, silence in groups, stale buttons answered."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

log = logging.getLogger(__name__)

router = Router(name=__name__)


@router.message(F.chat.type == ChatType.PRIVATE, F.text.startswith("/"))
async def unknown_command(message: Message) -> None:
    await message.answer(_("I do not know this command. Send /help to see the commands."))


@router.message(F.chat.type == ChatType.PRIVATE)
async def unexpected_message(message: Message) -> None:
    await message.answer(_("I did not expect a message now. Send /help to see what I can do."))


@router.callback_query()
async def stale_button(call: CallbackQuery) -> None:
    # A button from an old message, from a step already passed, or data nobody can parse (forged).
    log.info("Stale or unknown button pressed by %s", call.from_user.id)
    await call.answer(_("This button is out of date."), show_alert=True)
