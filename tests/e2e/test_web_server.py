"""The real `python -m bot` in polling mode with WEB_PORT set: /healthz and /metrics beside polling, every log
line one JSON object (LOG_FORMAT=json), the version in the start-up line (issue 19 §1, §4)."""

from __future__ import annotations

import json

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot import __version__
from tests.e2e.conftest import BotProcess
from tests.e2e.test_instances import base_env, free_port


async def test_polling_with_web_port_serves_health_and_metrics_and_logs_json_lines(api, tmp_path):
    port = free_port()
    env = {**base_env(api, f"sqlite+aiosqlite:///{tmp_path / 'kenesh.db'}"), "WEB_PORT": str(port)}
    env.update(LOG_FORMAT="json", STORAGE_DIR=str(tmp_path / "files"))
    bot = BotProcess(api, tmp_path, env)
    await bot.start()
    try:
        chair = api.person(10, "Гүлнара", "Осмонова", "ru")
        assert (await bot.say(chair, chair, "/start")).text
        async with aiohttp.ClientSession() as client:
            async with client.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
                assert (await response.json())["checks"] == {"database": "ok", "outbox": "ok"}
            async with client.get(f"http://127.0.0.1:{port}/metrics") as response:
                assert response.status == 200
                exposition = await response.text()
    finally:
        assert await bot.stop() == 0
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(exposition)
        for s in family.samples
    }
    assert samples[("kenesh_updates_total", (("kind", "message"),))] == 1
    assert samples[("kenesh_build_info", (("version", __version__),))] == 1

    lines = [json.loads(line) for line in bot.log.read_text().splitlines() if line.strip()]  # each one parses
    messages = [line["message"] for line in lines]
    assert any(m.startswith(f"Starting Kenesh {__version__} as @") for m in messages)
    assert any(m.startswith("Scheduler: instance ") and m.endswith("runs the scheduled work") for m in messages)
    assert "Traceback" not in bot.log.read_text() and "Осмонова" not in bot.log.read_text()
    assert not any("Matplotlib" in m for m in messages)


async def test_a_web_port_that_is_taken_is_refused_in_one_line(api, tmp_path):
    import asyncio
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**base_env(api, f"sqlite+aiosqlite:///{tmp_path / 'kenesh.db'}"), "WEB_PORT": str(port)}
        bot = BotProcess(api, tmp_path, {**env, "STORAGE_DIR": str(tmp_path / "files")})
        await bot.launch()
        assert await asyncio.wait_for(bot.process.wait(), 60) == 2
    said = bot.log.read_text()
    assert f"the web server cannot listen on 127.0.0.1:{port}" in said and "set WEB_PORT to a free port" in said
    assert "Traceback" not in said
