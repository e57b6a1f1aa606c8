"""`python -m bot`: settings -> migrations -> Bot + Dispatcher -> long polling, or a webhook server."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import IO, TYPE_CHECKING, NoReturn
from urllib.parse import quote

from pydantic import ValidationError

if TYPE_CHECKING:  # imported where they are used: a configuration error is reported before any of them loads
    from aiogram import Bot, Dispatcher
    from aiohttp import web
    from redis.asyncio import Redis
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from bot.config import Settings, Webhook

log = logging.getLogger("bot")


NO_TOKEN = (
    "BOT_TOKEN is not set. Get a token from @BotFather in Telegram, then either\n"
    "  put it in a file named .env next to README.md:  BOT_TOKEN=123456789:AA...\n"
    "  or run:  BOT_TOKEN=123456789:AA... make run\n"
    "(.env.example lists every setting.)"
)


class RedactToken(logging.Filter):
    """Keeps the bot token out of every log line: a Bot API URL carries it (`/bot<TOKEN>/`, `/file/bot<TOKEN>/`),
    and aiohttp's errors quote the URL, in the message, its arguments or the exception's text."""

    def __init__(self, token: str) -> None:
        super().__init__()
        secret = token.partition(":")[2]
        forms = {token, quote(token, safe=""), quote(token), secret, quote(secret, safe="")}
        self.forms = sorted((form for form in forms if len(form) >= 8), key=len, reverse=True)

    def redact(self, text: str) -> str:
        for form in self.forms:
            text = text.replace(form, "<BOT_TOKEN>")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logged as it is, never lost
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def setup_logging(settings: Settings, stream: IO[str] | None = None) -> logging.Handler:
    """One handler on the root logger, at LOG_LEVEL, that never writes the bot token."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if settings.bot_token is not None:
        handler.addFilter(RedactToken(settings.bot_token.get_secret_value()))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    # aiohttp logs request URLs at DEBUG, and a Bot API URL carries the token: keep it quiet.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    return handler


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
    from bot.runtime.outbox import SENDS_AT_ONCE, Delivery, Pace, SharedPace
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
        pace = Pace(per_second=settings.max_sends_per_second)
        shared_pace = SharedPace(redis, settings.redis_prefix, pace) if redis is not None else None
        delivery = Delivery(
            bot, sessionmaker, clock, i18n, pace=pace, shared_pace=shared_pace, sends_at_once=SENDS_AT_ONCE
        )
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
            "Starting as @%s (time zone %s, default language %s, %s)",
            me.username,
            settings.timezone,
            settings.default_locale,
            f"webhook {settings.webhook_url}" if settings.webhook_url else "long polling",
        )
        # What start-up built (modules, routers, catalogs) lives as long as the process: out of the collector's
        # sight, so a burst of presses does not walk it again and again. https://docs.python.org/3/library/gc.html#gc.freeze
        gc.collect()
        gc.freeze()
        if (webhook := settings.webhook) is not None:
            await serve_webhook(settings, webhook, dp, bot, sessionmaker)
        else:
            await poll(dp, bot)
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
    redis = Redis.from_url(url)
    try:
        # redis-py 7 types its async ping as Awaitable[bool] | bool (https://github.com/redis/redis-py/issues/3920).
        await redis.ping()  # type: ignore[misc]
    except Exception as error:  # said plainly, without a traceback
        await redis.aclose()
        refuse(f"Redis at REDIS_URL does not answer ({error})")
    return redis


async def poll(dp: Dispatcher, bot: Bot) -> None:
    """Long polling; the workers start and stop with the Dispatcher's startup and shutdown hooks."""
    from bot.runtime.middlewares import LastUpdate

    last_update = LastUpdate()
    dp.update.outer_middleware(last_update)
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
        await bot.session.close()


async def serve_webhook(
    settings: Settings, webhook: Webhook, dp: Dispatcher, bot: Bot, sessionmaker: async_sessionmaker
) -> None:
    """Telegram posts each update to WEBHOOK_URL; aiohttp serves it on WEB_HOST:WEB_PORT with /healthz.

    An update is answered (200) after it is handled, not before: if the process dies meanwhile, Telegram
    delivers it again (to any instance). https://core.telegram.org/bots/api#setwebhook
    """
    import signal

    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
    from aiohttp import web

    app = web.Application()
    setup_application(app, dp, bot=bot)  # first: on shutdown the workers stop before the Bot's session closes
    SimpleRequestHandler(dp, bot, handle_in_background=False, secret_token=webhook.secret.get_secret_value()).register(
        app, path=settings.webhook_path
    )
    app.router.add_get("/healthz", health_check(sessionmaker))
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()  # Dispatcher startup: command menus and workers
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        site = web.TCPSite(runner, settings.web_host, settings.web_port)
        await site.start()
        await bot.set_webhook(
            webhook.url,
            secret_token=webhook.secret.get_secret_value(),
            allowed_updates=dp.resolve_used_update_types(),
        )
        log.info("Listening on %s:%s for %s", settings.web_host, settings.web_port, settings.webhook_path)
        await stop.wait()
        log.info("Stopping")
    finally:
        # The webhook stays set: other instances (or this one after a restart) serve it meanwhile.
        await runner.cleanup()  # Dispatcher shutdown: the workers finish, then the Bot's session closes


def health_check(sessionmaker: async_sessionmaker) -> Callable[[web.Request], Awaitable[web.Response]]:
    from aiohttp import web

    from db.repo import instances as instances_repo

    async def healthz(request: web.Request) -> web.Response:
        """200 when the database answers (a load balancer's check), 503 when it does not."""
        try:
            async with asyncio.timeout(5), sessionmaker() as session:
                await instances_repo.ping(await session.connection())
        except Exception as error:  # the answer is the status
            log.warning("Health check: the database does not answer (%s)", error)
            return web.json_response({"status": "database unreachable"}, status=503)
        return web.json_response({"status": "ok"})

    return healthz


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


def backup_or_restore(command: str, archive: str, settings: Settings) -> int:
    """`python -m bot backup FILE` / `python -m bot restore FILE` (bot/backup.py says what the archive holds)."""
    from pathlib import Path

    from bot.backup import BackupError, Target, backup, restore

    target = Target(settings.database_url, settings.storage_dir)
    try:
        if command == "backup":
            manifest = backup(target, Path(archive))
        else:
            manifest = restore(target, Path(archive))
    except BackupError as error:
        print(f"Kenesh cannot {command}: {error}", file=sys.stderr)
        return 1
    counts = manifest["counts"] or {}
    what = (
        f"{counts.get('councils', '?')} council(s), {counts.get('meetings', '?')} meeting(s), "
        f"{counts.get('materials', '?')} material(s), {len(manifest['files'])} file(s)"
    )
    if command == "backup":
        print(f"Backed up to {archive}: {what}")
        if manifest["database"] == "postgresql" and manifest["database_member"] is None:
            print(
                "pg_dump is not installed here: the archive holds the files only. Dump the database too:\n"
                "  pg_dump --format=custom --file=kenesh.pgdump postgresql://USER@HOST/DATABASE",
                file=sys.stderr,
            )
    else:
        print(f"Restored from {archive} (made {manifest['created_at']}): {what}")
    return 0


def main() -> None:
    args = sys.argv[1:]
    if args[:1] in (["backup"], ["restore"]):
        if len(args) != 2:
            print(f"Usage: python -m bot {args[0]} FILE.tar.gz", file=sys.stderr)
            sys.exit(2)
        sys.exit(backup_or_restore(args[0], args[1], load_settings(require_token=False)))
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
            "       python -m bot restore FILE.tar.gz  bring them back into an empty data directory",
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
