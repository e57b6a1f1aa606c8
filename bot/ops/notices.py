"""Messages the bot sends on its own: posts queued to the outbox, and private messages sent now.

Queued (`to_person`, `to_group`, `to_group_and_members`): posts that must reach the group or a member,
rendered in each reader's language. These only add outbox rows to the caller's session: the operation that
changes something calls one of them and then commits once, so the change and its announcement are stored
together.

Now (`send_private`, `edit_message`, `edit_markup`): a private message to the chair or an applicant, or an
edit of a bot message, where a refusal by Telegram is an expected answer, not an error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup, MaybeInaccessibleMessageUnion, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import group_text, in_locale
from bot.ops.access import has_current_regulation
from bot.ui import members as ui_members
from bot.ui.render import split_lines
from db.models import Council
from db.repo import members as members_repo
from db.repo.outbox import Kind, enqueue

log = logging.getLogger(__name__)

# --- queued to the outbox, in the transaction of the change -------------------------------------------------


async def locale_of(session: AsyncSession, user_id: int, default: str) -> str:
    user = await members_repo.get_user(session, user_id)
    return user.language if user and user.language else default


async def to_person(
    session: AsyncSession,
    user_id: int,
    render: Callable[[], str],
    *,
    kind: str,
    now: datetime,
    default_locale: str,
    council_id: int | None = None,
    markup: Callable[[], InlineKeyboardMarkup] | None = None,
    ref_id: int | None = None,
) -> None:
    locale = await locale_of(session, user_id, default_locale)
    parts = split_lines(in_locale(locale, render))
    for number, part in enumerate(parts, 1):
        enqueue(
            session,
            chat_id=user_id,
            kind=kind,
            now=now,
            council_id=council_id,
            ref_id=ref_id,
            text=part,
            markup=in_locale(locale, markup) if markup and number == len(parts) else None,
        )


def to_group(
    session: AsyncSession,
    council: Council,
    render: Callable[[], str],
    *,
    kind: str,
    now: datetime,
    pin: bool = False,
    ref_id: int | None = None,
) -> None:
    # Two languages of a long agenda pass Telegram's 4096 characters: cut at lines, pin the first part
    # (the one the meeting keeps as its announcement).
    for number, part in enumerate(split_lines(group_text(council.group_language, render))):
        enqueue(
            session,
            chat_id=council.chat_id,
            kind=kind,
            now=now,
            council_id=council.id,
            ref_id=ref_id if number == 0 else None,
            pin=pin and number == 0,
            text=part,
        )


async def to_group_and_members(
    session: AsyncSession,
    council: Council,
    render: Callable[[], str],
    *,
    kind: str,
    now: datetime,
    default_locale: str,
    pin: bool = False,
    ref_id: int | None = None,
    skip_user: int | None = None,
) -> None:
    """The group post first, then each approved member (and participant) privately, in their language. The
    members' copies carry `ref_id` (the meeting) too: one that cannot reach its member is reported to the chair
    once per member and meeting (bot/runtime/outbox.py)."""
    to_group(session, council, render, kind=kind, now=now, pin=pin, ref_id=ref_id)
    for member in await members_repo.approved_members(session, council.id):
        if member.user_id != skip_user:
            await to_person(
                session,
                member.user_id,
                render,
                kind=kind,
                now=now,
                default_locale=default_locale,
                council_id=council.id,
                ref_id=ref_id,
            )


# --- sent now ------------------------------------------------------------------------------------------------


async def send_private(bot: Bot, chat_id: int, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> bool:
    """Send, and say whether it arrived: a person who never opened the bot or blocked it is not an error."""
    try:
        await bot.send_message(chat_id, text, reply_markup=reply_markup)
    except TelegramForbiddenError:
        log.warning("Private message to %s not delivered: the user has not started the bot or blocked it", chat_id)
        return False
    except TelegramBadRequest as error:
        log.warning("Private message to %s refused: %s", chat_id, error.message)
        return False
    return True


async def edit_message(
    message: MaybeInaccessibleMessageUnion | None, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit a bot message; an edit that would change nothing is not an error (a double press, say).

    Telegram answers 400 "message is not modified" to such an edit:
    https://core.telegram.org/bots/api#editmessagetext
    The message under a pressed button may come as an InaccessibleMessage (deleted, or too old for Telegram
    to send): the press has done its work and been answered, there is just nothing left to edit.
    """
    if not isinstance(message, Message):
        log.info("Nothing to edit: the message under the button is no longer accessible")
        return
    try:
        await message.edit_text(text, reply_markup=reply_markup)
    except TelegramBadRequest as error:
        if "message is not modified" not in error.message:
            raise


async def edit_markup(message: MaybeInaccessibleMessageUnion | None, reply_markup: InlineKeyboardMarkup | None) -> None:
    """Replace (or, with None, remove) a bot message's buttons; the same tolerance as `edit_message`."""
    if not isinstance(message, Message):
        log.info("Nothing to edit: the message under the button is no longer accessible")
        return
    try:
        await message.edit_reply_markup(reply_markup=reply_markup)
    except TelegramBadRequest as error:
        if "message is not modified" not in error.message:
            raise


async def remind_regulation(
    session: AsyncSession, council: Council, *, now: datetime, default_locale: str, skip_user: int | None = None
) -> int:
    """Members who have not confirmed the edition in force are reminded privately (at each /open, until they
    do). Before the caller's commit; returns how many."""
    count = 0
    for member in await members_repo.approved_members(session, council.id):
        if member.user_id == skip_user or has_current_regulation(member):
            continue
        await to_person(
            session,
            member.user_id,
            ui_members.regulation_reminder,
            kind=Kind.PERSONAL,
            now=now,
            default_locale=default_locale,
            council_id=council.id,
        )
        count += 1
    return count
