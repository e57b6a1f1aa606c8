"""/groups: the methodical associations and creative groups, their heads, themes, members and reports."""

from __future__ import annotations

from datetime import date

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, MaybeInaccessibleMessageUnion, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.ops import access, groups
from bot.ops.notices import edit_markup, edit_message
from bot.ui import common as ui_common
from bot.ui import groups as ui_groups
from bot.ui import meetings as ui_meetings
from bot.ui.callbacks import GroupAction, GroupAgendaCb, GroupCb, GroupPickCb
from db.models import GroupKind
from handlers.scope import TYPED, chat_of, sender, text_of

router = Router(name=__name__)

EDITS = {GroupAction.EDIT_NAME: "name", GroupAction.EDIT_AREA: "area", GroupAction.EDIT_END: "ends_on"}


class GroupInput(StatesGroup):
    name = State()
    area = State()
    theme = State()  # a new creative group's theme
    end = State()
    preview = State()
    edit = State()
    year_theme = State()  # the theme of this school year, proposed to the council


def _today(clock: Clock) -> date:
    return clock.local_now().date()


@router.message(Command("groups"))
async def show_groups(message: Message, session: AsyncSession, clock: Clock, settings: Settings) -> None:
    overview = await groups.overview(session, sender(message).id, _today(clock))
    await message.answer(
        ui_groups.overview_text(overview, settings.tz), reply_markup=ui_groups.overview_keyboard(overview)
    )


@router.callback_query(GroupCb.filter(F.action == GroupAction.LIST))
async def back_to_list(call: CallbackQuery, session: AsyncSession, clock: Clock, settings: Settings) -> None:
    overview = await groups.overview(session, call.from_user.id, _today(clock))
    await call.answer()
    await edit_message(
        call.message, ui_groups.overview_text(overview, settings.tz), ui_groups.overview_keyboard(overview)
    )


@router.callback_query(GroupCb.filter(F.action == GroupAction.ARCHIVED))
async def show_archived(call: CallbackQuery, session: AsyncSession, clock: Clock) -> None:
    overview = await groups.overview(session, call.from_user.id, _today(clock))
    await call.answer()
    await edit_message(
        call.message, ui_groups.archived_text(overview.archived), ui_groups.archived_keyboard(overview.archived)
    )


async def _page(
    session: AsyncSession, group_id: int, user_id: int, clock: Clock, settings: Settings
) -> tuple[str, InlineKeyboardMarkup]:
    found = await groups.page(session, group_id, user_id, _today(clock))
    return (
        ui_groups.page_text(found.view, found.school_year, settings.tz),
        ui_groups.page_keyboard(found.view, found.can_manage),
    )


@router.callback_query(GroupCb.filter(F.action == GroupAction.OPEN))
async def open_page(
    call: CallbackQuery,
    callback_data: GroupCb,
    session: AsyncSession,
    state: FSMContext,
    clock: Clock,
    settings: Settings,
) -> None:
    await state.clear()  # "« Back" from a step: the step is left
    text, markup = await _page(session, callback_data.group_id, call.from_user.id, clock, settings)
    await call.answer()
    await edit_message(call.message, text, markup)


# --- a new association or group: name, area or theme, end, preview -------------------------------------------


@router.callback_query(GroupCb.filter(F.action.in_({GroupAction.NEW_ASSOCIATION, GroupAction.NEW_CREATIVE})))
async def new_group(call: CallbackQuery, callback_data: GroupCb, session: AsyncSession, state: FSMContext) -> None:
    await access.council_for_chair(session, call.from_user.id)
    kind = GroupKind.ASSOCIATION if callback_data.action is GroupAction.NEW_ASSOCIATION else GroupKind.CREATIVE
    await state.set_state(GroupInput.name)
    await state.set_data({"kind": kind.value})
    await call.answer()
    await chat_of(call).answer(ui_groups.ask_name(kind))


@router.message(GroupInput.name, TYPED)
async def got_name(message: Message, state: FSMContext) -> None:
    name = groups.parse_name(text_of(message))
    await state.update_data(name=name)
    if (await state.get_data())["kind"] == GroupKind.ASSOCIATION.value:
        await state.set_state(GroupInput.area)
        await message.answer(ui_groups.ask_area())
    else:
        await state.set_state(GroupInput.theme)
        await message.answer(ui_groups.ask_creative_theme())


async def _preview(message: MaybeInaccessibleMessageUnion, state: FSMContext) -> None:
    data = await state.get_data()
    await state.set_state(GroupInput.preview)
    ends_on = date.fromisoformat(data["ends_on"]) if data.get("ends_on") else None
    await message.answer(
        ui_groups.preview(GroupKind(data["kind"]), data["name"], data.get("area"), data.get("theme"), ends_on),
        reply_markup=ui_groups.preview_keyboard(),
    )


@router.message(GroupInput.area, TYPED)
async def got_area(message: Message, state: FSMContext) -> None:
    await state.update_data(area=groups.parse_name(text_of(message), groups.MAX_AREA))
    await _preview(message, state)


@router.message(GroupInput.theme, TYPED)
async def got_creative_theme(message: Message, state: FSMContext) -> None:
    await state.update_data(theme=groups.parse_name(text_of(message), groups.MAX_THEME))
    await state.set_state(GroupInput.end)
    await message.answer(ui_groups.ask_end(), reply_markup=ui_groups.no_end_keyboard())


@router.message(GroupInput.end, TYPED)
async def got_end(message: Message, state: FSMContext, clock: Clock) -> None:
    await state.update_data(ends_on=groups.parse_end(text_of(message), _today(clock)).isoformat())
    await _preview(message, state)


@router.callback_query(GroupInput.end, GroupCb.filter(F.action == GroupAction.NO_END))
async def no_end(call: CallbackQuery, state: FSMContext) -> None:
    await call.answer()
    await _preview(chat_of(call), state)


@router.callback_query(GroupInput.preview, GroupCb.filter(F.action == GroupAction.SAVE))
async def save_group(
    call: CallbackQuery, session: AsyncSession, state: FSMContext, clock: Clock, settings: Settings
) -> None:
    data = await state.get_data()
    draft = groups.Draft(
        GroupKind(data["kind"]),
        data["name"],
        data.get("area"),
        data.get("theme"),
        date.fromisoformat(data["ends_on"]) if data.get("ends_on") else None,
    )
    group = await groups.create_group(session, user_id=call.from_user.id, draft=draft, now=clock.now(), tz=settings.tz)
    await state.clear()
    await call.answer(ui_common.saved())
    text, markup = await _page(session, group.id, call.from_user.id, clock, settings)
    await edit_message(call.message, text, markup)


@router.callback_query(GroupCb.filter(F.action.in_({GroupAction.SAVE, GroupAction.DISCARD, GroupAction.NO_END})))
async def discard_group(call: CallbackQuery, state: FSMContext) -> None:
    """Cancel on the preview, or a Save or "not temporary" pressed again after the dialog ended."""
    await state.clear()
    await call.answer()
    await edit_message(call.message, ui_groups.discarded())


# --- changing one: name, area, end; archive ---------------------------------------------------------------------


@router.callback_query(GroupCb.filter(F.action.in_(set(EDITS))))
async def ask_edit(call: CallbackQuery, callback_data: GroupCb, session: AsyncSession, state: FSMContext) -> None:
    await access.council_for_chair(session, call.from_user.id)
    field = EDITS[callback_data.action]
    await state.set_state(GroupInput.edit)
    await state.set_data({"group_id": callback_data.group_id, "field": field})
    await call.answer()
    await chat_of(call).answer(ui_groups.ask_edit(field), reply_markup=ui_groups.back_keyboard(callback_data.group_id))


@router.message(GroupInput.edit, TYPED)
async def got_edit(
    message: Message, session: AsyncSession, state: FSMContext, clock: Clock, settings: Settings
) -> None:
    data = await state.get_data()
    group = await groups.edit_group(
        session,
        group_id=data["group_id"],
        user_id=sender(message).id,
        field=data["field"],
        text=text_of(message),
        now=clock.now(),
        tz=settings.tz,
    )
    await state.clear()
    text, markup = await _page(session, group.id, sender(message).id, clock, settings)
    await message.answer(text, reply_markup=markup)


@router.callback_query(GroupCb.filter(F.action.in_({GroupAction.ARCHIVE, GroupAction.RESTORE})))
async def archive(
    call: CallbackQuery, callback_data: GroupCb, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    restore = callback_data.action is GroupAction.RESTORE
    group = await groups.archive_group(
        session, group_id=callback_data.group_id, user_id=call.from_user.id, restore=restore, now=clock.now()
    )
    await call.answer(ui_groups.archived_done(group, restore))
    text, markup = await _page(session, group.id, call.from_user.id, clock, settings)
    await edit_message(call.message, text, markup)


# --- the head, the theme, the members -----------------------------------------------------------------------------


@router.callback_query(GroupCb.filter(F.action == GroupAction.HEAD))
async def choose_head(call: CallbackQuery, callback_data: GroupCb, session: AsyncSession) -> None:
    group, people = await groups.head_choices(session, callback_data.group_id, call.from_user.id)
    await call.answer()
    await edit_message(call.message, ui_groups.choose_head(group), ui_groups.head_keyboard(group.id, people))


@router.callback_query(GroupPickCb.filter(~F.toggle))
async def propose_head(
    call: CallbackQuery, callback_data: GroupPickCb, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    group, member = await groups.propose_head(
        session,
        group_id=callback_data.group_id,
        member_id=callback_data.member_id,
        user_id=call.from_user.id,
        now=clock.now(),
        tz=settings.tz,
    )
    await call.answer(ui_common.saved())
    _text, markup = await _page(session, group.id, call.from_user.id, clock, settings)
    await edit_message(call.message, ui_groups.head_proposed(group, member.full_name), markup)


@router.callback_query(GroupCb.filter(F.action == GroupAction.THEME))
async def ask_theme(
    call: CallbackQuery, callback_data: GroupCb, session: AsyncSession, state: FSMContext, clock: Clock
) -> None:
    found = await groups.page(session, callback_data.group_id, call.from_user.id, _today(clock))
    await access.council_for_chair(session, call.from_user.id)
    await state.set_state(GroupInput.year_theme)
    await state.set_data({"group_id": found.view.group.id})
    await call.answer()
    await chat_of(call).answer(
        ui_groups.ask_theme(found.view.group, found.school_year),
        reply_markup=ui_groups.back_keyboard(found.view.group.id),
    )


@router.message(GroupInput.year_theme, TYPED)
async def got_theme(
    message: Message, session: AsyncSession, state: FSMContext, clock: Clock, settings: Settings
) -> None:
    data = await state.get_data()
    group = await groups.propose_theme(
        session,
        group_id=data["group_id"],
        user_id=sender(message).id,
        text=text_of(message),
        now=clock.now(),
        tz=settings.tz,
    )
    await state.clear()
    _text, markup = await _page(session, group.id, sender(message).id, clock, settings)
    await message.answer(ui_groups.theme_proposed(group), reply_markup=markup)


@router.callback_query(GroupCb.filter(F.action == GroupAction.MEMBERS))
async def group_members(call: CallbackQuery, callback_data: GroupCb, session: AsyncSession) -> None:
    group, roll = await groups.member_roll(session, callback_data.group_id, call.from_user.id)
    await call.answer()
    await edit_message(call.message, ui_groups.members_text(group), ui_groups.members_keyboard(group.id, roll))


@router.callback_query(GroupPickCb.filter(F.toggle))
async def toggle_member(call: CallbackQuery, callback_data: GroupPickCb, session: AsyncSession, clock: Clock) -> None:
    joined = await groups.toggle_member(
        session,
        group_id=callback_data.group_id,
        member_id=callback_data.member_id,
        user_id=call.from_user.id,
        now=clock.now(),
    )
    group, roll = await groups.member_roll(session, callback_data.group_id, call.from_user.id)
    await call.answer(ui_groups.member_toggled(group.kind, joined))
    await edit_markup(call.message, ui_groups.members_keyboard(group.id, roll))


# --- onto a meeting's agenda ------------------------------------------------------------------------------------


@router.callback_query(GroupAgendaCb.filter(F.meeting_id == 0))
async def choose_meeting(
    call: CallbackQuery, callback_data: GroupAgendaCb, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    found = await groups.agenda_choices(
        session, callback_data.group_id, call.from_user.id, callback_data.what, _today(clock)
    )
    await call.answer()
    await edit_message(
        call.message,
        ui_meetings.ask_agenda_meeting(),
        ui_groups.agenda_pick_keyboard(callback_data.group_id, callback_data.what, found, settings.tz),
    )


@router.callback_query(GroupAgendaCb.filter(F.meeting_id != 0))
async def put_on_agenda(
    call: CallbackQuery, callback_data: GroupAgendaCb, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    group, meeting, position = await groups.put_on_agenda(
        session,
        group_id=callback_data.group_id,
        what=callback_data.what,
        meeting_id=callback_data.meeting_id,
        user_id=call.from_user.id,
        now=clock.now(),
        tz=settings.tz,
        default_locale=settings.default_locale,
    )
    await call.answer(ui_common.saved())
    await edit_message(
        call.message,
        ui_groups.put_on_agenda(group, callback_data.what, meeting, position, settings.tz),
        ui_groups.back_keyboard(group.id),
    )
