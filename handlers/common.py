"""/help, /lang, /regulation, /cancel: for anyone in the private chat (scoped by its parent, handlers.get_routers)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import LANGUAGE_NAMES, I18n
from bot.ops import members
from bot.ops.notices import edit_markup, edit_message
from bot.ui import common as ui_common
from bot.ui import members as ui_members
from bot.ui.callbacks import LanguageCb, RegulationReadCb
from bot.ui.regulation import regulation_messages, regulation_version
from handlers.scope import chat_of, sender

router = Router(name=__name__)


@router.message(Command("help"))
async def show_help(message: Message, session: AsyncSession, settings: Settings) -> None:
    role = await members.roles_of(session, sender(message).id)
    await message.answer(
        ui_common.help_text(
            member=role.member,
            chair=role.chair,
            runs_meetings=role.runs_meetings,
            operator=sender(message).id in settings.admin_ids,
            year_app=settings.miniapp_url is not None,
        )
    )


@router.message(Command("lang"))
async def choose_language(message: Message) -> None:
    await message.answer(ui_common.CHOOSE_LANGUAGE, reply_markup=ui_common.language_keyboard())


@router.callback_query(LanguageCb.filter())
async def set_language(
    call: CallbackQuery, callback_data: LanguageCb, session: AsyncSession, clock: Clock, i18n: I18n
) -> None:
    locale = callback_data.locale if callback_data.locale in LANGUAGE_NAMES else i18n.default_locale
    await members.set_language(session, call.from_user.id, locale, clock.now())
    with i18n.use_locale(locale):
        await call.answer(LANGUAGE_NAMES[locale])
        await edit_message(call.message, ui_common.language_set(locale))


@router.message(Command("regulation"))
async def show_regulation(message: Message, session: AsyncSession, i18n: I18n) -> None:
    parts = regulation_messages(i18n.current_locale)
    for part in parts[:-1]:
        await message.answer(part)
    # A member who has not confirmed this edition (the Kyrgyz original changed) confirms it here.
    unconfirmed = await members.needs_regulation(session, sender(message).id)
    await message.answer(
        parts[-1], reply_markup=ui_members.regulation_confirm_keyboard(regulation_version()) if unconfirmed else None
    )


@router.callback_query(RegulationReadCb.filter())
async def confirm_regulation(
    call: CallbackQuery, callback_data: RegulationReadCb, session: AsyncSession, clock: Clock
) -> None:
    await members.confirm_regulation(session, user_id=call.from_user.id, version=callback_data.version, now=clock.now())
    await call.answer(ui_common.saved())
    await edit_markup(call.message, None)
    await chat_of(call).answer(ui_members.regulation_confirmed())


@router.message(Command("cancel"), ~StateFilter(None))
async def cancel(message: Message, state: FSMContext) -> None:
    """The one /cancel of every step-by-step dialog: the step is dropped and nothing it asked for is saved.
    Two dialogs say more and cancel in their own routers, which come first: a material's submission (its held
    file goes too) and registration."""
    await state.clear()
    await message.answer(ui_common.nothing_changed())


@router.message(Command("cancel"), StateFilter(None))
async def cancel_nothing(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(ui_common.nothing_to_cancel())
