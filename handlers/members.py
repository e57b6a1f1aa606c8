"""/members and the chair's controls: approve or reject, order number, secretary, hand over, remove."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot import membership
from bot.clock import Clock
from bot.config import Settings
from bot.keyboards import (
    ApplicationCb,
    Decision,
    MemberAction,
    MemberCb,
    approved_keyboard,
    confirm_keyboard,
    member_card_keyboard,
    members_keyboard,
)
from bot.membership import ChairView
from bot.notify import edit_message
from bot.rendering import esc
from bot.texts import application_text, member_card, roster_messages
from db.models import MemberStatus, Role

router = Router(name=__name__)
router.message.filter(F.chat.type == ChatType.PRIVATE)
router.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)


class ChairInput(StatesGroup):
    order_number = State()


@router.message(Command("members"))
async def show_members(message: Message, session: AsyncSession, settings: Settings) -> None:
    for roster in await membership.rosters_for(session, message.from_user.id):
        parts = roster_messages(roster, settings.tz)
        for part in parts[:-1]:
            await message.answer(part)
        keyboard = members_keyboard(list(roster.members)) if roster.viewer_is_chair else None
        await message.answer(parts[-1], reply_markup=keyboard)


def _card(view: ChairView, settings: Settings) -> tuple[str, object]:
    member, council = view.member, view.council
    keyboard = member_card_keyboard(
        member, is_chair=member.role is Role.CHAIR, is_secretary=council.secretary_id == member.user_id
    )
    return member_card(member, council, settings.tz), keyboard


@router.callback_query(MemberCb.filter(F.action == MemberAction.LIST))
async def back_to_list(call: CallbackQuery, callback_data: MemberCb, session: AsyncSession, settings: Settings) -> None:
    view = await membership.chair_view(session, callback_data.member_id, call.from_user.id)
    roster = await membership.roster_of(session, view.council.id)
    await call.answer()
    # The list may not fit one message; the card's message shows its first part with the buttons.
    await edit_message(call.message, roster_messages(roster, settings.tz)[0], members_keyboard(list(roster.members)))


@router.callback_query(MemberCb.filter(F.action == MemberAction.CARD))
async def open_card(call: CallbackQuery, callback_data: MemberCb, session: AsyncSession, settings: Settings) -> None:
    view = await membership.chair_view(session, callback_data.member_id, call.from_user.id)
    await call.answer()
    text, keyboard = _card(view, settings)
    await edit_message(call.message, text, keyboard)


@router.callback_query(MemberCb.filter(F.action.in_({MemberAction.REMOVE, MemberAction.CHAIR})))
async def ask_to_confirm(
    call: CallbackQuery, callback_data: MemberCb, session: AsyncSession, settings: Settings
) -> None:
    view = await membership.chair_view(session, callback_data.member_id, call.from_user.id)
    await call.answer()
    name = esc(view.member.full_name)
    if callback_data.action is MemberAction.REMOVE:
        question = _("Remove {name} from the council?").format(name=name)
        keyboard = confirm_keyboard(MemberAction.REMOVE_CONFIRM, view.member.id, _("Yes, remove"))
    else:
        question = _("Hand over the chair to {name}? You will stay a member with a vote.").format(name=name)
        keyboard = confirm_keyboard(MemberAction.CHAIR_CONFIRM, view.member.id, _("Yes, hand over"))
    await edit_message(call.message, f"{member_card(view.member, view.council, settings.tz)}\n\n{question}", keyboard)


@router.callback_query(
    MemberCb.filter(F.action.in_({MemberAction.REMOVE_CONFIRM, MemberAction.CHAIR_CONFIRM, MemberAction.SECRETARY}))
)
async def change_member(
    call: CallbackQuery, callback_data: MemberCb, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    operations = {
        MemberAction.REMOVE_CONFIRM: (membership.remove_member, _("Removed")),
        MemberAction.CHAIR_CONFIRM: (membership.hand_over_chair, _("The chair is handed over")),
        MemberAction.SECRETARY: (membership.name_secretary, _("Secretary named")),
    }
    operation, done = operations[callback_data.action]
    view = await operation(
        session,
        member_id=callback_data.member_id,
        by_user_id=call.from_user.id,
        now=clock.now(),
        default_locale=settings.default_locale,
    )
    await call.answer(done)
    if callback_data.action is MemberAction.CHAIR_CONFIRM:
        # The presser is no longer the chair: the card's controls are not theirs any more.
        await edit_message(call.message, f"{member_card(view.member, view.council, settings.tz)}\n\n✅ {done}")
    else:
        text, keyboard = _card(view, settings)
        await edit_message(call.message, f"{text}\n\n✅ {done}", keyboard)


@router.callback_query(MemberCb.filter(F.action == MemberAction.ORDER))
async def ask_order_number(
    call: CallbackQuery, callback_data: MemberCb, session: AsyncSession, state: FSMContext
) -> None:
    view = await membership.chair_view(session, callback_data.member_id, call.from_user.id)
    if view.member.status is not MemberStatus.APPROVED:
        await call.answer(membership.STALE, show_alert=True)
        return
    await state.set_state(ChairInput.order_number)
    await state.set_data({"member_id": view.member.id})
    await call.answer()
    await call.message.answer(
        _(
            "Send the number of the director's order that approved {name} (for example 15), or - to clear it. "
            "/cancel to leave it as it is."
        ).format(name=esc(view.member.full_name))
    )


@router.message(Command("cancel"), StateFilter(ChairInput))
async def cancel_input(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(_("Cancelled; nothing was changed."))


@router.message(ChairInput.order_number, F.text, ~F.text.startswith("/"))
async def got_order_number(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    data = await state.get_data()
    view = await membership.set_order_number(
        session, member_id=data["member_id"], by_user_id=message.from_user.id, text=message.text, now=clock.now()
    )
    await state.clear()
    text, keyboard = _card(view, settings)
    await message.answer(f"{text}\n\n✅ {_('Saved')}", reply_markup=keyboard)


@router.callback_query(ApplicationCb.filter())
async def decide_application(
    call: CallbackQuery, callback_data: ApplicationCb, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    approve = callback_data.action is Decision.APPROVE
    view = await membership.decide(
        session,
        member_id=callback_data.member_id,
        by_user_id=call.from_user.id,
        approve=approve,
        now=clock.now(),
        default_locale=settings.default_locale,
    )
    outcome = _("Approved") if approve else _("Rejected")
    await call.answer(outcome)
    await edit_message(
        call.message,
        f"{application_text(view.member, view.council, settings.tz)}\n\n{'✅' if approve else '❌'} {outcome}",
        approved_keyboard(view.member.id) if approve else None,
    )
