"""When Redis is down: the person is told to try again in a moment, the update is not dropped unanswered.

With REDIS_URL, every update takes a per-person lock in Redis (aiogram's event isolation) and reads the
conversation state there before any handler runs. A Redis that does not answer made every update fail with
a traceback and no answer (issue 18 §7). These wrappers turn Redis's connection errors into a domain error,
which the error router answers in the person's language; the database and everything else are untouched.
A lock that cannot be *released* is only logged: the update was handled, and Redis drops the lock by its
timeout anyway.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, StateType, StorageKey

from bot.errors import KeneshError
from bot.i18n import lazy_gettext as __

log = logging.getLogger(__name__)

TRY_AGAIN = __("The bot is briefly unavailable; nothing was done. Please try again in a moment.")


class SharedStateUnavailable(KeneshError):
    def __init__(self) -> None:
        # Raised before the locale middleware runs: the text is rendered later, by the error router.
        Exception.__init__(self, "Redis does not answer")
        self.message, self.params = TRY_AGAIN, {}


def _unreachable() -> tuple[type[BaseException], ...]:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError


class AnsweringIsolation(BaseEventIsolation):
    """aiogram's Redis event isolation, with "try again" instead of an unanswered failure."""

    def __init__(self, inner: BaseEventIsolation) -> None:
        self.inner = inner

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        unreachable = _unreachable()
        held = AsyncExitStack()
        try:
            await held.enter_async_context(self.inner.lock(key))
        except unreachable as error:
            log.warning("Redis does not answer (%s): the update is answered 'try again'", type(error).__name__)
            raise SharedStateUnavailable() from error
        try:
            yield
        finally:
            try:
                await held.aclose()
            except unreachable as error:
                log.warning("Could not release the update's lock in Redis (%s)", type(error).__name__)

    async def close(self) -> None:
        await self.inner.close()


class AnsweringStorage(BaseStorage):
    """aiogram's Redis FSM storage, raising SharedStateUnavailable when Redis does not answer."""

    def __init__(self, inner: BaseStorage) -> None:
        self.inner = inner

    async def _call(self, name: str, *args: Any) -> Any:
        try:
            return await getattr(self.inner, name)(*args)
        except _unreachable() as error:
            log.warning("Redis does not answer (%s) for the conversation state", type(error).__name__)
            raise SharedStateUnavailable() from error

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._call("set_state", key, state)

    async def get_state(self, key: StorageKey) -> str | None:
        state: str | None = await self._call("get_state", key)
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._call("set_data", key, data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        data: dict[str, Any] = await self._call("get_data", key)
        return data

    async def close(self) -> None:
        await self.inner.close()
