"""aiogram FSM storage in the bot's own database, so a half-done registration survives a restart.

Only state changes write (a user moving to the next step). aiogram reads the state on every update (its
FSM middleware), so reads come from a write-through cache in memory after the first: a vote press costs
no FSM query. One bot process owns its database, so the cache cannot go stale.
A deployment serving many schools can use Redis instead (see README).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy.ext.asyncio import async_sessionmaker

from db.repo import fsm as fsm_repo


class DatabaseStorage(BaseStorage):
    def __init__(self, sessionmaker: async_sessionmaker, key_builder: KeyBuilder | None = None) -> None:
        self.sessionmaker = sessionmaker
        self.key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._cache: dict[str, tuple[str | None, dict[str, Any]]] = {}

    async def _read(self, key: StorageKey) -> tuple[str | None, dict[str, Any]]:
        record_key = self.key_builder.build(key)
        if record_key not in self._cache:
            async with self.sessionmaker() as session:
                record = await fsm_repo.get_record(session, record_key)
                self._cache[record_key] = (record.state, dict(record.data or {})) if record else (None, {})
        return self._cache[record_key]

    async def _write(self, key: StorageKey, **values: Any) -> None:
        record_key = self.key_builder.build(key)
        async with self.sessionmaker() as session, session.begin():
            state, data = await fsm_repo.store_record(session, record_key, values, datetime.now(UTC))
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
