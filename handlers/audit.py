"""/log: who did what to the council's record, for the chair and the secretary, newest first, paged."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.ops import audit
from bot.ops.notices import edit_message
from bot.ui import audit as ui_audit
from bot.ui.callbacks import LogCb
from handlers.scope import sender

router = Router(name=__name__)


@router.message(Command("log"))
async def show_log(message: Message, session: AsyncSession, settings: Settings) -> None:
    page = await audit.log_page(session, sender(message).id, 0)
    await message.answer(
        ui_audit.log_text(page, settings.tz), reply_markup=ui_audit.log_keyboard(page.number, page.pages)
    )


@router.callback_query(LogCb.filter())
async def turn_page(call: CallbackQuery, callback_data: LogCb, session: AsyncSession, settings: Settings) -> None:
    page = await audit.log_page(session, call.from_user.id, callback_data.page)  # the rights again, at each press
    await call.answer()
    await edit_message(
        call.message, ui_audit.log_text(page, settings.tz), ui_audit.log_keyboard(page.number, page.pages)
    )
