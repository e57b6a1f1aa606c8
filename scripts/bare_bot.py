"""The yardstick of the benchmarks: a bare aiogram bot that only answers button presses.

    python scripts/bare_bot.py TOKEN BOT_API_URL

scripts/bench_votes.py and scripts/bench_memory.py run this same process beside Kenesh, so both compare
against one bot.
"""

import asyncio
import sys

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery


async def main() -> None:
    bot = Bot(sys.argv[1], session=AiohttpSession(api=TelegramAPIServer.from_base(sys.argv[2])))
    dp = Dispatcher()

    @dp.callback_query(F.data)
    async def answer_only(call: CallbackQuery) -> None:
        await call.answer("ok")

    await dp.start_polling(bot, handle_signals=True)


if __name__ == "__main__":
    asyncio.run(main())
