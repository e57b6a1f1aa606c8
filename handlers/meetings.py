"""The agenda (/agenda, preview, publish) and /meetings with move and cancel."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.agenda import Agenda, When, parse_agenda, parse_items, parse_when
from bot.clock import Clock
from bot.config import Settings
from bot.ops import access, meetings, plan
from bot.ops.meetings import MeetingView
from bot.ops.notices import edit_markup, edit_message, send_private
from bot.ui import common as ui_common
from bot.ui import meetings as ui_meetings
from bot.ui import plan as ui_plan
from bot.ui.callbacks import (
    AgendaAction,
    AgendaCb,
    MeetingAction,
    MeetingCb,
)
from handlers.scope import PRIVATE, TYPED, bot_username, chat_of, group_id, sender, text_of

log = logging.getLogger(__name__)

# Not under the private chat's parent (handlers.get_routers): /agenda is a group command too, whose preview then
# goes to the chair privately. A step's answers come from the chat it began in (FSM state is kept per chat).
router = Router(name=__name__)


class AgendaWizard(StatesGroup):
    when = State()
    items = State()


class MoveMeeting(StatesGroup):
    when = State()


async def _send_preview(message: Message, bot: Bot, view: MeetingView, settings: Settings) -> None:
    *parts, last = ui_meetings.agenda_preview(view.council, view.meeting, view.items, settings.tz)
    keyboard = ui_meetings.agenda_keyboard(view.meeting.id)
    if message.chat.type == ChatType.PRIVATE:
        for part in parts:
            await message.answer(part)
        await message.answer(last, reply_markup=keyboard)
        return
    # Asked in the group: the preview goes to the chair privately, so nothing half-made reaches the group.
    chair = sender(message).id
    if all([await send_private(bot, chair, part) for part in parts]) and await send_private(
        bot, chair, last, reply_markup=keyboard
    ):
        await message.reply(ui_meetings.preview_sent_privately())
    else:
        await message.reply(
            ui_meetings.open_private_chat_first(),
            reply_markup=ui_common.open_bot_keyboard(await bot_username(bot)),
        )


@router.message(Command("agenda"))
async def agenda(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    bot: Bot,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
) -> None:
    council = await access.council_for_runner(session, sender(message).id, group_id(message))
    if command.args:
        parsed = parse_agenda(command.args, now=clock.now(), tz=settings.tz)
        view = await meetings.draft_agenda(
            session, council=council, user_id=sender(message).id, agenda=parsed, now=clock.now(), tz=settings.tz
        )
        await _send_preview(message, bot, view, settings)
        return
    if message.chat.type != ChatType.PRIVATE:
        await message.reply(
            ui_meetings.agenda_in_private(),
            reply_markup=ui_common.open_bot_keyboard(await bot_username(bot)),
        )
        return
    await state.set_state(AgendaWizard.when)
    await state.set_data({"council_id": council.id})
    await message.answer(ui_meetings.ask_when(clock.local_now().date()))
    planned = await plan.next_planned(session, council, clock.now().astimezone(settings.tz).date(), settings.tz)
    if planned is not None:  # the annual plan's next meeting not yet announced, offered as the draft (cl. 7.3)
        await message.answer(ui_plan.plan_offer(planned), reply_markup=ui_plan.plan_offer_keyboard(planned))


@router.message(AgendaWizard.when, TYPED)
async def wizard_when(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    when = parse_when(text_of(message).strip(), now=clock.now(), tz=settings.tz)
    # Refused at this step, before the items are typed (draft_agenda asks again).
    await meetings.check_slot_free(session, (await state.get_data())["council_id"], when.starts_at, settings.tz)
    await state.update_data(starts_at=when.starts_at.isoformat(), place=when.place)
    await state.set_state(AgendaWizard.items)
    await message.answer(ui_meetings.ask_items())


@router.message(AgendaWizard.items, TYPED)
async def wizard_items(
    message: Message, state: FSMContext, bot: Bot, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    data = await state.get_data()
    items = parse_items(text_of(message).splitlines())
    # draft_agenda checks the date again: the chair may have answered after midnight.
    when = When(datetime.fromisoformat(data["starts_at"]), data.get("place"))
    council = await access.council_for_runner(session, sender(message).id)
    view = await meetings.draft_agenda(
        session,
        council=council,
        user_id=sender(message).id,
        agenda=Agenda(when, items),
        now=clock.now(),
        tz=settings.tz,
    )
    await state.clear()
    await _send_preview(message, bot, view, settings)


@router.callback_query(AgendaCb.filter(F.action == AgendaAction.PUBLISH))
async def publish(
    call: CallbackQuery,
    callback_data: AgendaCb,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
) -> None:
    view = await meetings.publish(
        session,
        meeting_id=callback_data.meeting_id,
        user_id=call.from_user.id,
        now=clock.now(),
        tz=settings.tz,
        default_locale=settings.default_locale,
    )
    await call.answer(ui_meetings.published_toast())
    await edit_message(call.message, ui_meetings.published(view.council, view.meeting, view.items, settings.tz))


@router.callback_query(AgendaCb.filter(F.action == AgendaAction.DISCARD))
async def discard(call: CallbackQuery, callback_data: AgendaCb, session: AsyncSession, settings: Settings) -> None:
    view = await meetings.discard_draft(session, meeting_id=callback_data.meeting_id, user_id=call.from_user.id)
    await call.answer(ui_common.cancelled_toast())
    await edit_message(call.message, ui_meetings.discarded(view.council, view.meeting, view.items, settings.tz))


@router.message(Command("meetings"), PRIVATE)
async def list_meetings(message: Message, session: AsyncSession, settings: Settings) -> None:
    listing = await meetings.meetings_of(session, sender(message).id)
    if not listing.upcoming and not listing.past:
        await message.answer(ui_meetings.no_meetings(listing.can_manage))
        return
    for meeting in listing.upcoming:
        items = await meetings.meeting_view(session, meeting.id)
        await message.answer(
            ui_meetings.announcement(listing.council, meeting, items.items, settings.tz, items.reviews),
            reply_markup=ui_meetings.upcoming_controls(meeting, can_manage=listing.can_manage),
        )
    if listing.past:
        await message.answer(ui_meetings.past_meetings(listing.past, settings.tz))


@router.callback_query(MeetingCb.filter(F.action == MeetingAction.RESCHEDULE))
async def ask_new_date(
    call: CallbackQuery, callback_data: MeetingCb, state: FSMContext, session: AsyncSession, clock: Clock
) -> None:
    await meetings.meeting_view(session, callback_data.meeting_id, call.from_user.id)
    await state.set_state(MoveMeeting.when)
    await state.set_data({"meeting_id": callback_data.meeting_id})
    await call.answer()
    await chat_of(call).answer(ui_meetings.ask_new_date(clock.local_now().date()))


@router.message(MoveMeeting.when, TYPED)
async def got_new_date(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    data = await state.get_data()
    when = parse_when(text_of(message).strip(), now=clock.now(), tz=settings.tz)
    await meetings.reschedule(
        session,
        meeting_id=data["meeting_id"],
        user_id=sender(message).id,
        when=when,
        now=clock.now(),
        tz=settings.tz,
        default_locale=settings.default_locale,
    )
    await state.clear()
    await message.answer(ui_meetings.moved())


@router.callback_query(MeetingCb.filter(F.action == MeetingAction.CANCEL))
async def ask_cancel(call: CallbackQuery, callback_data: MeetingCb, session: AsyncSession) -> None:
    await meetings.meeting_view(session, callback_data.meeting_id, call.from_user.id)
    await call.answer()
    await edit_markup(call.message, ui_meetings.cancel_meeting_confirm(callback_data.meeting_id))


@router.callback_query(MeetingCb.filter(F.action == MeetingAction.KEEP))
async def keep(call: CallbackQuery, callback_data: MeetingCb, session: AsyncSession) -> None:
    await meetings.meeting_view(session, callback_data.meeting_id, call.from_user.id)
    await call.answer()
    await edit_markup(call.message, ui_meetings.meeting_controls(callback_data.meeting_id))


@router.callback_query(MeetingCb.filter(F.action == MeetingAction.CANCEL_CONFIRM))
async def confirm_cancel(
    call: CallbackQuery,
    callback_data: MeetingCb,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
) -> None:
    view = await meetings.cancel_meeting(
        session,
        meeting_id=callback_data.meeting_id,
        user_id=call.from_user.id,
        now=clock.now(),
        tz=settings.tz,
        default_locale=settings.default_locale,
    )
    await call.answer(ui_common.cancelled_toast())
    await edit_message(call.message, ui_meetings.cancelled(view.meeting, settings.tz))
