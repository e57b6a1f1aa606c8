"""Outer middlewares: one DB session per update, and the sender's stored settings (read, never written)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.outbox import OUTBOX_FLAG, Delivery
from db import repo


class DbSessionMiddleware(BaseMiddleware):
    """One session per update. Operations commit; anything left uncommitted is rolled back on close."""

    def __init__(self, sessionmaker: async_sessionmaker, delivery: Delivery) -> None:
        self.sessionmaker = sessionmaker
        self.delivery = delivery

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async with self.sessionmaker() as session:
            data["session"] = session
            try:
                return await handler(event, data)
            finally:
                if session.info.pop(OUTBOX_FLAG, False):
                    self.delivery.wake()  # what the update committed to the outbox goes out now


class UserMiddleware(BaseMiddleware):
    """Puts the sender's stored row (language, etc.) in `user`, or None for someone the bot never stored."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        sender = data.get("event_from_user")
        data["user"] = await repo.get_user(data["session"], sender.id) if sender else None
        return await handler(event, data)


class LastUpdate(BaseMiddleware):
    """Remembers the last update handled, so a clean stop can confirm it to Telegram.

    Long polling confirms an update only with the next getUpdates call; a bot stopped before that call
    gets the same updates again on its next start (https://core.telegram.org/bots/api#getupdates).
    """

    def __init__(self) -> None:
        self.update_id: int | None = None

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        try:
            return await handler(event, data)
        finally:
            self.update_id = max(self.update_id or 0, event.update_id)
