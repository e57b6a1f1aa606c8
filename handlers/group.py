"""The council's group chat: the bot joining, /setup, supergroup migration."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.filters import JOIN_TRANSITION, LEAVE_TRANSITION, ChatMemberUpdatedFilter, Command
from aiogram.types import ChatMemberUpdated, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot import councils
from bot.clock import Clock
from bot.config import Settings
from bot.i18n import locale_from_telegram
from bot.ui import common as ui_common
from bot.ui import settings as ui_settings
from handlers.scope import bot_username, sender

log = logging.getLogger(__name__)

router = Router(name=__name__)
router.message.filter(F.chat.type.in_({ChatType.GROUP, ChatType.SUPERGROUP}))
router.my_chat_member.filter(F.chat.type.in_({ChatType.GROUP, ChatType.SUPERGROUP}))

ADMIN_STATUSES = {ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR}


@router.my_chat_member(ChatMemberUpdatedFilter(member_status_changed=JOIN_TRANSITION))
async def bot_added(event: ChatMemberUpdated, bot: Bot, session: AsyncSession) -> None:
    council = await councils.council_of_group(session, event.chat.id)
    log.info("Added to group %s (council: %s)", event.chat.id, council.id if council else "none yet")
    await bot.send_message(event.chat.id, ui_settings.bot_added(council))


@router.my_chat_member(ChatMemberUpdatedFilter(member_status_changed=LEAVE_TRANSITION))
async def bot_removed(event: ChatMemberUpdated) -> None:
    log.warning("Removed from group %s", event.chat.id)


@router.message(F.migrate_to_chat_id.as_("new_chat_id"))
async def group_migrated(message: Message, new_chat_id: int, session: AsyncSession) -> None:
    await councils.migrate_council(session, message.chat.id, new_chat_id)


@router.message(F.migrate_from_chat_id.as_("old_chat_id"))
async def supergroup_created(message: Message, old_chat_id: int, session: AsyncSession) -> None:
    await councils.migrate_council(session, old_chat_id, message.chat.id)


async def _may_set_up(message: Message, bot: Bot, settings: Settings) -> bool:
    user_id = sender(message).id
    if user_id in settings.admin_ids:
        return True
    member = await bot.get_chat_member(message.chat.id, user_id)
    return member.status in ADMIN_STATUSES


@router.message(Command("setup"))
async def setup(message: Message, bot: Bot, session: AsyncSession, settings: Settings, clock: Clock) -> None:
    if message.sender_chat is not None:
        # An anonymous administrator writes as the group itself: we cannot know who would be the chair.
        await message.reply(ui_settings.anonymous_admin())
        return
    if not await _may_set_up(message, bot, settings):
        log.info("Refused /setup in chat %s from a non-administrator", message.chat.id)
        await message.reply(ui_settings.setup_admins_only())
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
        ui_settings.council_set_up(council, chair.full_name, created=result.created),
        reply_markup=ui_settings.group_join_keyboard(council.group_language, link),
    )


@router.message(Command("help"))
async def group_help(message: Message, bot: Bot) -> None:
    await message.reply(ui_settings.group_help(), reply_markup=ui_common.open_bot_keyboard(await bot_username(bot)))


@router.message(Command("members", "regulation", "lang", "start"))
async def private_only(message: Message, bot: Bot) -> None:
    await message.reply(
        ui_settings.works_in_private(),
        reply_markup=ui_common.open_bot_keyboard(await bot_username(bot)),
    )
