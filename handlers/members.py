"""Members: registration in the private chat (language, full name, role, the regulation, then the chair
decides), /members and the chair's controls (approve or reject, order number, secretary, hand over, remove)."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, MaybeInaccessibleMessageUnion, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import LANGUAGE_NAMES, I18n, current_locale
from bot.ops import members
from bot.ops.councils import JOIN_PREFIX
from bot.ops.notices import edit_markup, edit_message
from bot.ui import common as ui_common
from bot.ui import members as ui_members
from bot.ui.callbacks import (
    ApplicationCb,
    LanguageCb,
    MemberAction,
    MemberCb,
    OrdersPendingCb,
    RegulationCb,
    RoleCb,
)
from bot.ui.regulation import regulation_messages
from db.models import MemberStatus, Role
from handlers.scope import TYPED, chat_of, sender, text_of

log = logging.getLogger(__name__)

router = Router(name=__name__)


# --- registration in the private chat -----------------------------------------------------------------------


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
    joining = await members.start_joining(session, sender(message).id, code)
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
    await members.set_language(session, call.from_user.id, locale, clock.now())
    await state.set_state(Registration.name)
    with i18n.use_locale(locale):
        await call.answer(LANGUAGE_NAMES[locale])
        await edit_message(call.message, LANGUAGE_NAMES[locale])
        await chat_of(call).answer(ui_members.ask_full_name())


@router.message(Registration.name, TYPED)
async def got_name(message: Message, state: FSMContext) -> None:
    name = members.parse_full_name(text_of(message))
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
    name = (await state.get_data())["name"]
    await edit_message(call.message, ui_members.role_chosen(name, callback_data.role))
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
    placed = await members.apply(
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
async def start_plain(
    message: Message, command: CommandObject, state: FSMContext, session: AsyncSession, settings: Settings
) -> None:
    if command.args:
        await message.answer(ui_members.join_link_invalid())
        return
    welcome = await members.welcome_of(session, sender(message).id)
    if welcome is not None:  # already a member: their council and their commands, not the way to join
        await message.answer(
            ui_members.welcome_member(
                welcome.name,
                welcome.council_title,
                chair=welcome.roles.chair,
                runs_meetings=welcome.roles.runs_meetings,
                year_app=settings.miniapp_url is not None,
            )
        )
        return
    await message.answer(ui_members.welcome())


# --- /members and the chair's controls ----------------------------------------------------------------------


class ChairInput(StatesGroup):
    order_number = State()


@router.message(Command("members"))
async def show_members(message: Message, session: AsyncSession, settings: Settings) -> None:
    for roster in await members.rosters_for(session, sender(message).id):
        parts = ui_members.roster_messages(roster, settings.tz)
        for part in parts[:-1]:
            await message.answer(part)
        await message.answer(parts[-1], reply_markup=ui_members.roster_keyboard(roster))


@router.callback_query(MemberCb.filter(F.action == MemberAction.LIST))
async def back_to_list(call: CallbackQuery, callback_data: MemberCb, session: AsyncSession, settings: Settings) -> None:
    view = await members.chair_view(session, callback_data.member_id, call.from_user.id)
    roster = await members.roster_of(session, view.council.id)
    await call.answer()
    # The list may not fit one message; the card's message shows its first part with the buttons.
    await edit_message(
        call.message,
        ui_members.roster_messages(roster, settings.tz)[0],
        ui_members.members_keyboard(list(roster.members)),
    )


@router.callback_query(MemberCb.filter(F.action == MemberAction.CARD))
async def open_card(call: CallbackQuery, callback_data: MemberCb, session: AsyncSession, settings: Settings) -> None:
    view = await members.chair_view(session, callback_data.member_id, call.from_user.id)
    await call.answer()
    await edit_message(
        call.message,
        ui_members.member_card(view.member, view.council, settings.tz),
        ui_members.card_controls(view.member, view.council),
    )


@router.callback_query(MemberCb.filter(F.action.in_({MemberAction.REMOVE, MemberAction.CHAIR})))
async def ask_to_confirm(
    call: CallbackQuery, callback_data: MemberCb, session: AsyncSession, settings: Settings
) -> None:
    view = await members.chair_view(session, callback_data.member_id, call.from_user.id)
    await call.answer()
    await edit_message(
        call.message,
        ui_members.confirm_question(view.member, view.council, settings.tz, callback_data.action),
        ui_members.confirm_question_keyboard(view.member.id, callback_data.action),
    )


@router.callback_query(
    MemberCb.filter(F.action.in_({MemberAction.REMOVE_CONFIRM, MemberAction.CHAIR_CONFIRM, MemberAction.SECRETARY}))
)
async def change_member(
    call: CallbackQuery, callback_data: MemberCb, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    operations = {
        MemberAction.REMOVE_CONFIRM: members.remove_member,
        MemberAction.CHAIR_CONFIRM: members.hand_over_chair,
        MemberAction.SECRETARY: members.name_secretary,
    }
    view = await operations[callback_data.action](
        session,
        member_id=callback_data.member_id,
        by_user_id=call.from_user.id,
        now=clock.now(),
        default_locale=settings.default_locale,
    )
    done = ui_members.change_done(callback_data.action)
    await call.answer(done)
    text = ui_members.card_done(view.member, view.council, settings.tz, done)
    if callback_data.action is MemberAction.CHAIR_CONFIRM:
        # The presser is no longer the chair: the card's controls are not theirs any more.
        await edit_message(call.message, text)
    else:
        await edit_message(call.message, text, ui_members.card_controls(view.member, view.council))


@router.callback_query(OrdersPendingCb.filter())
async def orders_pending(call: CallbackQuery, session: AsyncSession) -> None:
    """cl. 7.2: the list of approved members whose director's order the chair still has to record."""
    roster = await members.chaired_roster(session, call.from_user.id)
    await call.answer()
    await chat_of(call).answer(
        ui_members.orders_pending_text(roster), reply_markup=ui_members.orders_pending_keyboard(roster)
    )


@router.callback_query(MemberCb.filter(F.action.in_({MemberAction.ORDER, MemberAction.ORDER_LISTED})))
async def ask_order_number(
    call: CallbackQuery, callback_data: MemberCb, session: AsyncSession, state: FSMContext
) -> None:
    view = await members.chair_view(session, callback_data.member_id, call.from_user.id)
    if view.member.status is not MemberStatus.APPROVED:
        await call.answer(str(members.STALE), show_alert=True)
        return
    await state.set_state(ChairInput.order_number)
    # From the list of orders to fill in, the list comes back after the number is saved.
    from_list = callback_data.action is MemberAction.ORDER_LISTED
    await state.set_data({"member_id": view.member.id, "from_list": from_list})
    await call.answer()
    await chat_of(call).answer(ui_members.ask_order_number(view.member))


@router.message(ChairInput.order_number, TYPED)
async def got_order_number(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    data = await state.get_data()
    view = await members.set_order_number(
        session, member_id=data["member_id"], by_user_id=sender(message).id, text=text_of(message), now=clock.now()
    )
    await state.clear()
    await message.answer(
        ui_members.card_saved(view.member, view.council, settings.tz),
        reply_markup=None if data.get("from_list") else ui_members.card_controls(view.member, view.council),
    )
    if data.get("from_list"):
        roster = await members.roster_of(session, view.council.id)
        await message.answer(
            ui_members.orders_pending_text(roster), reply_markup=ui_members.orders_pending_keyboard(roster)
        )


@router.callback_query(ApplicationCb.filter())
async def decide_application(
    call: CallbackQuery, callback_data: ApplicationCb, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    approve = callback_data.action.approves
    view = await members.decide(
        session,
        member_id=callback_data.member_id,
        by_user_id=call.from_user.id,
        approve=approve,
        now=clock.now(),
        default_locale=settings.default_locale,
    )
    await call.answer(ui_members.application_verdict(approve))
    if callback_data.action.on_card:  # the card stays a card, with its buttons and the way back to the list
        await edit_message(
            call.message,
            ui_members.card_decided(view.member, view.council, settings.tz, approve),
            ui_members.card_controls(view.member, view.council),
        )
        return
    await edit_message(
        call.message,
        ui_members.application_decided(view.member, view.council, settings.tz, approve),
        ui_members.application_decided_keyboard(view.member.id, approve),
    )
