"""/year: the council's year in the Mini App. In the private chat a button opens it (web_app buttons exist only
there); in a group, a link to the private chat, which answers /start year with that button. Without
MINIAPP_URL the bot has no Mini App, and /year lists the commands that show the same things in the chat."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.ops import miniapp
from bot.ui import miniapp as ui_miniapp
from handlers.scope import PRIVATE, bot_username, sender

router = Router(name=__name__)


@router.message(Command("year"), PRIVATE)
@router.message(CommandStart(deep_link=True, magic=F.args == ui_miniapp.YEAR_START), PRIVATE)
async def year(message: Message, session: AsyncSession, settings: Settings) -> None:
    await miniapp.check_member(session, sender(message).id)
    if settings.miniapp_url is None:
        await message.answer(ui_miniapp.year_without_app())
        return
    await message.answer(ui_miniapp.year_text(), reply_markup=ui_miniapp.open_app_keyboard(settings.miniapp_url))


@router.message(Command("year"))
async def year_in_group(message: Message, bot: Bot) -> None:
    await message.answer(
        ui_miniapp.year_in_group(), reply_markup=ui_miniapp.year_in_group_keyboard(await bot_username(bot))
    )
