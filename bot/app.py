"""Assembly: the Dispatcher with its middlewares, routers and shared dependencies; the Bot; commands."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, Update
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import I18n, KeneshI18nMiddleware, in_locale
from bot.materials import Archive
from bot.runtime.ballot_box import BallotBox
from bot.runtime.fsm_storage import DatabaseStorage
from bot.runtime.live import LiveMessages
from bot.runtime.middlewares import CleanText, DbSessionMiddleware, Throttle, UserMiddleware
from bot.runtime.outbox import Delivery
from bot.runtime.scheduler import Scheduler
from bot.ui.callbacks import VoteCb
from handlers import get_routers

if TYPE_CHECKING:  # the redis package is an extra: only instances that share state import it
    from redis.asyncio import Redis


def create_bot(settings: Settings) -> Bot:
    session = None
    if settings.telegram_api_url:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url.rstrip("/")))
    return Bot(
        token=settings.token(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def create_dispatcher(
    settings: Settings,
    sessionmaker: async_sessionmaker,
    clock: Clock,
    i18n: I18n,
    *,
    live: LiveMessages,
    scheduler: Scheduler,
    delivery: Delivery,
    storage: BaseStorage | None = None,
    events_isolation: BaseEventIsolation | None = None,
) -> Dispatcher:
    dp = Dispatcher(
        storage=storage or DatabaseStorage(sessionmaker),
        # One update at a time per person and chat: a double tap waits for the first to finish.
        events_isolation=events_isolation or SimpleEventIsolation(),
        settings=settings,
        sessionmaker=sessionmaker,
        clock=clock,
        i18n=i18n,
        live=live,
        scheduler=scheduler,
        delivery=delivery,
        archive=Archive(settings.storage_dir),
        ballot_box=BallotBox(sessionmaker, live),
    )
    # Every text a person supplies passes the one door (bot/text_input.py) before anything reads it.
    dp.update.outer_middleware(CleanText())
    # Presses too fast are answered before a session is opened: they never touch the database.
    dp.update.outer_middleware(Throttle(i18n, settings.default_locale, settings.max_presses_per_second))
    # Order: the session first, then the stored user (it reads through the session), then the locale.
    dp.update.outer_middleware(DbSessionMiddleware(sessionmaker, delivery, scheduler, live))
    # A vote press reads no user row: the member's language comes back with the ballot (bot/runtime/ballot_box.py).
    dp.update.outer_middleware(UserMiddleware(skip=is_vote_press))
    KeneshI18nMiddleware(i18n).setup(dp)
    dp.include_routers(*get_routers())
    scheduler.live = live  # a vote the scheduler closes on time shows its result like one closed by hand
    dp.startup.register(_start_workers)
    dp.shutdown.register(_stop_workers)
    return dp


VOTE_PRESS = f"{VoteCb.__prefix__}{VoteCb.__separator__}"


def is_vote_press(update: Update) -> bool:
    call = update.callback_query
    return call is not None and call.data is not None and call.data.startswith(VOTE_PRESS)


def create_storage(
    settings: Settings,
    sessionmaker: async_sessionmaker,
    redis: Redis | None = None,
) -> tuple[BaseStorage, BaseEventIsolation]:
    """Conversation state and the per-user lock: in Redis when there is one (every instance sees them),
    else in the database (state) and in memory (the lock), which is right for one process."""
    if redis is None:
        return DatabaseStorage(sessionmaker), SimpleEventIsolation()
    from aiogram.fsm.storage.redis import RedisStorage

    storage = RedisStorage(redis, key_builder=DefaultKeyBuilder(prefix=settings.redis_prefix, with_destiny=True))
    return storage, storage.create_isolation()


async def _start_workers(bot: Bot, i18n: I18n, live: LiveMessages, delivery: Delivery, scheduler: Scheduler) -> None:
    """Dispatcher startup (polling or webhook): the command menus, then the workers."""
    await set_commands(bot, i18n)
    await live.start()
    await delivery.start()
    await scheduler.start()


async def _stop_workers(live: LiveMessages, delivery: Delivery, scheduler: Scheduler, ballot_box: BallotBox) -> None:
    await ballot_box.stop()  # presses being written are answered before the bot's session closes
    await scheduler.stop()
    await live.stop()
    await delivery.stop()


def _commands(private: bool) -> list[BotCommand]:
    from bot.i18n import gettext as _

    if not private:
        return [
            BotCommand(command="setup", description=_("create the council of this group")),
            BotCommand(command="open", description=_("open today's meeting (chair)")),
            BotCommand(command="vote", description=_("put a decision to the vote (chair)")),
            BotCommand(command="close", description=_("close the meeting and post the protocol (chair)")),
            BotCommand(command="help", description=_("what the bot does here")),
        ]
    return [
        BotCommand(command="meetings", description=_("meetings: upcoming and past")),
        BotCommand(command="agenda", description=_("announce a meeting (chair)")),
        BotCommand(command="open", description=_("open today's meeting (chair)")),
        BotCommand(command="vote", description=_("put a decision to the vote (chair)")),
        BotCommand(command="close", description=_("close the meeting and post the protocol (chair)")),
        BotCommand(command="protocols", description=_("protocols of past meetings")),
        BotCommand(command="plan", description=_("the annual plan (cyclogram)")),
        BotCommand(command="decisions", description=_("decisions followed up: open, done, overdue")),
        BotCommand(command="report", description=_("the year in figures (chair, secretary)")),
        BotCommand(command="export", description=_("the year's records in one .zip (chair)")),
        BotCommand(command="submit", description=_("submit a methodical material")),
        BotCommand(command="bank", description=_("the bank of pedagogical ideas")),
        BotCommand(command="members", description=_("the council's members")),
        BotCommand(command="regulation", description=_("the regulation of the council")),
        BotCommand(command="lang", description=_("change the language")),
        BotCommand(command="settings", description=_("the council's settings (chair)")),
        BotCommand(command="log", description=_("who did what in the council (chair, secretary)")),
        BotCommand(command="help", description=_("commands")),
        BotCommand(command="cancel", description=_("stop the current step")),
    ]


async def set_commands(bot: Bot, i18n: I18n) -> None:
    """The command menu in each language: ky and ru by the app's language, the default for the rest."""
    with i18n.context():
        for scope, private in ((BotCommandScopeAllPrivateChats(), True), (BotCommandScopeAllGroupChats(), False)):
            for language in ("ky", "ru"):
                commands = in_locale(language, partial(_commands, private))
                await bot.set_my_commands(commands, scope=scope, language_code=language)
            commands = in_locale(i18n.default_locale, partial(_commands, private))
            await bot.set_my_commands(commands, scope=scope)
