"""Posts that must reach the group or a member, rendered in each reader's language and put in the outbox.

Every function here only adds outbox rows to the caller's session: the operation that changes something
calls one of them and then commits once, so the change and its announcement are stored together.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import group_text, in_locale
from bot.rendering import split_lines
from db.models import Council
from db.repo import members as members_repo
from db.repo.outbox import enqueue


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
    """The group post first, then each approved member (and participant) privately, in their language."""
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
            )
