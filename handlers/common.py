"""/help, /lang, /regulation, /cancel: for anyone in the private chat."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot import membership
from bot.clock import Clock
from bot.i18n import LANGUAGE_NAMES, I18n
from bot.notices import edit_message
from bot.regulation import regulation_messages
from bot.ui import common as ui_common
from bot.ui.callbacks import LanguageCb
from handlers.scope import sender

router = Router(name=__name__)
router.message.filter(F.chat.type == ChatType.PRIVATE)
router.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)


@router.message(Command("help"))
async def show_help(message: Message, session: AsyncSession) -> None:
    role = await membership.roles_of(session, sender(message).id)
    await message.answer(ui_common.help_text(member=role.member, chair=role.chair, runs_meetings=role.runs_meetings))


@router.message(Command("lang"))
async def choose_language(message: Message) -> None:
    await message.answer(ui_common.CHOOSE_LANGUAGE, reply_markup=ui_common.language_keyboard())


@router.callback_query(LanguageCb.filter())
async def set_language(
    call: CallbackQuery, callback_data: LanguageCb, session: AsyncSession, clock: Clock, i18n: I18n
) -> None:
    locale = callback_data.locale if callback_data.locale in LANGUAGE_NAMES else i18n.default_locale
    await membership.set_language(session, call.from_user.id, locale, clock.now())
    with i18n.use_locale(locale):
        await call.answer(LANGUAGE_NAMES[locale])
        await edit_message(call.message, ui_common.language_set(locale))


@router.message(Command("regulation"))
async def show_regulation(message: Message, i18n: I18n) -> None:
    for part in regulation_messages(i18n.current_locale):
        await message.answer(part)


@router.message(Command("cancel"), StateFilter(None))  # a step in progress is cancelled by its own router
async def cancel_nothing(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(ui_common.nothing_to_cancel())
