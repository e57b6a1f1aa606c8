"""One web server per instance (aiohttp, as aiogram's webhook runs on).

- Webhook mode (WEBHOOK_URL): Telegram's updates on the URL's path, answered (200) after they are handled, not
  before: if the process dies meanwhile, Telegram delivers the update again, to any instance.
  https://core.telegram.org/bots/api#setwebhook
- Polling mode: the server runs only when WEB_PORT or MINIAPP_URL is set (`make run` needs no free port).
- Always: GET /healthz (what this instance needs: the database, Redis when set, the outbox moving; 200 or 503
  with a JSON body naming what failed) and GET /metrics (Prometheus; for the operator: the proxy examples
  in deploy/ expose only the webhook path and the Mini App, and METRICS_TOKEN, when set, is required as
  `Authorization: Bearer <token>`).
- More routes (the Mini App, bot/web/miniapp.py): a route installer is a function `install(app, deps)` given
  in `installers`; it finds what it needs in `deps` (also `app[DEPS]` in a request handler).

Listens on WEB_HOST:WEB_PORT like the rest; behind the HTTPS proxy in production.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.clock import Clock
from bot.config import Settings, Webhook
from bot.runtime.instances import instance_id
from bot.runtime.metrics import Metrics, age_seconds
from db.repo import health as health_repo
from db.repo import instances as instances_repo

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 5.0  # seconds a dependency may take to answer a health check


def wanted(settings: Settings) -> bool:
    """Whether this instance runs the web server (SETTLED: in polling mode only when asked for)."""
    asked = "web_port" in settings.model_fields_set
    return settings.webhook is not None or asked or settings.miniapp_url is not None


@dataclass
class WebDeps:
    """What the routes may use; route installers (the Mini App) read it too."""

    settings: Settings
    dp: Dispatcher
    bot: Bot
    sessionmaker: async_sessionmaker
    clock: Clock
    metrics: Metrics
    redis: Redis | None = None
    leading: Callable[[], bool] = lambda: False
    extra: dict[str, Any] = field(default_factory=dict)


DEPS = web.AppKey("kenesh", WebDeps)


class CannotListen(Exception):
    """WEB_HOST:WEB_PORT cannot be listened on; the message says what to change."""


RouteInstaller = Callable[[web.Application, WebDeps], None]


def install_miniapp_routes(app: web.Application, deps: WebDeps) -> None:
    """The Mini App (bot/web/miniapp.py) under MINIAPP_URL's path, with what the Dispatcher was given."""
    from bot.web.miniapp import install_miniapp

    install_miniapp(
        app,
        sessionmaker=deps.sessionmaker,
        i18n=deps.dp["i18n"],
        settings=deps.settings,
        bot=deps.bot,
        clock=deps.clock,
        archive=deps.dp["archive"],
    )


async def check_health(deps: WebDeps) -> dict[str, str]:
    """Each thing this instance needs, "ok" or what is wrong with it (no secrets, no personal data)."""
    checks: dict[str, str] = {}
    oldest = None
    try:
        async with asyncio.timeout(CHECK_TIMEOUT), deps.sessionmaker() as session:
            await instances_repo.ping(await session.connection())
            oldest = await health_repo.oldest_pending(session)
        checks["database"] = "ok"
    except Exception as error:  # the answer is the status
        checks["database"] = f"unreachable ({type(error).__name__})"
    if deps.redis is not None:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                await deps.redis.ping()  # type: ignore[misc]  # redis-py types it Awaitable[bool] | bool
            checks["redis"] = "ok"
        except Exception as error:
            checks["redis"] = f"unreachable ({type(error).__name__})"
    if checks["database"] == "ok":
        age = age_seconds(oldest, deps.clock.now())
        limit = deps.settings.outbox_stale_seconds
        checks["outbox"] = "ok" if age <= limit else f"stale: the oldest unsent post waits {int(age)} s (> {limit})"
    return checks


async def healthz(request: web.Request) -> web.Response:
    """200 when everything this instance needs answers, else 503; the body says which part failed."""
    checks = await check_health(request.app[DEPS])
    failed = sorted(name for name, state in checks.items() if state != "ok")
    if failed:
        log.warning("Health check failed: %s", "; ".join(f"{name} {checks[name]}" for name in failed))
        return web.json_response({"status": "failing", "failed": failed, "checks": checks}, status=503)
    return web.json_response({"status": "ok", "checks": checks})


async def metrics(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    token = deps.settings.metrics_token
    if token is not None:
        given = request.headers.get("Authorization", "")
        expected = f"Bearer {token.get_secret_value()}"
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return web.Response(status=401, text="401: Authorization: Bearer <METRICS_TOKEN> required\n")
    try:
        await deps.metrics.refresh(deps.sessionmaker, deps.clock, deps.leading())
    except Exception as error:  # the counters are still worth reading; /healthz says what is down
        log.warning("Metrics: could not read the database (%s)", type(error).__name__)
    from prometheus_client.exposition import CONTENT_TYPE_LATEST

    return web.Response(body=deps.metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})


def build_app(
    deps: WebDeps, webhook: Webhook | None = None, installers: Sequence[RouteInstaller] = ()
) -> web.Application:
    app = web.Application()
    app[DEPS] = deps
    if webhook is not None:
        from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application

        # First: on shutdown the Dispatcher's workers stop before the Bot's session closes.
        setup_application(app, deps.dp, bot=deps.bot)
        SimpleRequestHandler(
            deps.dp, deps.bot, handle_in_background=False, secret_token=webhook.secret.get_secret_value()
        ).register(app, path=deps.settings.webhook_path)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    for install in installers:
        install(app, deps)
    return app


class WebServer:
    """The server of this instance; `serve_webhook` runs the bot in webhook mode, `start`/`stop` beside polling."""

    def __init__(self, deps: WebDeps, installers: Sequence[RouteInstaller] = ()) -> None:
        self.deps, self.installers = deps, installers
        self._runner: web.AppRunner | None = None

    @classmethod
    def create(
        cls,
        settings: Settings,
        dp: Dispatcher,
        bot: Bot,
        sessionmaker: async_sessionmaker,
        clock: Clock,
        *,
        redis: Redis | None = None,
        scheduler: Any = None,
        installers: Sequence[RouteInstaller] = (),
    ) -> WebServer | None:
        """The server these settings ask for, with its metrics attached to the Dispatcher, the Bot and the
        scheduler; None when they ask for none (polling without WEB_PORT or MINIAPP_URL)."""
        if not wanted(settings):
            return None
        metrics_ = Metrics(instance_id())
        dp["metrics"] = metrics_  # the update middleware counts and times updates (bot/runtime/middlewares.py)
        metrics_.watch_bot(bot)
        aps = getattr(scheduler, "aps", None)
        if aps is not None:
            metrics_.watch_scheduler(aps)
        deps = WebDeps(
            settings,
            dp,
            bot,
            sessionmaker,
            clock,
            metrics_,
            redis=redis,
            leading=(lambda: bool(getattr(scheduler, "leading", False))),
        )
        if settings.miniapp_url is not None:
            installers = (*installers, install_miniapp_routes)
        return cls(deps, installers)

    async def start(self, webhook: Webhook | None = None) -> None:
        app = build_app(self.deps, webhook, self.installers)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()  # webhook mode: the Dispatcher's startup (command menus, workers)
        settings = self.deps.settings
        try:
            await web.TCPSite(self._runner, settings.web_host, settings.web_port).start()
        except OSError as error:
            await self.stop()
            raise CannotListen(
                f"the web server cannot listen on {settings.web_host}:{settings.web_port} ({error.strerror}): "
                "set WEB_PORT to a free port (or unset it in polling mode)"
            ) from None
        log.info("Web server on %s:%s (/healthz, /metrics)", settings.web_host, settings.web_port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()  # webhook mode: the workers finish, then the Bot's session closes
            self._runner = None

    async def serve_webhook(self, webhook: Webhook) -> None:
        """Serve Telegram's updates until SIGTERM or SIGINT. The webhook stays set when this instance stops:
        the others (or this one after a restart) serve it meanwhile."""
        deps = self.deps
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        try:
            await self.start(webhook)
            await deps.bot.set_webhook(
                webhook.url,
                secret_token=webhook.secret.get_secret_value(),
                allowed_updates=deps.dp.resolve_used_update_types(),
            )
            log.info("Taking updates on %s", deps.settings.webhook_path)
            await stop.wait()
            log.info("Stopping")
        finally:
            await self.stop()
