"""Outer middlewares: presses too fast are answered before anything else, one DB session per update (the
FSM storage's too), the sender's stored settings (read, never written), and every text a person supplies
cleaned at the entrance."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.middlewares.user_context import (
    EVENT_CHAT_KEY,
    EVENT_CONTEXT_KEY,
    EVENT_FROM_USER_KEY,
    UserContextMiddleware,
)
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import log_context
from bot.i18n import I18n, locale_from_telegram
from bot.i18n import gettext as _
from bot.ops import effects
from bot.runtime import after_commit
from bot.runtime.outbox import Delivery
from bot.text_input import clean_update
from db.engine import TURN_AT_WRITE
from db.repo import members as members_repo

if TYPE_CHECKING:  # prometheus-client is loaded only by an instance that serves /metrics
    from bot.runtime.metrics import Metrics

log = logging.getLogger(__name__)


class Throttle(BaseMiddleware):
    """One person's button presses beyond `limit` a second are answered "too fast" and go no further.

    Registered on dp.update before the session middleware, so a flood of presses never reaches the database.
    Kept in this process's memory: it protects one instance's database connections, and losing it on a
    restart only lets a few presses more through."""

    def __init__(self, i18n: I18n, default_locale: str, limit: int = 5, window: float = 1.0) -> None:
        self.i18n, self.default_locale, self.limit, self.window = i18n, default_locale, limit, window
        self._presses: dict[int, deque[float]] = {}

    def too_fast(self, user_id: int, now: float) -> bool:
        presses = self._presses.setdefault(user_id, deque())
        while presses and now - presses[0] >= self.window:
            presses.popleft()
        if len(presses) >= self.limit:
            return True
        presses.append(now)
        if len(self._presses) > 10_000:  # forget people who stopped pressing
            for key in [k for k, v in self._presses.items() if not v or now - v[-1] >= self.window]:
                del self._presses[key]
        return False

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        call = event.callback_query if isinstance(event, Update) else None
        if call is None or not self.too_fast(call.from_user.id, time.monotonic()):
            return await handler(event, data)
        locale = locale_from_telegram(call.from_user, self.default_locale)
        with self.i18n.context(), self.i18n.use_locale(locale):
            text = _("Too fast: wait a second and press again.")
        try:
            await call.answer(text)
        except TelegramAPIError as error:
            log.warning("Could not answer a press that came too fast: %s", error)
        return None


class CleanText(BaseMiddleware):
    """Every text a person supplies (text, caption, file name, names, a group's title) through the one door,
    bot/text_input.py, before any filter or handler sees it. Registered first on dp.update; aiogram resolved
    the sender and the chat before it, so they are resolved again from the cleaned update."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Update):
            cleaned = clean_update(event)
            if cleaned is not event:
                event = cleaned
                context = data[EVENT_CONTEXT_KEY] = UserContextMiddleware.resolve_event_context(event)
                if context.user is not None:
                    data[EVENT_FROM_USER_KEY] = context.user
                if context.chat is not None:
                    data[EVENT_CHAT_KEY] = context.chat
        return await handler(event, data)


# The session of the update being handled, while its handler runs: the FSM storage writes a state change
# through it (bot/runtime/fsm_storage.py), so an update holds one connection of the pool, not two. A box the
# middleware empties when the handler is done, so a task the handler started never finds a closed session.
_UPDATE_SESSION: ContextVar[list[AsyncSession] | None] = ContextVar("update_session", default=None)


def update_session() -> AsyncSession | None:
    """The session of the update this task is handling (DbSessionMiddleware), or None outside an update."""
    box = _UPDATE_SESSION.get()
    return box[0] if box else None


class DbSessionMiddleware(BaseMiddleware):
    """One session per update. Operations commit; anything left uncommitted is rolled back on close. What the
    committed changes call for (reminders, tally edits, the outbox) follows here, after the handler.

    On SQLite the session's first write waits for the process's turn to write (db/engine.py TURN_AT_WRITE),
    as the scheduled jobs' transactions do, so a person's action is not refused while jobs write."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker,
        delivery: Delivery,
        scheduler: effects.Planner | None = None,
        live: effects.LiveEditor | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.delivery, self.scheduler, self.live = delivery, scheduler, live

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async with self.sessionmaker(execution_options=TURN_AT_WRITE) as session:
            data["session"] = session
            box = [session]
            token = _UPDATE_SESSION.set(box)
            try:
                return await handler(event, data)
            finally:
                box.clear()
                _UPDATE_SESSION.reset(token)
                await after_commit.run(session, scheduler=self.scheduler, live=self.live, delivery=self.delivery)


class UserMiddleware(BaseMiddleware):
    """Puts the sender's stored row (language, etc.) in `user`, or None for someone the bot never stored.
    Updates for which `skip` is true get None without a read (the vote press: its handler has the language)."""

    def __init__(self, skip: Callable[[Update], bool] | None = None) -> None:
        self.skip = skip

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        sender = data.get("event_from_user")
        if sender is None or (self.skip is not None and isinstance(event, Update) and self.skip(event)):
            data["user"] = None
        else:
            data["user"] = await members_repo.get_user(data["session"], sender.id)
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
            if isinstance(event, Update):  # registered on dp.update: always
                self.update_id = max(self.update_id or 0, event.update_id)


class UpdateContext(BaseMiddleware):
    """The first middleware on every update: its Telegram ids for the log lines written while it is handled
    (bot/log_context.py), and, when the web server serves /metrics, the update counted by kind and timed.

    The Metrics come from the Dispatcher's workflow data (`dp["metrics"]`, set by bot/web/server.py), so an
    instance without /metrics runs the same chain without them."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Update):  # registered on dp.update: always
            return await handler(event, data)
        sender = data.get("event_from_user")
        metrics: Metrics | None = data.get("metrics")
        started = time.perf_counter()
        failed = False
        with log_context.scope(update_id=event.update_id, user_id=sender.id if sender is not None else None):
            try:
                return await handler(event, data)
            except BaseException:
                failed = True
                raise
            finally:
                if metrics is not None:
                    metrics.update_handled(event.event_type, time.perf_counter() - started, failed)
