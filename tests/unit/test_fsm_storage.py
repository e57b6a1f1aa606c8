"""A half-finished registration survives a restart: FSM state lives in the database."""

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import func, select

from bot.runtime.fsm_storage import DatabaseStorage
from db.engine import make_sessionmaker
from db.models import FsmRecord


async def test_state_and_data_survive_a_new_storage_and_clearing_removes_the_row(engine):
    key = StorageKey(bot_id=1, chat_id=20, user_id=20)
    first = DatabaseStorage(make_sessionmaker(engine))
    await first.set_state(key, "Registration:name")
    await first.set_data(key, {"council_id": 3, "as_chair": False})

    after_restart = DatabaseStorage(make_sessionmaker(engine))
    assert await after_restart.get_state(key) == "Registration:name"
    assert await after_restart.get_data(key) == {"council_id": 3, "as_chair": False}
    assert await after_restart.get_state(StorageKey(bot_id=1, chat_id=21, user_id=21)) is None

    await after_restart.set_state(key, None)
    await after_restart.set_data(key, {})
    async with make_sessionmaker(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(FsmRecord)) == 0
