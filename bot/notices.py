"""Announcements that go to the council's group and to each member privately, each in their language."""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot import meeting_texts
from bot.config import Settings
from bot.i18n import group_text
from bot.notify import send_private
from db import repo
from db.models import Council, Meeting

log = logging.getLogger(__name__)


class Notice(StrEnum):
    ANNOUNCED = "announced"
    MOVED = "moved"
    CANCELLED = "cancelled"


async def broadcast(
    bot: Bot,
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    council: Council,
    render: Callable[[], str],
    *,
    pin: bool = False,
    skip_user: int | None = None,
) -> int | None:
    """Post to the group (returns the message id) and send to every approved member in their language."""
    message_id = None
    try:
        sent = await bot.send_message(council.chat_id, group_text(council.group_language, render))
        message_id = sent.message_id
        if pin:
            try:
                await bot.pin_chat_message(council.chat_id, message_id, disable_notification=True)
            except TelegramAPIError as error:  # the bot may lack the right to pin: the post stands
                log.warning("Could not pin in chat %s: %s", council.chat_id, error)
    except TelegramAPIError as error:
        log.error("Could not post to the group of council %s: %s", council.id, error)
    delivered = 0
    for member in await repo.approved_members(session, council.id):
        if member.user_id == skip_user:
            continue
        user = await repo.get_user(session, member.user_id)
        with i18n.use_locale(user.language if user and user.language else settings.default_locale):
            delivered += await send_private(bot, member.user_id, render())
    log.info("Council %s: notice posted to the group and %d member(s)", council.id, delivered)
    return message_id


async def announce(
    bot: Bot,
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    notice: Notice,
    council: Council,
    meeting: Meeting,
    *,
    by_user: int,
) -> int | None:
    items = await repo.meeting_items(session, meeting.id)
    tz = settings.tz
    render = {
        Notice.ANNOUNCED: lambda: meeting_texts.announcement(council, meeting, items, tz),
        Notice.MOVED: lambda: meeting_texts.rescheduled(meeting, items, tz),
        Notice.CANCELLED: lambda: meeting_texts.cancelled(meeting, tz),
    }[notice]
    return await broadcast(
        bot, session, i18n, settings, council, render, pin=notice is not Notice.CANCELLED, skip_user=by_user
    )


async def send_reminder(
    bot: Bot, session: AsyncSession, i18n: I18n, settings: Settings, meeting: Meeting, hours: int
) -> None:
    council = await repo.get_council(session, meeting.council_id)
    items = await repo.meeting_items(session, meeting.id)
    with i18n.context():
        await broadcast(
            bot, session, i18n, settings, council, lambda: meeting_texts.reminder(meeting, items, settings.tz, hours)
        )
