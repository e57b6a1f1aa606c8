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


# --- a year to show: the flow that held two meetings ------------------------------------------------------------

PLAN = "/plan 03.12.2026 Биринчи — Осмонова Г.\n20.01.2027 Экинчи\n18.03.2027 Үчүнчү"
RESPONSIBLE = "Фамилия01 Мугалим1"  # council.people[1], a Kyrgyz reader
DOCX = b"PK\x03\x04 a lesson plan about fractions " * 50
PDF = b"%PDF-1.4 a methodical development " * 80


async def hold_a_year(flow):  # the council, with .chair, .group, .people, .member, .teacher
    """Through the chat, as people do it: a plan of three meetings; the first held with 8 of 10 (one decision
    adopted, one not), the second with 6 of 10 (no quorum); the adopted decision given to a Kyrgyz member until
    15.02.2027; a Russian teacher's two materials, one returned with a comment, one approved for the bank.
    The clock stands at 20 January 2027, the second meeting's day."""
    from datetime import datetime

    from tests.conftest import BISHKEK, seed_council
    from tests.flows.test_decisions import hold_meeting
    from tests.flows.test_materials import submit

    council = await seed_council(flow, members=10)
    chair = council.chair
    await flow.say(chair, chair, "/start")
    sent = await flow.say(chair, chair, PLAN)
    await flow.press(chair, sent[-1], "Сохранить")
    prompts = await hold_meeting(
        flow, council, datetime(2026, 12, 3, 10, tzinfo=BISHKEK), [("Ачык сабактар", "Макул"), ("Жок", "Каршы")]
    )
    await flow.say(chair, council.group, "/close")
    everyone = council.people
    council.people = everyone[:6]  # only six come to the second meeting
    await hold_meeting(flow, council, datetime(2027, 1, 20, 10, tzinfo=BISHKEK), [("Экинчи", "Макул")])
    council.people = everyone
    await flow.say(chair, council.group, "/close")
    (prompt,) = [m for m in prompts if "Решение принято" in m.text]
    await flow.press(chair, prompt, RESPONSIBLE)
    await flow.say(chair, chair, "15.02.2027")
    council.member, council.teacher = everyone[1], everyone[2]
    await submit(flow, council.teacher, DOCX, "Бөлчөктөр_5-класс.docx", None)
    await submit(flow, council.teacher, PDF, "development.pdf", "Функционалдык сабаттуулук", "МБ математика")
    cards = [m for m in flow.api.sent_to(chair.id) if m.text.startswith("Материал №")]
    await flow.press(chair, cards[0], "Вернуть на доработку")
    await flow.say(chair, chair, "Мисалдарды кошуңуз")
    await flow.press(chair, cards[1], "Утвердить и включить в банк")
    await flow.press(chair, flow.api.last_to(chair.id), "Без комментария")
    # One member has not confirmed the regulation (a new member's confirmation pending): the page says so.
    from sqlalchemy import update

    from db.models import Member

    async with flow.sessionmaker() as session:
        await session.execute(
            update(Member).where(Member.user_id == everyone[-1].id).values(regulation_confirmed_at=None)
        )
        await session.commit()
    return council
