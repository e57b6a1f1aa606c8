"""`python -m bot` with MINIAPP_URL (issue 22): the menu button opens the Mini App, and the process serves it
(the page, its API for a member Telegram vouches for, /healthz) beside long polling."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import aiohttp

from tests.conftest import TOKEN
from tests.miniapp import init_data


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_the_process_serves_the_mini_app_it_sets_in_the_menu(api, bot_process):
    port = free_port()
    url = f"http://127.0.0.1:{port}/app/"
    assert await bot_process.stop() == 0
    bot_process.env.update({"MINIAPP_URL": url, "WEB_PORT": str(port)})
    await bot_process.start()
    await api.wait_for(lambda: api.menu_buttons.get(None, {}).get("type") == "web_app")
    assert api.menu_buttons[None]["web_app"] == {"url": url}

    chair = api.person(10, "Гүлнара", "Осмонова", "ru")
    group = api.group(-1009, "Мектеп №9", admins={10})
    await bot_process.say(chair, group, "/setup")
    async with aiohttp.ClientSession() as client:
        async with client.get(url) as page:
            assert page.status == 200 and "static/app.js" in await page.text()
            assert "frame-ancestors" in page.headers["Content-Security-Policy"]
        init = init_data(TOKEN, chair, datetime.now(UTC))
        async with client.post(f"{url}api/year", json={}, headers={"Authorization": f"tma {init}"}) as answer:
            assert answer.status == 200 and "Мектеп №9" in await answer.text()
        async with client.get(f"http://127.0.0.1:{port}/healthz") as health:
            assert health.status == 200
    reply = await bot_process.say(chair, chair, "/year")
    assert reply.buttons[0]["web_app"] == {"url": url}
