"""/members and the chair's controls: approve or reject, order number, secretary, hand over, remove."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot import membership
from bot.clock import Clock
from bot.config import Settings
from bot.notices import edit_message
from bot.ui import common as ui_common
from bot.ui import members as ui_members
from bot.ui.callbacks import ApplicationAction, ApplicationCb, MemberAction, MemberCb, OrdersPendingCb
from db.models import MemberStatus
from handlers.scope import chat_of, sender, text_of

router = Router(name=__name__)
router.message.filter(F.chat.type == ChatType.PRIVATE)
router.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)


class ChairInput(StatesGroup):
    order_number = State()


@router.message(Command("members"))
async def show_members(message: Message, session: AsyncSession, settings: Settings) -> None:
    for roster in await membership.rosters_for(session, sender(message).id):
        parts = ui_members.roster_messages(roster, settings.tz)
        for part in parts[:-1]:
            await message.answer(part)
        await message.answer(parts[-1], reply_markup=ui_members.roster_keyboard(roster))


@router.callback_query(MemberCb.filter(F.action == MemberAction.LIST))
async def back_to_list(call: CallbackQuery, callback_data: MemberCb, session: AsyncSession, settings: Settings) -> None:
    view = await membership.chair_view(session, callback_data.member_id, call.from_user.id)
    roster = await membership.roster_of(session, view.council.id)
    await call.answer()
    # The list may not fit one message; the card's message shows its first part with the buttons.
    await edit_message(
        call.message,
        ui_members.roster_messages(roster, settings.tz)[0],
        ui_members.members_keyboard(list(roster.members)),
    )


@router.callback_query(MemberCb.filter(F.action == MemberAction.CARD))
async def open_card(call: CallbackQuery, callback_data: MemberCb, session: AsyncSession, settings: Settings) -> None:
    view = await membership.chair_view(session, callback_data.member_id, call.from_user.id)
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
    view = await membership.chair_view(session, callback_data.member_id, call.from_user.id)
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
        MemberAction.REMOVE_CONFIRM: membership.remove_member,
        MemberAction.CHAIR_CONFIRM: membership.hand_over_chair,
        MemberAction.SECRETARY: membership.name_secretary,
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
    roster = await membership.chaired_roster(session, call.from_user.id)
    await call.answer()
    await chat_of(call).answer(
        ui_members.orders_pending_text(roster), reply_markup=ui_members.orders_pending_keyboard(roster)
    )


@router.callback_query(MemberCb.filter(F.action.in_({MemberAction.ORDER, MemberAction.ORDER_LISTED})))
async def ask_order_number(
    call: CallbackQuery, callback_data: MemberCb, session: AsyncSession, state: FSMContext
) -> None:
    view = await membership.chair_view(session, callback_data.member_id, call.from_user.id)
    if view.member.status is not MemberStatus.APPROVED:
        await call.answer(str(membership.STALE), show_alert=True)
        return
    await state.set_state(ChairInput.order_number)
    # From the list of orders to fill in, the list comes back after the number is saved.
    from_list = callback_data.action is MemberAction.ORDER_LISTED
    await state.set_data({"member_id": view.member.id, "from_list": from_list})
    await call.answer()
    await chat_of(call).answer(ui_members.ask_order_number(view.member))


@router.message(Command("cancel"), StateFilter(ChairInput))
async def cancel_input(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(ui_common.nothing_changed())


@router.message(ChairInput.order_number, F.text, ~F.text.startswith("/"))
async def got_order_number(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    data = await state.get_data()
    view = await membership.set_order_number(
        session, member_id=data["member_id"], by_user_id=sender(message).id, text=text_of(message), now=clock.now()
    )
    await state.clear()
    await message.answer(
        ui_members.card_saved(view.member, view.council, settings.tz),
        reply_markup=None if data.get("from_list") else ui_members.card_controls(view.member, view.council),
    )
    if data.get("from_list"):
        roster = await membership.roster_of(session, view.council.id)
        await message.answer(
            ui_members.orders_pending_text(roster), reply_markup=ui_members.orders_pending_keyboard(roster)
        )


@router.callback_query(ApplicationCb.filter())
async def decide_application(
    call: CallbackQuery, callback_data: ApplicationCb, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    approve = callback_data.action is ApplicationAction.APPROVE
    view = await membership.decide(
        session,
        member_id=callback_data.member_id,
        by_user_id=call.from_user.id,
        approve=approve,
        now=clock.now(),
        default_locale=settings.default_locale,
    )
    await call.answer(ui_members.application_verdict(approve))
    await edit_message(
        call.message,
        ui_members.application_decided(view.member, view.council, settings.tz, approve),
        ui_members.application_decided_keyboard(view.member.id, approve),
    )
