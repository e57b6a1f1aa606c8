"""The Mini App beside a flow: its web server on loopback, and init data as Telegram signs it.

Init data is signed here the way Telegram's documentation says a client receives it
(https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app): the bot token's
"WebAppData" key, an HMAC-SHA256 over the sorted fields. A test makes it valid, old, or signed with another
token, and the server must tell them apart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode

import aiohttp
from aiohttp import web

from bot.web.miniapp import MiniApp, install_miniapp
from tests.botapi import Person


def init_data(token: str, person: Person, signed_at: datetime, **extra: str) -> str:
    """The query string Telegram hands the page (the fragment's tgWebAppData), signed with `token`."""
    user = {"id": person.id, "first_name": person.first_name, "allows_write_to_pm": True}
    if person.last_name:
        user["last_name"] = person.last_name
    if person.language_code:
        user["language_code"] = person.language_code
    fields = {
        "auth_date": str(int(signed_at.timestamp())),
        "query_id": f"AAH{person.id}",
        "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
        **extra,
    }
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields, quote_via=quote)


@dataclass
class MiniAppServer:
    url: str  # MINIAPP_URL: the page's address
    handlers: MiniApp
    client: aiohttp.ClientSession

    async def api(
        self, view: str, init: str | None, body: dict | None = None, **headers: str
    ) -> tuple[int, str, aiohttp.typedefs.LooseHeaders]:
        """POST api/<view> as the page's script does; returns the status, the body and the headers."""
        sent = {"Content-Type": "application/json", **headers}
        if init is not None:
            sent["Authorization"] = f"tma {init}"
        async with self.client.post(f"{self.url}api/{view}", json=body or {}, headers=sent) as response:
            return response.status, await response.text(), response.headers


@asynccontextmanager
async def miniapp_server(flow) -> AsyncIterator[MiniAppServer]:  # a tests.conftest.Flow
    """The Mini App of the flow's bot on a loopback port; the flow's settings get its MINIAPP_URL, so /year
    and the menu button point at it."""
    settings = flow.settings
    settings.miniapp_url = "http://127.0.0.1/app/"  # the path, for the routes; the port comes with the socket
    app = web.Application()
    handlers = install_miniapp(
        app,
        sessionmaker=flow.sessionmaker,
        i18n=flow.dp["i18n"],
        settings=settings,
        bot=flow.bot,
        clock=flow.clock,
        archive=flow.dp["archive"],
    )
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    settings.miniapp_url = f"http://127.0.0.1:{port}/app/"
    client = aiohttp.ClientSession()
    try:
        yield MiniAppServer(settings.miniapp_url, handlers, client)
    finally:
        await client.close()
        await runner.cleanup()
        settings.miniapp_url = None
