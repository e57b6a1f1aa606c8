"""Registration in the private chat: language, full name, role, the regulation, then the chair decides."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, MaybeInaccessibleMessageUnion, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot import membership
from bot.clock import Clock
from bot.config import Settings
from bot.councils import JOIN_PREFIX
from bot.i18n import LANGUAGE_NAMES, I18n, current_locale
from bot.notices import edit_markup, edit_message
from bot.regulation import regulation_messages
from bot.ui import common as ui_common
from bot.ui import members as ui_members
from bot.ui.callbacks import LanguageCb, RegulationCb, RoleCb
from db.models import Role
from handlers.scope import chat_of, sender, text_of

log = logging.getLogger(__name__)

router = Router(name=__name__)
router.message.filter(F.chat.type == ChatType.PRIVATE)
router.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)


class Registration(StatesGroup):
    language = State()
    name = State()
    role = State()
    regulation = State()


@router.message(Command("cancel"), StateFilter(Registration))
async def cancel_registration(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(ui_members.registration_stopped())


@router.message(CommandStart(deep_link=True, magic=F.args.startswith(JOIN_PREFIX)))
async def start_join(message: Message, command: CommandObject, state: FSMContext, session: AsyncSession) -> None:
    await state.clear()  # a join link always starts over, even in the middle of another step
    code = (command.args or "")[len(JOIN_PREFIX) :]  # the filter above: the args start with the prefix
    joining = await membership.start_joining(session, sender(message).id, code)
    await state.set_state(Registration.language)
    await state.set_data({"council_id": joining.council.id, "as_chair": joining.as_chair})
    log.info("Registration started for council %s", joining.council.id)
    await message.answer(ui_members.join_greeting(joining.council), reply_markup=ui_common.language_keyboard())


@router.callback_query(Registration.language, LanguageCb.filter())
async def chose_language(
    call: CallbackQuery,
    callback_data: LanguageCb,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    i18n: I18n,
) -> None:
    locale = callback_data.locale if callback_data.locale in LANGUAGE_NAMES else i18n.default_locale
    await membership.set_language(session, call.from_user.id, locale, clock.now())
    await state.set_state(Registration.name)
    with i18n.use_locale(locale):
        await call.answer(LANGUAGE_NAMES[locale])
        await edit_message(call.message, LANGUAGE_NAMES[locale])
        await chat_of(call).answer(ui_members.ask_full_name())


@router.message(Registration.name, F.text, ~F.text.startswith("/"))
async def got_name(message: Message, state: FSMContext) -> None:
    name = membership.parse_full_name(text_of(message))
    await state.update_data(name=name)
    data = await state.get_data()
    if data.get("as_chair"):
        await _show_regulation(message, state)
        return
    await state.set_state(Registration.role)
    await message.answer(ui_members.choose_role(name), reply_markup=ui_members.role_keyboard())


@router.message(Registration.name, ~F.text)
async def name_not_text(message: Message) -> None:
    await message.answer(ui_members.ask_name_as_text())


@router.callback_query(Registration.role, RoleCb.filter(F.role != Role.CHAIR))
async def chose_role(call: CallbackQuery, callback_data: RoleCb, state: FSMContext) -> None:
    await state.update_data(role=callback_data.role.value)
    await call.answer()
    await edit_markup(call.message, None)
    await chat_of(call).answer(ui_members.role_chosen(callback_data.role))
    await _show_regulation(chat_of(call), state)


async def _show_regulation(message: MaybeInaccessibleMessageUnion, state: FSMContext) -> None:
    data = await state.get_data()
    await state.set_state(Registration.regulation)
    parts = regulation_messages(current_locale())
    for part in parts[:-1]:
        await message.answer(part)
    await message.answer(parts[-1], reply_markup=ui_members.regulation_keyboard(data["council_id"]))


@router.callback_query(Registration.regulation, RegulationCb.filter())
async def confirmed_regulation(
    call: CallbackQuery,
    callback_data: RegulationCb,
    state: FSMContext,
    session: AsyncSession,
    bot: Bot,
    clock: Clock,
    settings: Settings,
    i18n: I18n,
) -> None:
    data = await state.get_data()
    if callback_data.council_id != data.get("council_id"):
        await call.answer(ui_members.join_button_out_of_date(), show_alert=True)
        return
    placed = await membership.apply(
        session,
        council_id=data["council_id"],
        user_id=call.from_user.id,
        full_name=data["name"],
        role=Role(data["role"]) if data.get("role") else None,
        now=clock.now(),
        default_locale=settings.default_locale,
        tz=settings.tz,
    )
    await state.clear()
    await call.answer(ui_common.saved())
    await edit_markup(call.message, None)
    if data.get("as_chair"):
        await chat_of(call).answer(ui_members.chair_confirmed(placed.member.full_name))
        return
    await chat_of(call).answer(ui_members.application_sent(placed.member.full_name))


@router.message(CommandStart())
async def start_plain(message: Message, command: CommandObject, state: FSMContext, session: AsyncSession) -> None:
    if command.args:
        await message.answer(ui_members.join_link_invalid())
        return
    welcome = await membership.welcome_of(session, sender(message).id)
    if welcome is not None:  # already a member: their council and their commands, not the way to join
        await message.answer(
            ui_members.welcome_member(
                welcome.name,
                welcome.council_title,
                chair=welcome.roles.chair,
                runs_meetings=welcome.roles.runs_meetings,
            )
        )
        return
    await message.answer(ui_members.welcome())
