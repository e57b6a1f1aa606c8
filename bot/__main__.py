"""`python -m bot`: settings -> migrations -> Bot + Dispatcher -> long polling."""

from __future__ import annotations

import asyncio
import logging
import sys

from pydantic import ValidationError

log = logging.getLogger("bot")


NO_TOKEN = (
    "BOT_TOKEN is not set. Get a token from @BotFather in Telegram, then either\n"
    "  put it in a file named .env next to README.md:  BOT_TOKEN=123456789:AA...\n"
    "  or run:  BOT_TOKEN=123456789:AA... make run\n"
    "(.env.example lists every setting.)"
)


def load_settings(require_token: bool = True):  # noqa: ANN201 - Settings, imported late: config errors only
    from bot.config import Settings

    try:
        settings = Settings()
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


async def run(settings) -> None:  # noqa: ANN001
    from aiogram.exceptions import TelegramUnauthorizedError

    from bot.app import create_bot, create_dispatcher, set_commands
    from bot.clock import Clock
    from bot.i18n import create_i18n
    from bot.live import LiveMessages
    from bot.middlewares import LastUpdate
    from bot.outbox import Delivery
    from bot.scheduler import Scheduler
    from db.engine import create_engine, make_sessionmaker, migrate

    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        log.info("Database ready (%s)", engine.url.render_as_string(hide_password=True))
        sessionmaker = make_sessionmaker(engine)
        i18n = create_i18n(settings.default_locale)
        bot = create_bot(settings)
        clock = Clock(settings.tz)
        live = LiveMessages(bot, sessionmaker, i18n)
        delivery = Delivery(bot, sessionmaker, clock, i18n)
        scheduler = Scheduler(sessionmaker, i18n, settings, clock, delivery)
        dp = create_dispatcher(settings, sessionmaker, clock, i18n, live=live, scheduler=scheduler, delivery=delivery)
        try:
            me = await bot.get_me()
        except TelegramUnauthorizedError:
            log.error("Telegram refused the token: check BOT_TOKEN (get a new one from @BotFather)")
            raise SystemExit(2) from None
        log.info(
            "Starting as @%s (time zone %s, default language %s)",
            me.username,
            settings.timezone,
            settings.default_locale,
        )
        await set_commands(bot, i18n)
        last_update = LastUpdate()
        dp.update.outer_middleware(last_update)
        await live.start()
        await delivery.start()
        await scheduler.start()
        try:
            await dp.start_polling(
                bot, allowed_updates=dp.resolve_used_update_types(), handle_signals=True, close_bot_session=False
            )
        finally:
            await scheduler.stop()
            await live.stop()
            await delivery.stop()
            if last_update.update_id is not None:
                try:  # confirm what was handled, so the next start does not handle it again
                    await bot.get_updates(offset=last_update.update_id + 1, timeout=0, limit=1)
                except Exception as error:  # noqa: BLE001 - stopping anyway; the updates will be seen again
                    log.warning("Could not confirm the last update: %s", error)
            await bot.session.close()
    finally:
        await engine.dispose()


async def watchdog_dry_run(settings) -> None:  # noqa: ANN001
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


def backup_or_restore(command: str, archive: str, settings) -> int:  # noqa: ANN001
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
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stdout,
    )
    # aiohttp logs request URLs at DEBUG, and a Bot API URL carries the token: keep it quiet.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    try:
        asyncio.run(run(settings))
    except KeyboardInterrupt:
        pass
    log.info("Stopped")


if __name__ == "__main__":
    main()
