"""aiogram FSM storage in the bot's own database, so a half-done registration survives a restart.

Only state changes write (a user moving to the next step). aiogram reads the state on every update (its
FSM middleware), so reads come from a write-through cache in memory, filled with every stored state at the
first read: a vote press costs no FSM query. One bot process owns its database, so the cache cannot go stale.
A deployment serving many schools can use Redis instead (see README).

A state change inside an update is written in the update's own session (bot/runtime/middlewares.py
update_session) and committed there and then: before the handler tells the person the next step, and together
with anything the handler's operations left to commit. An update so holds one connection of the pool: with a
session of its own for each change, every update waited for a second connection while holding the first, and
about eight registrations at once took the pool's fifteen and stalled for its 30 s timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.runtime.middlewares import update_session
from db.repo import fsm as fsm_repo


class DatabaseStorage(BaseStorage):
    def __init__(self, sessionmaker: async_sessionmaker, key_builder: KeyBuilder | None = None) -> None:
        self.sessionmaker = sessionmaker
        self.key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._cache: dict[str, tuple[str | None, dict[str, Any]]] = {}
        self._loaded = False
        self._loading: asyncio.Future | None = None

    async def _read(self, key: StorageKey) -> tuple[str | None, dict[str, Any]]:
        if not self._loaded:
            if self._loading is None or self._loading.done():  # the first read, or a load that failed
                self._loading = asyncio.ensure_future(self._load())
            await asyncio.shield(self._loading)  # concurrent first reads wait for the one load
        return self._cache.get(self.key_builder.build(key), (None, {}))

    async def _load(self) -> None:
        """Every stored state at once, at the first update: the table holds only conversations in progress,
        and a key not in it is a person with no state (500 members pressing a vote button cost no query)."""
        async with self.sessionmaker() as session:
            for record in await fsm_repo.all_records(session):
                self._cache.setdefault(record.key, (record.state, dict(record.data or {})))
        self._loaded = True

    async def _write(self, key: StorageKey, **values: Any) -> None:
        record_key = self.key_builder.build(key)
        session = update_session()
        if session is not None:
            state, data = await fsm_repo.store_record(session, record_key, values, datetime.now(UTC))
            await session.commit()
        else:  # outside an update (a script, a test): a session of its own
            async with self.sessionmaker() as own, own.begin():
                state, data = await fsm_repo.store_record(own, record_key, values, datetime.now(UTC))
        self._cache[record_key] = (state, dict(data or {}))  # after the commit: the cache never runs ahead

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._write(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return dict((await self._read(key))[1])

    async def close(self) -> None:
        """The engine belongs to the application, which disposes of it."""
