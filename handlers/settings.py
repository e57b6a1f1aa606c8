"""/settings: the group's language, the trimesters and the join link (cl. 4.1: the chair's)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot import councils, meetings
from bot.clock import Clock
from bot.councils import join_link, replace_join_link, set_group_language, set_trimesters
from bot.notices import edit_message
from bot.ui import common as ui_common
from bot.ui import settings as ui_settings
from bot.ui.callbacks import GroupLanguageCb, JoinLinkCb, RecordCb, RecordField, TrimestersCb
from handlers.scope import bot_username, chat_of, sender, text_of

router = Router(name=__name__)

PRIVATE = F.chat.type == ChatType.PRIVATE


class SettingsInput(StatesGroup):
    trimesters = State()
    record = State()  # the school's name, the founding decision, the chair's order, the last pedagogical council


RECORDS = {
    RecordField.SCHOOL: councils.SCHOOL,
    RecordField.FOUNDING: councils.FOUNDING,
    RecordField.CHAIR_ORDER: councils.CHAIR_ORDER,
    RecordField.LAST_PEDCOUNCIL: councils.LAST_PEDCOUNCIL,
}


@router.message(Command("cancel"), StateFilter(SettingsInput))
async def cancel_input(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(ui_common.nothing_changed())


@router.message(Command("settings"), PRIVATE)
async def settings_menu(message: Message, session: AsyncSession) -> None:
    council = await meetings.council_for_chair(session, sender(message).id)
    await message.answer(ui_settings.settings_text(council), reply_markup=ui_settings.settings_keyboard())


@router.callback_query(GroupLanguageCb.filter())
async def set_language(
    call: CallbackQuery, callback_data: GroupLanguageCb, session: AsyncSession, clock: Clock
) -> None:
    council = await set_group_language(
        session, user_id=call.from_user.id, language=callback_data.language, now=clock.now()
    )
    await call.answer(ui_common.saved())
    await edit_message(call.message, ui_settings.settings_text(council), ui_settings.settings_keyboard())


@router.callback_query(TrimestersCb.filter())
async def ask_trimesters(call: CallbackQuery, session: AsyncSession, state: FSMContext) -> None:
    await meetings.council_for_chair(session, call.from_user.id)
    await state.set_state(SettingsInput.trimesters)
    await call.answer()
    await chat_of(call).answer(ui_settings.ask_trimesters())


@router.message(SettingsInput.trimesters, PRIVATE, F.text, ~F.text.startswith("/"))
async def got_trimesters(message: Message, session: AsyncSession, state: FSMContext, clock: Clock) -> None:
    council = await set_trimesters(session, user_id=sender(message).id, text=text_of(message), now=clock.now())
    await state.clear()
    await message.answer(ui_settings.settings_text(council), reply_markup=ui_settings.settings_keyboard())


@router.callback_query(JoinLinkCb.filter(~F.confirm))
async def ask_replace_link(call: CallbackQuery, session: AsyncSession) -> None:
    council = await meetings.council_for_chair(session, call.from_user.id)
    await call.answer()
    await chat_of(call).answer(
        ui_settings.ask_replace_link(),
        reply_markup=ui_settings.replace_link_confirm(council.join_code),
    )


@router.callback_query(JoinLinkCb.filter(F.confirm))
async def replace_link(
    call: CallbackQuery, callback_data: JoinLinkCb, session: AsyncSession, bot: Bot, clock: Clock
) -> None:
    council = await replace_join_link(session, user_id=call.from_user.id, now=clock.now(), seen_code=callback_data.code)
    await call.answer(ui_common.saved())
    await edit_message(call.message, ui_settings.new_join_link(join_link(await bot_username(bot), council)))


@router.callback_query(RecordCb.filter())
async def ask_record(call: CallbackQuery, callback_data: RecordCb, session: AsyncSession, state: FSMContext) -> None:
    await meetings.council_for_chair(session, call.from_user.id)
    await state.set_state(SettingsInput.record)
    await state.set_data({"field": callback_data.field.value})
    await call.answer()
    await chat_of(call).answer(ui_settings.ask_record(callback_data.field))


@router.message(SettingsInput.record, PRIVATE, F.text, ~F.text.startswith("/"))
async def got_record(message: Message, session: AsyncSession, state: FSMContext, clock: Clock) -> None:
    field = RecordField((await state.get_data())["field"])
    council = await councils.record(
        session, user_id=sender(message).id, field=RECORDS[field], text=text_of(message), now=clock.now()
    )
    await state.clear()
    await message.answer(ui_settings.settings_text(council), reply_markup=ui_settings.settings_keyboard())
