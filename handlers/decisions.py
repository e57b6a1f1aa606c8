"""Decisions followed up (cl. 7.6): the chair names who is responsible and by when; they report it done;
/decisions lists open, overdue and done decisions."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.ops import decisions
from bot.ops.notices import edit_message
from bot.ui import decisions as ui_decisions
from bot.ui.callbacks import FollowDoneCb, FollowUpCb
from handlers.scope import TYPED, chat_of, message_of, sender, text_of

router = Router(name=__name__)


class FollowUpInput(StatesGroup):
    due = State()


class DoneInput(StatesGroup):
    report = State()


@router.callback_query(FollowUpCb.filter(F.member_id == 0))
async def skip(call: CallbackQuery, state: FSMContext) -> None:
    question = message_of(call).html_text  # kept as it is, with a line saying nobody is made responsible
    await state.clear()
    await call.answer(ui_decisions.skipped())
    await edit_message(call.message, ui_decisions.follow_up_skipped(question))


@router.callback_query(FollowUpCb.filter())
async def pick_member(call: CallbackQuery, callback_data: FollowUpCb, state: FSMContext, session: AsyncSession) -> None:
    pending = await decisions.check_assignable(
        session, vote_id=callback_data.vote_id, member_id=callback_data.member_id, user_id=call.from_user.id
    )
    await state.set_state(FollowUpInput.due)
    await state.set_data({"vote_id": callback_data.vote_id, "member_id": callback_data.member_id})
    await call.answer()
    await chat_of(call).answer(ui_decisions.ask_due(pending.vote, pending.member.full_name))


@router.message(FollowUpInput.due, TYPED)
async def got_due(message: Message, state: FSMContext, session: AsyncSession, clock: Clock, settings: Settings) -> None:
    data = await state.get_data()
    follow_up, pending = await decisions.assign(
        session,
        vote_id=data["vote_id"],
        member_id=data["member_id"],
        user_id=sender(message).id,
        due_text=text_of(message),
        now=clock.now(),
        tz=settings.tz,
        default_locale=settings.default_locale,
    )
    await state.clear()
    await message.answer(ui_decisions.follow_up_saved(pending.member, follow_up.due_on))


@router.callback_query(FollowDoneCb.filter())
async def ask_report(
    call: CallbackQuery, callback_data: FollowDoneCb, state: FSMContext, session: AsyncSession
) -> None:
    await decisions.own_open(session, callback_data.follow_up_id, call.from_user.id)
    await state.set_state(DoneInput.report)
    await state.set_data({"follow_up_id": callback_data.follow_up_id})
    await call.answer()
    await chat_of(call).answer(ui_decisions.ask_done_report())


@router.message(DoneInput.report, TYPED | F.document)
async def got_report(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    data = await state.get_data()
    document = message.document
    await decisions.mark_done(
        session,
        follow_up_id=data["follow_up_id"],
        user_id=sender(message).id,
        report=message.text or message.caption,
        file_id=document.file_id if document else None,
        file_name=document.file_name if document else None,
        now=clock.now(),
        default_locale=settings.default_locale,
    )
    await state.clear()
    await message.answer(ui_decisions.done_recorded())


@router.message(Command("decisions"))
async def list_decisions(message: Message, session: AsyncSession, clock: Clock) -> None:
    listing = await decisions.listing(session, sender(message).id, clock.local_now().date())
    parts = ui_decisions.decisions_messages(listing)
    markup = ui_decisions.decisions_keyboard(listing)
    for part in parts[:-1]:
        await message.answer(part)
    await message.answer(parts[-1], reply_markup=markup)
