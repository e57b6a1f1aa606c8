"""What the operator sees of a running instance: /metrics, /healthz, JSON log lines (issue 19 §1, 18 §7)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

from bot.config import Settings
from bot.runtime.instances import instance_id
from bot.runtime.logs import setup_logging
from bot.web.server import WebServer, wanted
from db.engine import create_engine, make_sessionmaker
from db.models import OutboxMessage, OutboxStatus
from tests.conftest import NOW, seed_council

DAY = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")


def settings_with(flow, **changes) -> Settings:
    """The flow's settings, with these given as if set in the environment."""
    values = {name: getattr(flow.settings, name) for name in flow.settings.model_fields_set}
    return Settings(**{**values, **changes})


@asynccontextmanager
async def web(flow, settings: Settings, **deps) -> AsyncIterator[TestClient]:
    """The instance's web server (as `python -m bot` builds it) on a loopback port, for these settings."""
    server = WebServer.create(
        settings,
        flow.dp,
        flow.bot,
        deps.pop("sessionmaker", flow.sessionmaker),
        flow.clock,
        scheduler=flow.scheduler,
        **deps,
    )
    assert server is not None
    from bot.web.server import build_app

    client = TestClient(TestServer(build_app(server.deps)))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()
        flow.dp.workflow_data.pop("metrics", None)


async def scrape(client: TestClient, **headers) -> dict[tuple[str, tuple], float]:
    response = await client.get("/metrics", headers=headers)
    assert response.status == 200, await response.text()
    samples = {}
    for family in text_string_to_metric_families(await response.text()):  # the Prometheus parser accepts it
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_the_server_runs_in_polling_mode_only_when_asked_for(flow) -> None:
    assert not wanted(flow.settings)  # `make run`: no port needed
    assert wanted(settings_with(flow, web_port=8099))
    assert wanted(settings_with(flow, webhook_url="https://kenesh.example.kg/tg", webhook_secret="s3cret"))


async def test_metrics_parse_and_move_when_an_update_is_handled(flow) -> None:
    council = await seed_council(flow, members=3)
    async with web(flow, settings_with(flow, web_port=8099)) as client:
        before = await scrape(client)
        assert before[("kenesh_councils", ())] == 1
        assert before[("kenesh_members", (("status", "approved"),))] == 3
        assert before[("kenesh_build_info", (("version", __import__("bot").__version__),))] == 1
        assert before.get(("kenesh_updates_total", (("kind", "message"),)), 0) == 0
        calls_before = len(flow.api.calls)

        (preview,) = await flow.say(council.chair, council.chair, f"/agenda {DAY} 15:00\n1. Маселе")
        await flow.press(council.chair, preview, "Опубликовать")  # the announcement goes to the group and 3 people

        after = await scrape(client)
        sent = [method for method, _ in flow.api.calls[calls_before:] if method == "sendMessage"]
    assert after[("kenesh_updates_total", (("kind", "message"),))] == 1
    assert after[("kenesh_updates_total", (("kind", "callback_query"),))] == 1
    assert after[("kenesh_update_seconds_count", (("kind", "message"),))] == 1
    assert len(sent) == 4  # the preview, then the announcement to the group and to the two other members
    assert after[("kenesh_messages_sent_total", (("method", "SendMessage"),))] == len(sent)
    assert after[("kenesh_meetings", (("status", "announced"),))] == 1
    assert after[("kenesh_outbox_pending", ())] == 0
    assert after[("kenesh_leader", (("instance", instance_id()),))] == 1  # SQLite: the one instance leads


async def test_telegram_errors_and_429s_are_counted(flow) -> None:
    council = await seed_council(flow, members=3)
    async with web(flow, settings_with(flow, web_port=8099)) as client:
        (preview,) = await flow.say(council.chair, council.chair, f"/agenda {DAY} 15:00\n1. Маселе")
        flow.api.fail("sendMessage", 429, retry_after=1)  # the outbox waits it out and sends again
        flow.api.fail("sendMessage", 403)  # a member who blocked the bot: recorded, not retried

        async def the_second_passes() -> None:  # on the bot's clock, once Telegram has said "wait a second"
            await flow.api.wait_for(lambda: any(code == 429 for _, code, _ in flow.api.errors), within=5)
            flow.clock.advance(timedelta(seconds=1))

        waiting = asyncio.create_task(the_second_passes())
        await flow.press(council.chair, preview, "Опубликовать")
        await waiting
        samples = await scrape(client)
    announcements = [m for m in flow.api.sent_to(council.group.id) if "Заседание" in m.text]
    assert len(announcements) == 1  # sent once, after the wait
    assert samples[("kenesh_telegram_flood_waits_total", ())] == 1
    assert samples[("kenesh_telegram_flood_wait_seconds_total", ())] == 1
    assert samples[("kenesh_telegram_errors_total", (("code", "429"), ("method", "SendMessage")))] == 1
    assert samples[("kenesh_telegram_errors_total", (("code", "403"), ("method", "SendMessage")))] == 1


async def test_metrics_want_the_token_when_one_is_set(flow) -> None:
    async with web(flow, settings_with(flow, web_port=8099, metrics_token="op-token-123")) as client:
        assert (await client.get("/metrics")).status == 401
        assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status == 401
        assert ("kenesh_councils", ()) in await scrape(client, Authorization="Bearer op-token-123")
        assert (await client.get("/healthz")).status == 200  # the load balancer's check needs no token


async def test_healthz_is_200_with_what_it_checked(flow) -> None:
    async with web(flow, settings_with(flow, web_port=8099)) as client:
        response = await client.get("/healthz")
        assert response.status == 200
        assert await response.json() == {"status": "ok", "checks": {"database": "ok", "outbox": "ok"}}


async def test_healthz_is_503_when_the_database_does_not_answer(flow, tmp_path) -> None:
    gone = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'no-such-dir' / 'kenesh.db'}")
    try:
        async with web(flow, settings_with(flow, web_port=8099), sessionmaker=make_sessionmaker(gone)) as client:
            response = await client.get("/healthz")
            body = await response.json()
    finally:
        await gone.dispose()
    assert response.status == 503
    assert body["failed"] == ["database"] and body["checks"]["database"].startswith("unreachable")


async def test_healthz_is_503_when_redis_does_not_answer(flow) -> None:
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)  # nothing listens on port 1
    try:
        async with web(flow, settings_with(flow, web_port=8099), redis=dead) as client:
            response = await client.get("/healthz")
            body = await response.json()
    finally:
        await dead.aclose()
    assert response.status == 503
    assert body["failed"] == ["redis"]
    assert body["checks"]["database"] == "ok" and body["checks"]["redis"].startswith("unreachable")


async def test_healthz_is_503_when_the_oldest_unsent_post_is_stale(flow) -> None:
    council = await seed_council(flow, members=3)
    async with flow.sessionmaker() as session:  # a post Telegram keeps failing: retried, still pending
        session.add(
            OutboxMessage(
                kind="notice",
                chat_id=council.group.id,
                council_id=council.id,
                text="…",
                status=OutboxStatus.PENDING,
                attempts=5,
                created_at=flow.clock.now(),
                next_attempt_at=flow.clock.now() + timedelta(hours=2),
            )
        )
        await session.commit()
    async with web(flow, settings_with(flow, web_port=8099, outbox_stale_seconds=1800)) as client:
        flow.clock.advance(timedelta(minutes=29))
        assert (await client.get("/healthz")).status == 200
        flow.clock.advance(timedelta(minutes=2))
        response = await client.get("/healthz")
        body = await response.json()
        metrics = await scrape(client)
    assert response.status == 503 and body["failed"] == ["outbox"]
    assert body["checks"]["outbox"] == "stale: the oldest unsent post waits 1860 s (> 1800)"
    assert metrics[("kenesh_outbox_oldest_pending_seconds", ())] == 1860
    assert metrics[("kenesh_outbox_pending", ())] == 1


async def test_json_log_lines_parse_and_carry_the_telegram_ids(flow) -> None:
    council = await seed_council(flow, members=3)
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = setup_logging(settings_with(flow, log_format="json"), stream)
    try:
        await flow.say(council.chair, council.chair, f"/agenda {DAY} 15:00\n1. Маселе Осмонова")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]  # every line is one JSON object
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    (draft,) = [line for line in lines if "agenda draft" in line["message"]]
    assert draft["level"] == "INFO" and draft["logger"] == "bot.ops.meetings"
    assert draft["council_id"] == council.id and draft["user_id"] == council.chair.id
    assert isinstance(draft["update_id"], int)
    assert all("Осмонова" not in line["message"] and "Маселе" not in line["message"] for line in lines)
    handled = [line for line in lines if "update_id" in line]
    assert {line["update_id"] for line in handled} == {draft["update_id"]}  # one update, one id


async def test_scheduled_runs_are_counted_and_timed_by_job() -> None:
    """APScheduler's own runs (production keeps it on the wall clock): each job's kind, outcome and duration."""
    import asyncio
    from datetime import UTC, datetime

    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.runtime.metrics import Metrics

    metrics = Metrics("test-instance")
    aps = AsyncIOScheduler(timezone=UTC)
    metrics.watch_scheduler(aps)
    done = asyncio.Event()

    async def remind() -> None:
        await asyncio.sleep(0.05)

    async def fails() -> None:
        done.set()
        raise RuntimeError("the database went away")

    aps.start()
    try:
        aps.add_job(remind, "date", run_date=datetime.now(UTC), id="remind:7:1764000000:24")
        aps.add_job(fails, "date", run_date=datetime.now(UTC) + timedelta(milliseconds=200), id="watchdog")
        await asyncio.wait_for(done.wait(), 10)
        await asyncio.sleep(0.1)
    finally:
        aps.shutdown(wait=False)
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(metrics.exposition().decode())
        for s in family.samples
    }
    assert samples[("kenesh_scheduled_runs_total", (("job", "remind"), ("outcome", "ok")))] == 1
    assert samples[("kenesh_scheduled_runs_total", (("job", "watchdog"), ("outcome", "failed")))] == 1
    assert samples[("kenesh_scheduled_run_seconds_count", (("job", "remind"),))] == 1
    assert samples[("kenesh_scheduled_run_seconds_sum", (("job", "remind"),))] >= 0.05


async def test_the_standby_says_so_and_a_takeover_names_both_instances(flow, engine, caplog, monkeypatch) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the leader lock is PostgreSQL's (make test-pg); on SQLite the one instance always leads")
    from bot.runtime import instances
    from bot.runtime import scheduler as scheduler_module
    from bot.runtime.scheduler import LeaderLock, Scheduler

    leader = instance_id()  # the flow's scheduler leads, under this process's name
    assert flow.scheduler.leading
    monkeypatch.setattr(instances, "instance_id", lambda: "kenesh-b")  # a second instance
    monkeypatch.setattr(scheduler_module, "instance_id", lambda: "kenesh-b")
    second = Scheduler(
        flow.sessionmaker,
        flow.dp["i18n"],
        flow.settings,
        flow.clock,
        flow.delivery,
        leader=LeaderLock(engine),
        on_wall_clock=False,
    )
    caplog.set_level(logging.INFO, logger="bot.runtime.scheduler")
    await second.start()
    try:
        assert not second.leading
        assert f"Scheduler: instance kenesh-b is standby; instance {leader} runs the scheduled work" in caplog.text
        await flow.scheduler.stop()  # the leader stops (or dies: PostgreSQL drops its lock with its connection)
        await second._check_leadership()  # its next try, within LEADER_CHECK seconds
        assert second.leading
        assert f"Scheduler: instance kenesh-b takes over the scheduled work from instance {leader}" in caplog.text
    finally:
        await second.stop()
