"""The annual plan (cl. 7.3): /plan to see it; for the chair and the secretary, to draw it up (all lines at
once or step by step), put it on an agenda and record the director's order; /agenda from the plan."""

from __future__ import annotations

import logging
from datetime import date

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, MaybeInaccessibleMessageUnion, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.agenda import Agenda, Item, parse_when
from bot.clock import Clock
from bot.config import Settings
from bot.domain import PlanLine
from bot.i18n import current_locale
from bot.ops import access, meetings, plan
from bot.ops.notices import edit_message
from bot.ui import common as ui_common
from bot.ui import meetings as ui_meetings
from bot.ui import plan as ui_plan
from bot.ui.callbacks import PlanAction, PlanAgendaCb, PlanCb, PlanDayCb
from db.models import Council, GroupLanguage
from handlers.scope import TYPED, chat_of, sender, text_of

log = logging.getLogger(__name__)

router = Router(name=__name__)


class PlanInput(StatesGroup):
    day = State()  # step by step: a date (or whole lines)
    topics = State()  # the topics of that date
    preview = State()  # Save / Cancel


class AgendaFromPlan(StatesGroup):
    time = State()


async def _preview(
    message: MaybeInaccessibleMessageUnion, state: FSMContext, council: Council, lines: list[PlanLine]
) -> None:
    lines = plan.check_lines(lines)
    await state.set_state(PlanInput.preview)
    await state.update_data(lines=plan.lines_to_data(lines))
    parts = ui_plan.plan_preview(council, lines)
    for part in parts[:-1]:
        await message.answer(part)
    await message.answer(parts[-1], reply_markup=ui_plan.plan_preview_keyboard())


@router.message(Command("plan"))
async def plan_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
) -> None:
    args = (command.args or "").strip()
    word, _space, rest = args.partition(" ")
    if word.lower() in ("order", "буйрук", "приказ"):
        _council, approved, _entries = await plan.approve(
            session, user_id=sender(message).id, args=rest, now=clock.now(), tz=settings.tz
        )
        await message.answer(ui_plan.plan_approved(approved))
        return
    if args:
        council = await access.council_for_runner(session, sender(message).id)
        await state.set_data({})
        await _preview(message, state, council, plan.parse_plan(args, clock.local_now().date()))
        return
    view = await plan.view_plan(session, sender(message).id, clock.local_now().date())
    if view.plan is None:
        if not view.can_manage:
            await message.answer(ui_plan.no_plan())
            return
        await state.set_state(PlanInput.day)
        await state.set_data({"lines": []})
        await message.answer(ui_plan.no_plan_yet_ask(clock.local_now().date()))
        return
    parts = ui_plan.plan_messages(view.council, view.plan, view.entries, settings.tz)
    markup = ui_plan.plan_keyboard(view.plan, can_manage=view.can_manage)
    for part in parts[:-1]:
        await message.answer(part)
    await message.answer(parts[-1], reply_markup=markup)


@router.callback_query(PlanCb.filter(F.action == PlanAction.ENTER))
async def enter(call: CallbackQuery, state: FSMContext, session: AsyncSession, clock: Clock) -> None:
    await access.council_for_runner(session, call.from_user.id)
    await state.set_state(PlanInput.day)
    await state.set_data({"lines": []})
    await call.answer()
    await chat_of(call).answer(ui_plan.ask_plan(clock.local_now().date()))


@router.message(PlanInput.day, TYPED)
async def got_day(message: Message, state: FSMContext, session: AsyncSession, clock: Clock) -> None:
    text = text_of(message).strip()
    collected = plan.lines_from_data((await state.get_data()).get("lines", []))
    if "\n" in text or len(text.split()) > 1:  # whole lines: "DD.MM.YYYY Topic — Responsible"
        collected += plan.parse_plan(text, clock.local_now().date())
        await state.update_data(lines=plan.lines_to_data(plan.check_lines(collected)))
        await message.answer(
            ui_plan.plan_lines_added(),
            reply_markup=ui_plan.plan_step_keyboard(),
        )
        return
    day = plan.parse_date(text, clock.local_now().date())
    await state.update_data(day=day.isoformat())
    await state.set_state(PlanInput.topics)
    await message.answer(ui_plan.ask_topics(day))


@router.message(PlanInput.topics, TYPED)
async def got_topics(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    collected = plan.lines_from_data(data.get("lines", []))
    collected += plan.parse_topics(date.fromisoformat(data["day"]), text_of(message))
    await state.update_data(lines=plan.lines_to_data(plan.check_lines(collected)))
    await state.set_state(PlanInput.day)
    await message.answer(
        ui_plan.plan_topics_added(),
        reply_markup=ui_plan.plan_step_keyboard(),
    )


@router.callback_query(PlanCb.filter(F.action == PlanAction.PREVIEW), StateFilter(PlanInput))
async def step_preview(call: CallbackQuery, state: FSMContext, session: AsyncSession) -> None:
    lines = plan.lines_from_data((await state.get_data()).get("lines", []))
    council = await access.council_for_runner(session, call.from_user.id)
    await call.answer()
    await _preview(chat_of(call), state, council, lines)


@router.callback_query(PlanCb.filter(F.action == PlanAction.SAVE), PlanInput.preview)
async def save(call: CallbackQuery, state: FSMContext, session: AsyncSession, clock: Clock) -> None:
    lines = plan.lines_from_data((await state.get_data()).get("lines", []))
    council = await access.council_for_runner(session, call.from_user.id)
    saved = await plan.save_plan(session, council=council, user_id=call.from_user.id, lines=lines, now=clock.now())
    await state.clear()
    await call.answer(ui_common.saved())
    await edit_message(call.message, ui_plan.plan_saved(saved))


@router.callback_query(PlanCb.filter(F.action.in_({PlanAction.SAVE, PlanAction.PREVIEW})))
async def stale(call: CallbackQuery) -> None:
    await call.answer(ui_plan.plan_preview_stale(), show_alert=True)


@router.callback_query(PlanCb.filter(F.action == PlanAction.CANCEL))
async def discard(call: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await call.answer(ui_common.cancelled_toast())
    await edit_message(call.message, ui_plan.plan_not_saved())


@router.callback_query(PlanCb.filter(F.action == PlanAction.AGENDA))
async def choose_meeting(call: CallbackQuery, callback_data: PlanCb, session: AsyncSession, settings: Settings) -> None:
    choices = await plan.agenda_choices(session, callback_data.plan_id, call.from_user.id)
    await call.answer()
    await chat_of(call).answer(
        ui_meetings.ask_agenda_meeting(),
        reply_markup=ui_plan.plan_agenda_keyboard(callback_data.plan_id, choices, settings.tz),
    )


@router.callback_query(PlanAgendaCb.filter())
async def put_on_agenda(
    call: CallbackQuery, callback_data: PlanAgendaCb, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    _plan, meeting, position = await plan.put_on_agenda(
        session,
        plan_id=callback_data.plan_id,
        meeting_id=callback_data.meeting_id,
        user_id=call.from_user.id,
        now=clock.now(),
        tz=settings.tz,
        default_locale=settings.default_locale,
    )
    await call.answer(ui_common.saved())
    await edit_message(call.message, ui_plan.plan_on_agenda(position, meeting, settings.tz))


@router.callback_query(PlanCb.filter(F.action == PlanAction.DOCX))
async def send_docx(call: CallbackQuery, callback_data: PlanCb, session: AsyncSession, clock: Clock) -> None:
    view = await plan.view_plan(session, call.from_user.id, clock.local_now().date())
    if view.plan is None or view.plan.id != callback_data.plan_id:
        await call.answer(ui_plan.plan_preview_stale(), show_alert=True)
        return
    await call.answer(ui_common.sending())
    language = GroupLanguage(current_locale())
    await chat_of(call).answer_document(
        BufferedInputFile(
            await plan.plan_document(session, view.council, view.plan, view.entries, language),
            filename=ui_plan.plan_filename(view.plan),
        )
    )


# --- /agenda from the plan -------------------------------------------------------------------------------


@router.callback_query(PlanDayCb.filter())
async def agenda_from_plan(
    call: CallbackQuery, callback_data: PlanDayCb, state: FSMContext, session: AsyncSession, clock: Clock
) -> None:
    council = await access.council_for_runner(session, call.from_user.id)
    day = date(int(callback_data.day[:4]), int(callback_data.day[4:6]), int(callback_data.day[6:]))
    planned = await plan.planned_on(session, council, day, clock.local_now().date())
    if planned is None:
        await call.answer(ui_plan.plan_preview_stale(), show_alert=True)
        return
    await state.set_state(AgendaFromPlan.time)
    await state.set_data({"day": day.isoformat()})
    await call.answer()
    await chat_of(call).answer(ui_plan.ask_time_of_planned(day))


@router.message(AgendaFromPlan.time, TYPED)
async def agenda_time(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    day = date.fromisoformat((await state.get_data())["day"])
    when = parse_when(f"{day:%d.%m.%Y} {text_of(message).strip()}", now=clock.now(), tz=settings.tz)
    council = await access.council_for_runner(session, sender(message).id)
    planned = await plan.planned_on(session, council, day, clock.local_now().date())
    items = [Item(e.topic, e.responsible) for e in (planned.entries if planned else [])]
    if not items:
        await state.clear()
        await message.answer(ui_plan.plan_preview_stale())
        return
    view = await meetings.draft_agenda(
        session,
        council=council,
        user_id=sender(message).id,
        agenda=Agenda(when, items),
        now=clock.now(),
        tz=settings.tz,
    )
    await state.clear()
    *parts, last = ui_meetings.agenda_preview(view.council, view.meeting, view.items, settings.tz)
    for part in parts:
        await message.answer(part)
    await message.answer(last, reply_markup=ui_meetings.agenda_keyboard(view.meeting.id))
