"""Assembly: the one place that builds the bot (build_runtime, for production and the tests alike), the
Dispatcher with its middlewares, routers and shared dependencies; the Bot; setting the command menus (their words
are bot/ui/commands.py's); and production's start (start_runtime: the database, its instance guard and
migrations, Redis, then build_runtime)."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, Update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot import __version__
from bot.clock import Clock
from bot.config import Settings
from bot.i18n import I18n, KeneshI18nMiddleware, create_i18n, in_locale
from bot.ops.materials import Archive
from bot.runtime.ballot_box import BallotBox
from bot.runtime.fsm_storage import DatabaseStorage
from bot.runtime.instances import AnotherInstance, InstanceGuard
from bot.runtime.live import LiveMessages, SharedEditSlots
from bot.runtime.middlewares import CleanText, DbSessionMiddleware, Throttle, UpdateContext, UserMiddleware
from bot.runtime.outbox import SENDS_AT_ONCE, Delivery, Pace, SharedPace
from bot.runtime.scheduler import LeaderLock, Scheduler
from bot.runtime.shared_state import AnsweringIsolation, AnsweringStorage
from bot.runtime.vote_keys import VoteKeys
from bot.ui.callbacks import VoteCb
from bot.ui.commands import command_menu, operator_menu
from db.engine import create_engine, make_sessionmaker, migrate
from handlers import get_routers

if TYPE_CHECKING:  # the redis package is an extra: only instances that share state import it
    from redis.asyncio import Redis

log = logging.getLogger("bot")


class CannotStart(Exception):
    """Starting would fail or break the bot: the message says why, plainly (`python -m bot` prints it)."""


@dataclass(frozen=True)
class Runtime:
    """The running bot as build_runtime assembled it: what the Dispatcher hands its handlers, and the workers
    (live edits, the outbox's delivery, the scheduler) that its startup and shutdown hooks start and stop."""

    settings: Settings
    sessionmaker: async_sessionmaker
    clock: Clock
    i18n: I18n
    bot: Bot
    live: LiveMessages
    delivery: Delivery
    scheduler: Scheduler
    dp: Dispatcher
    redis: Redis | None = None

    @property
    def vote_keys(self) -> VoteKeys:
        keys: VoteKeys = self.dp["vote_keys"]
        return keys


def build_runtime(
    settings: Settings,
    *,
    engine: AsyncEngine,
    redis: Redis | None = None,
    clock: Clock | None = None,
    bot: Bot | None = None,
    scheduler_on_wall_clock: bool = True,
    pace: Pace | None = None,
    sends_at_once: int = SENDS_AT_ONCE,
    shared_edit_interval: float = 2.0,
) -> Runtime:
    """The bot, assembled in one place for production (`python -m bot`) and for the flow tests, so a test runs what
    production runs. Starts nothing: the Dispatcher's startup hook starts the workers (polling or webhook); a
    test starts the scheduler itself and drains the outbox after each update.

    engine: migrated; redis: shared state for several instances (None: one process); clock: the bot's one
    clock (default: the wall clock in the council's zone); scheduler_on_wall_clock=False keeps APScheduler
    paused, and scheduled work runs by the clock with `scheduler.run_due()`; pace: the outbox's pace (default:
    Telegram's limits, per chat, per group and MAX_SENDS_PER_SECOND for the whole bot); sends_at_once: rows on
    their way at once; shared_edit_interval: how often one message may be edited across
    instances (with Redis)."""
    sessionmaker = make_sessionmaker(engine)
    clock = clock or Clock(settings.tz)
    i18n = create_i18n(settings.default_locale)
    bot = bot or create_bot(settings)
    shared_slots = SharedEditSlots(redis, settings.redis_prefix, shared_edit_interval) if redis is not None else None
    live = LiveMessages(bot, sessionmaker, i18n, settings.tz, shared=shared_slots)
    pace = pace or Pace(per_second=settings.max_sends_per_second)  # Telegram's limits, the whole bot's among them
    shared_pace = SharedPace(redis, settings.redis_prefix, pace) if redis is not None else None
    delivery = Delivery(bot, sessionmaker, clock, i18n, pace=pace, shared_pace=shared_pace, sends_at_once=sends_at_once)
    scheduler = Scheduler(
        sessionmaker, i18n, settings, clock, delivery, leader=LeaderLock(engine), on_wall_clock=scheduler_on_wall_clock
    )
    storage, isolation = create_storage(settings, sessionmaker, redis)
    vote_keys = VoteKeys(redis, settings.redis_prefix)  # the secret ballots' keys: in Redis with it, else in memory
    dp = create_dispatcher(
        settings,
        sessionmaker,
        clock,
        i18n,
        live=live,
        scheduler=scheduler,
        delivery=delivery,
        storage=storage,
        events_isolation=isolation,
        vote_keys=vote_keys,
    )
    return Runtime(settings, sessionmaker, clock, i18n, bot, live, delivery, scheduler, dp, redis)


@asynccontextmanager
async def start_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """Production's start around build_runtime: the database (refused next to an instance it would break,
    migrated to head), Redis when REDIS_URL is set, the token checked with Telegram. Raises CannotStart
    with the reason. On exit Redis, the instance guard and the engine are released; the Bot's session is
    closed by whoever ran the Dispatcher (polling or the webhook server)."""
    from aiogram.exceptions import TelegramUnauthorizedError

    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.database_url)
    guard = InstanceGuard(engine, path, shared=settings.redis_url is not None)
    redis = None
    try:
        try:
            await guard.acquire()
        except AnotherInstance as error:
            raise CannotStart(str(error)) from None
        async with guard.migrating():
            await migrate(engine)
        log.info("Database ready (%s)", engine.url.render_as_string(hide_password=True))
        if settings.redis_url:
            redis = await connect_redis(settings.redis_url)
        runtime = build_runtime(settings, engine=engine, redis=redis)
        try:
            me = await runtime.bot.get_me()
        except TelegramUnauthorizedError:
            await runtime.bot.session.close()
            raise CannotStart("Telegram refused the token: check BOT_TOKEN (get a new one from @BotFather)") from None
        log.info(
            "Starting Kenesh %s as @%s (time zone %s, default language %s, %s)",
            __version__,
            me.username,
            settings.timezone,
            settings.default_locale,
            f"webhook {settings.webhook_url}" if settings.webhook_url else "long polling",
        )
        # What start-up built (modules, routers, catalogs) lives as long as the process: out of the collector's
        # sight, so a burst of presses does not walk it again and again. https://docs.python.org/3/library/gc.html#gc.freeze
        gc.collect()
        gc.freeze()
        yield runtime
    finally:
        if redis is not None:
            await redis.aclose()
        await guard.release()
        await engine.dispose()


async def connect_redis(url: str) -> Redis:
    try:
        from redis.asyncio import Redis
    except ImportError:
        raise CannotStart(
            "REDIS_URL is set, but the redis package is not installed: pip install -e '.[redis]'"
        ) from None
    redis = Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)  # a dead Redis fails fast
    try:
        # redis-py 7 types its async ping as Awaitable[bool] | bool (https://github.com/redis/redis-py/issues/3920).
        await redis.ping()  # type: ignore[misc]
    except Exception as error:  # said plainly, without a traceback
        await redis.aclose()
        raise CannotStart(f"Redis at REDIS_URL does not answer ({error})") from None
    return redis


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
    vote_keys: VoteKeys | None = None,
) -> Dispatcher:
    # The keys of open secret ballots: in Redis when instances share it, else in this process's memory.
    vote_keys = vote_keys if vote_keys is not None else VoteKeys()
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
        ballot_box=BallotBox(sessionmaker, live, vote_keys),
        vote_keys=vote_keys,
    )
    dp.update.outer_middleware(UpdateContext())  # first: the ids for the log lines, the update's metrics
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
    scheduler.vote_keys = vote_keys  # and is counted with the same keys
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
    # Redis down: the update is answered "try again in a moment" rather than dropped (bot/runtime/shared_state.py).
    return AnsweringStorage(storage), AnsweringIsolation(storage.create_isolation())


async def _start_workers(
    bot: Bot, i18n: I18n, settings: Settings, live: LiveMessages, delivery: Delivery, scheduler: Scheduler
) -> None:
    """Dispatcher startup (polling or webhook): the command menus and the menu button, then the workers."""
    await set_commands(bot, i18n, settings.admin_ids)
    await set_menu_button(bot, i18n, settings)
    await live.start()
    await delivery.start()
    await scheduler.start()


async def _stop_workers(live: LiveMessages, delivery: Delivery, scheduler: Scheduler, ballot_box: BallotBox) -> None:
    await ballot_box.stop()  # presses being written are answered before the bot's session closes
    await scheduler.stop()
    await live.stop()
    await delivery.stop()


async def set_commands(bot: Bot, i18n: I18n, admin_ids: frozenset[int] = frozenset()) -> None:
    """The command menu in each language: ky and ru by the app's language, the default for the rest; in the
    private chat of each of ADMIN_IDS, with the operator's commands."""
    from aiogram.exceptions import TelegramBadRequest
    from aiogram.types import BotCommandScopeChat

    with i18n.context():
        for scope, private in ((BotCommandScopeAllPrivateChats(), True), (BotCommandScopeAllGroupChats(), False)):
            for language in ("ky", "ru"):
                commands = in_locale(language, partial(command_menu, private))
                await bot.set_my_commands(commands, scope=scope, language_code=language)
            commands = in_locale(i18n.default_locale, partial(command_menu, private))
            await bot.set_my_commands(commands, scope=scope)
        for admin_id in sorted(admin_ids):
            chat = BotCommandScopeChat(chat_id=admin_id)
            try:
                for language in ("ky", "ru"):
                    commands = in_locale(language, operator_menu)
                    await bot.set_my_commands(commands, scope=chat, language_code=language)
                await bot.set_my_commands(in_locale(i18n.default_locale, operator_menu), scope=chat)
            except TelegramBadRequest as error:  # an operator who never opened the bot's private chat
                log.warning("No command menu for operator %s yet: %s", admin_id, error.message)


async def set_menu_button(bot: Bot, i18n: I18n, settings: Settings) -> None:
    """The menu button of private chats opens the Mini App when MINIAPP_URL is set (it then hides the command
    list behind "/" typing: accepted); without it, Telegram's default (the commands)."""
    from aiogram.types import MenuButtonDefault, MenuButtonWebApp, WebAppInfo

    from bot.ui.miniapp import menu_button_text

    if settings.miniapp_url is None:
        await bot.set_chat_menu_button(menu_button=MenuButtonDefault())
        return
    with i18n.context():  # one button for everyone: in the deployment's default language
        text = in_locale(i18n.default_locale, menu_button_text)
    await bot.set_chat_menu_button(
        menu_button=MenuButtonWebApp(text=text, web_app=WebAppInfo(url=settings.miniapp_url))
    )
