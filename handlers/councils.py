"""The council: its group chat (the bot joining, /setup, supergroup migration, what a group is told to ask in
private) and /settings (the group's language, the rating scale, the trimesters, the join link, the founding
record: cl. 4.1, the chair's). Two routers: the group chat's, and the private chat's /settings."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.filters import JOIN_TRANSITION, LEAVE_TRANSITION, ChatMemberUpdatedFilter, Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import locale_from_telegram
from bot.ops import access, councils
from bot.ops.councils import join_link, replace_join_link, set_group_language, set_rating_scale, set_trimesters
from bot.ops.notices import edit_message
from bot.ui import common as ui_common
from bot.ui import councils as ui_councils
from bot.ui.callbacks import GroupLanguageCb, JoinLinkCb, RatingScaleCb, RecordCb, RecordField, TrimestersCb
from bot.ui.commands import PRIVATE_ONLY
from db.models import Council
from handlers.scope import TYPED, bot_username, chat_of, sender, text_of

log = logging.getLogger(__name__)

# --- the group chat -----------------------------------------------------------------------------------------

group_chat = Router(name=f"{__name__}.group_chat")
group_chat.message.filter(F.chat.type.in_({ChatType.GROUP, ChatType.SUPERGROUP}))
group_chat.my_chat_member.filter(F.chat.type.in_({ChatType.GROUP, ChatType.SUPERGROUP}))

ADMIN_STATUSES = {ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR}


@group_chat.my_chat_member(ChatMemberUpdatedFilter(member_status_changed=JOIN_TRANSITION))
async def bot_added(event: ChatMemberUpdated, bot: Bot, session: AsyncSession) -> None:
    council = await councils.council_of_group(session, event.chat.id)
    log.info("Added to group %s (council: %s)", event.chat.id, council.id if council else "none yet")
    await bot.send_message(event.chat.id, ui_councils.bot_added(council))


@group_chat.my_chat_member(ChatMemberUpdatedFilter(member_status_changed=LEAVE_TRANSITION))
async def bot_removed(event: ChatMemberUpdated) -> None:
    log.warning("Removed from group %s", event.chat.id)


@group_chat.message(F.migrate_to_chat_id.as_("new_chat_id"))
async def group_migrated(message: Message, new_chat_id: int, session: AsyncSession) -> None:
    await councils.migrate_council(session, message.chat.id, new_chat_id)


@group_chat.message(F.migrate_from_chat_id.as_("old_chat_id"))
async def supergroup_created(message: Message, old_chat_id: int, session: AsyncSession) -> None:
    await councils.migrate_council(session, old_chat_id, message.chat.id)


async def _may_set_up(message: Message, bot: Bot, settings: Settings) -> bool:
    user_id = sender(message).id
    if user_id in settings.admin_ids:
        return True
    member = await bot.get_chat_member(message.chat.id, user_id)
    return member.status in ADMIN_STATUSES


@group_chat.message(Command("setup"))
async def setup(message: Message, bot: Bot, session: AsyncSession, settings: Settings, clock: Clock) -> None:
    if message.sender_chat is not None:
        # An anonymous administrator writes as the group itself: we cannot know who would be the chair.
        await message.reply(ui_councils.anonymous_admin())
        return
    if not await _may_set_up(message, bot, settings):
        log.info("Refused /setup in chat %s from a non-administrator", message.chat.id)
        await message.reply(ui_councils.setup_admins_only())
        return
    chair = sender(message)
    result = await councils.setup_council(
        session,
        chat_id=message.chat.id,
        title=message.chat.title or str(message.chat.id),
        chair_id=chair.id,
        chair_name=chair.full_name,
        chair_locale=locale_from_telegram(chair, settings.default_locale),
        now=clock.now(),
    )
    council = result.council
    link = councils.join_link(await bot_username(bot), council)
    await message.reply(
        ui_councils.council_set_up(council, chair.full_name, created=result.created),
        reply_markup=ui_councils.group_join_keyboard(council.group_language, link),
    )


@group_chat.message(Command("help"))
async def group_help(message: Message, bot: Bot, session: AsyncSession) -> None:
    council = await councils.council_of_group(session, message.chat.id)
    await message.reply(
        ui_councils.group_help(council), reply_markup=ui_common.open_bot_keyboard(await bot_username(bot))
    )


@group_chat.message(Command(*sorted(PRIVATE_ONLY)))
async def private_only(message: Message, bot: Bot) -> None:
    """Every command of the private chat, sent in the group: one short hint, with the button to the chat."""
    await message.reply(
        ui_councils.works_in_private(),
        reply_markup=ui_common.open_bot_keyboard(await bot_username(bot)),
    )


# --- /settings, in the private chat -------------------------------------------------------------------------

router = Router(name=__name__)


class SettingsInput(StatesGroup):
    trimesters = State()
    record = State()  # the school's name, the founding decision, the chair's order, the last pedagogical council


RECORDS = {
    RecordField.SCHOOL: councils.SCHOOL,
    RecordField.FOUNDING: councils.FOUNDING,
    RecordField.CHAIR_ORDER: councils.CHAIR_ORDER,
    RecordField.LAST_PEDCOUNCIL: councils.LAST_PEDCOUNCIL,
}


@router.message(Command("settings"))
async def settings_menu(message: Message, session: AsyncSession) -> None:
    council = await access.council_for_chair(session, sender(message).id)
    await message.answer(ui_councils.settings_text(council), reply_markup=ui_councils.settings_keyboard(council))


@router.callback_query(GroupLanguageCb.filter())
async def set_language(
    call: CallbackQuery, callback_data: GroupLanguageCb, session: AsyncSession, clock: Clock
) -> None:
    council = await set_group_language(
        session, user_id=call.from_user.id, language=callback_data.language, now=clock.now()
    )
    await _chosen(call, council)


@router.callback_query(RatingScaleCb.filter())
async def set_scale(call: CallbackQuery, callback_data: RatingScaleCb, session: AsyncSession, clock: Clock) -> None:
    council = await set_rating_scale(session, user_id=call.from_user.id, scale=callback_data.scale, now=clock.now())
    await _chosen(call, council)


async def _chosen(call: CallbackQuery, council: Council | None) -> None:
    """A /settings choice answered: saved and shown, or (None) the current one pressed, when Telegram would
    refuse an edit that changes nothing."""
    if council is None:
        await call.answer(ui_councils.already_chosen())
        return
    await call.answer(ui_common.saved())
    await edit_message(call.message, ui_councils.settings_text(council), ui_councils.settings_keyboard(council))


@router.callback_query(TrimestersCb.filter())
async def ask_trimesters(call: CallbackQuery, session: AsyncSession, state: FSMContext) -> None:
    await access.council_for_chair(session, call.from_user.id)
    await state.set_state(SettingsInput.trimesters)
    await call.answer()
    await chat_of(call).answer(ui_councils.ask_trimesters())


@router.message(SettingsInput.trimesters, TYPED)
async def got_trimesters(message: Message, session: AsyncSession, state: FSMContext, clock: Clock) -> None:
    council = await set_trimesters(session, user_id=sender(message).id, text=text_of(message), now=clock.now())
    await state.clear()
    await message.answer(ui_councils.settings_text(council), reply_markup=ui_councils.settings_keyboard(council))


@router.callback_query(JoinLinkCb.filter(~F.confirm))
async def ask_replace_link(call: CallbackQuery, session: AsyncSession) -> None:
    council = await access.council_for_chair(session, call.from_user.id)
    await call.answer()
    await chat_of(call).answer(
        ui_councils.ask_replace_link(),
        reply_markup=ui_councils.replace_link_confirm(council.join_code),
    )


@router.callback_query(JoinLinkCb.filter(F.confirm))
async def replace_link(
    call: CallbackQuery, callback_data: JoinLinkCb, session: AsyncSession, bot: Bot, clock: Clock
) -> None:
    council = await replace_join_link(session, user_id=call.from_user.id, now=clock.now(), seen_code=callback_data.code)
    await call.answer(ui_common.saved())
    await edit_message(call.message, ui_councils.new_join_link(join_link(await bot_username(bot), council)))


@router.callback_query(RecordCb.filter())
async def ask_record(call: CallbackQuery, callback_data: RecordCb, session: AsyncSession, state: FSMContext) -> None:
    await access.council_for_chair(session, call.from_user.id)
    await state.set_state(SettingsInput.record)
    await state.set_data({"field": callback_data.field.value})
    await call.answer()
    await chat_of(call).answer(ui_councils.ask_record(callback_data.field))


@router.message(SettingsInput.record, TYPED)
async def got_record(message: Message, session: AsyncSession, state: FSMContext, clock: Clock) -> None:
    field = RecordField((await state.get_data())["field"])
    council = await councils.record(
        session, user_id=sender(message).id, field=RECORDS[field], text=text_of(message), now=clock.now()
    )
    await state.clear()
    await message.answer(ui_councils.settings_text(council), reply_markup=ui_councils.settings_keyboard(council))
