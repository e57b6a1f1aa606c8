"""`python -m bot`: settings -> migrations -> Bot + Dispatcher -> long polling, or a webhook server."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from typing import TYPE_CHECKING, NoReturn

from pydantic import ValidationError

from bot import __version__
from bot.runtime.logs import setup_logging

if TYPE_CHECKING:  # imported where they are used: a configuration error is reported before any of them loads
    from aiogram import Bot, Dispatcher
    from redis.asyncio import Redis
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from bot.clock import Clock
    from bot.config import Settings
    from bot.runtime.scheduler import Scheduler
    from bot.web.server import WebServer

log = logging.getLogger("bot")


NO_TOKEN = (
    "BOT_TOKEN is not set. Get a token from @BotFather in Telegram, then either\n"
    "  put it in a file named .env next to README.md:  BOT_TOKEN=123456789:AA...\n"
    "  or run:  BOT_TOKEN=123456789:AA... make run\n"
    "(.env.example lists every setting.)"
)


def load_settings(require_token: bool = True) -> Settings:
    from bot.config import Settings

    try:
        settings = Settings.load()
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(part) for part in item['loc']).upper()}: {item['msg'].removeprefix('Value error, ')}"
            for item in error.errors()
        ]
        print("Kenesh cannot start:\n" + "\n".join(problems), file=sys.stderr)
        sys.exit(2)
    if require_token and settings.bot_token is None:
        print("Kenesh cannot start:\n" + NO_TOKEN, file=sys.stderr)
        sys.exit(2)
    return settings


def refuse(reason: str) -> NoReturn:
    """Stop before starting, saying why, without a traceback."""
    print(f"Kenesh cannot start:\n{reason}", file=sys.stderr)
    raise SystemExit(2)


async def run(settings: Settings) -> None:
    from aiogram.exceptions import TelegramUnauthorizedError

    from bot.app import create_bot, create_dispatcher, create_storage
    from bot.clock import Clock
    from bot.i18n import create_i18n
    from bot.runtime.instances import AnotherInstance, InstanceGuard
    from bot.runtime.live import LiveMessages, SharedEditSlots
    from bot.runtime.outbox import Delivery, SharedPace
    from bot.runtime.scheduler import LeaderLock, Scheduler
    from db.engine import create_engine, make_sessionmaker, migrate

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
            refuse(str(error))
        async with guard.migrating():
            await migrate(engine)
        log.info("Database ready (%s)", engine.url.render_as_string(hide_password=True))
        if settings.redis_url:
            redis = await connect_redis(settings.redis_url)
        sessionmaker = make_sessionmaker(engine)
        i18n = create_i18n(settings.default_locale)
        bot = create_bot(settings)
        clock = Clock(settings.tz)
        shared_slots = SharedEditSlots(redis, settings.redis_prefix, 2.0) if redis is not None else None
        live = LiveMessages(bot, sessionmaker, i18n, shared=shared_slots)
        shared_pace = SharedPace(redis, settings.redis_prefix) if redis is not None else None
        delivery = Delivery(bot, sessionmaker, clock, i18n, shared_pace=shared_pace)
        scheduler = Scheduler(sessionmaker, i18n, settings, clock, delivery, leader=LeaderLock(engine))
        storage, isolation = create_storage(settings, sessionmaker, redis)
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
        )
        try:
            me = await bot.get_me()
        except TelegramUnauthorizedError:
            log.error("Telegram refused the token: check BOT_TOKEN (get a new one from @BotFather)")
            raise SystemExit(2) from None
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
        from bot.web.server import CannotListen

        server = web_server(settings, dp, bot, sessionmaker, clock, redis=redis, scheduler=scheduler)
        try:
            if (webhook := settings.webhook) is not None and server is not None:
                await server.serve_webhook(webhook)
            else:
                await poll(dp, bot, server)
        except CannotListen as error:
            refuse(str(error))
    finally:
        if redis is not None:
            await redis.aclose()
        await guard.release()
        await engine.dispose()


async def connect_redis(url: str) -> Redis:
    try:
        from redis.asyncio import Redis
    except ImportError:
        refuse("REDIS_URL is set but the redis package is not installed: pip install -e '.[redis]'")
    redis = Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)  # a dead Redis fails fast
    try:
        # redis-py 7 types its async ping as Awaitable[bool] | bool (https://github.com/redis/redis-py/issues/3920).
        await redis.ping()  # type: ignore[misc]
    except Exception as error:  # said plainly, without a traceback
        await redis.aclose()
        refuse(f"Redis at REDIS_URL does not answer ({error})")
    return redis


def web_server(
    settings: Settings,
    dp: Dispatcher,
    bot: Bot,
    sessionmaker: async_sessionmaker,
    clock: Clock,
    *,
    redis: Redis | None,
    scheduler: Scheduler,
) -> WebServer | None:
    """The instance's web server (bot/web/server.py), when the settings ask for one."""
    from bot.web.server import WebServer, wanted

    if not wanted(settings):  # aiohttp's server and prometheus-client stay unloaded
        return None
    return WebServer.create(settings, dp, bot, sessionmaker, clock, redis=redis, scheduler=scheduler)


async def poll(dp: Dispatcher, bot: Bot, server: WebServer | None = None) -> None:
    """Long polling; the workers start and stop with the Dispatcher's startup and shutdown hooks. The web
    server (/healthz, /metrics, the Mini App), when there is one, runs beside it."""
    from bot.runtime.middlewares import LastUpdate

    last_update = LastUpdate()
    dp.update.outer_middleware(last_update)
    if server is not None:
        await server.start()
    try:
        await dp.start_polling(
            bot, allowed_updates=dp.resolve_used_update_types(), handle_signals=True, close_bot_session=False
        )
    finally:
        if last_update.update_id is not None:
            try:  # confirm what was handled, so the next start does not handle it again
                await bot.get_updates(offset=last_update.update_id + 1, timeout=0, limit=1)
            except Exception as error:  # stopping anyway; the updates will be seen again
                log.warning("Could not confirm the last update: %s", error)
        if server is not None:
            await server.stop()
        await bot.session.close()


async def watchdog_dry_run(settings: Settings) -> None:
    """`python -m bot watchdog --dry-run`: what today's trimester check would send, and why. Sends nothing."""
    from bot.clock import Clock
    from bot.watchdog import dry_run
    from db.engine import create_engine, make_sessionmaker, migrate

    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        async with make_sessionmaker(engine)() as session:
            verdicts = await dry_run(
                session, now=Clock(settings.tz).now(), tz=settings.tz, warn_days=settings.watchdog_warn_days
            )
    finally:
        await engine.dispose()
    if not verdicts:
        print("No councils yet.")
    for verdict in verdicts:
        action = f"WOULD SEND warning {verdict.stage}" if verdict.stage is not None else "nothing to send"
        print(
            f"council {verdict.council.id} «{verdict.council.title}» (chat {verdict.council.chat_id}): "
            f"{action} — {verdict.reason}"
        )


def main() -> None:
    args = sys.argv[1:]
    if args in (["--version"], ["-V"]):
        print(f"kenesh {__version__}")
        return
    from bot import cli  # the operator's commands: backup, restore, forget-member, delete-council

    if args[:1] and args[0] in cli.COMMANDS:
        sys.exit(cli.main(args, load_settings))
    if args[:1] == ["watchdog"]:
        if args[1:] != ["--dry-run"]:
            print("Usage: python -m bot watchdog --dry-run", file=sys.stderr)
            sys.exit(2)
        asyncio.run(watchdog_dry_run(load_settings(require_token=False)))
        return
    if args:
        print(
            "Usage: python -m bot            run the bot\n"
            "       python -m bot watchdog --dry-run   show what today's trimester check would send\n"
            "       python -m bot backup FILE.tar.gz   the database and the materials in one archive\n"
            "       python -m bot backup --into DIR [--keep 14]   the same, named by the time, the newest N kept\n"
            "       python -m bot restore FILE.tar.gz  bring them back into an empty data directory\n"
            "       python -m bot forget-member COUNCIL MEMBER   remove a member's data no protocol holds\n"
            "       python -m bot delete-council COUNCIL   delete a council's records, after a backup\n"
            "       python -m bot --version",
            file=sys.stderr,
        )
        sys.exit(2)
    settings = load_settings()
    setup_logging(settings)
    try:
        asyncio.run(run(settings))
    except KeyboardInterrupt:
        pass
    log.info("Stopped")


if __name__ == "__main__":
    main()
