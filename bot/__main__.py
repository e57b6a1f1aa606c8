"""`python -m bot`: the settings, then the bot (bot.app builds it) served by long polling or a webhook server.
Nothing else: `python -m bot COMMAND ...` is an operator's command (backup, restore, forget-member,
delete-council, watchdog --dry-run), bot/cli/'s."""

from __future__ import annotations

import asyncio
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
    from pydantic_settings import SettingsError

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
    except SettingsError as error:  # a value pydantic-settings could not even read (e.g. not JSON where it wants it)
        refuse(str(error))
    if require_token and settings.bot_token is None:
        print("Kenesh cannot start:\n" + NO_TOKEN, file=sys.stderr)
        sys.exit(2)
    return settings


def refuse(reason: str) -> NoReturn:
    """Stop before starting, saying why, without a traceback."""
    print(f"Kenesh cannot start:\n{reason}", file=sys.stderr)
    raise SystemExit(2)


async def run(settings: Settings) -> None:
    """Start the bot (bot.app.start_runtime), then serve it: a webhook when WEBHOOK_URL is set, else long polling
    (with the instance's web server beside it when WEB_PORT or MINIAPP_URL asks for one)."""
    from bot.app import CannotStart, start_runtime

    try:
        async with start_runtime(settings) as runtime:
            server = web_server(
                settings,
                runtime.dp,
                runtime.bot,
                runtime.sessionmaker,
                runtime.clock,
                redis=runtime.redis,
                scheduler=runtime.scheduler,
            )
            await serve(settings, runtime.dp, runtime.bot, server)
    except CannotStart as error:
        refuse(str(error))


async def serve(settings: Settings, dp: Dispatcher, bot: Bot, server: WebServer | None) -> None:
    if server is None:
        await poll(dp, bot)
        return
    from bot.web.server import CannotListen

    try:
        if (webhook := settings.webhook) is not None:
            await server.serve_webhook(webhook)
        else:
            await poll(dp, bot, server)
    except CannotListen as error:
        refuse(str(error))


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


def main() -> None:
    args = sys.argv[1:]
    if args in (["--version"], ["-V"]):
        print(f"kenesh {__version__}")
        return
    if args:  # the operator's commands (bot/cli/): backup, restore, forget-member, delete-council, watchdog
        from bot import cli

        sys.exit(cli.main(args, load_settings))
    settings = load_settings()
    setup_logging(settings)
    try:
        asyncio.run(run(settings))
    except KeyboardInterrupt:
        pass
    log.info("Stopped")


if __name__ == "__main__":
    main()
