"""Idle resident memory of Kenesh against a bare aiogram polling bot.

    .venv/bin/python scripts/bench_memory.py

Starts the Bot API stand-in (tests/botapi.py) on loopback, then, one after the other, a bare aiogram bot that
only answers callback queries and `python -m bot` (migrated SQLite database in a temporary directory), each
polling the stand-in over HTTP. Once a process has polled for a few seconds with nothing to do, its VmRSS
(Linux /proc) is read. Prints both figures and the difference: a figure to watch, not a target (what must
hold is that a long run does not grow: scripts/bench_soak.py). A script, not a test.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.botapi import BotAPI  # noqa: E402

TOKEN = "123456:MEMORY"
SETTLE_S = 5.0  # polling with nothing to do, before reading the figure

BARE_BOT = str(ROOT / "scripts" / "bare_bot.py")  # the same bare bot for every benchmark


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


async def idle_rss(api: BotAPI, args: list[str], env: dict[str, str], cwd: Path) -> float:
    """Start the process, wait until it polls, let it idle, read its RSS, stop it with SIGINT."""
    polls_before = sum(1 for method, _ in api.calls if method == "getUpdates")
    process = await asyncio.create_subprocess_exec(
        *args, env=env, cwd=cwd, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    try:
        await api.wait_for(
            lambda: sum(1 for method, _ in api.calls if method == "getUpdates") > polls_before, within=60
        )
        await asyncio.sleep(SETTLE_S)
        if process.returncode is not None:
            raise RuntimeError(f"{args} exited: {(await process.stderr.read()).decode()}")
        return rss_mb(process.pid)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()


async def main() -> None:
    api = BotAPI()
    await api.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_", "WEBHOOK_"))}
            env.update(
                BOT_TOKEN=TOKEN,
                TELEGRAM_API_URL=api.base_url,
                DATABASE_URL=f"sqlite+aiosqlite:///{tmp}/kenesh.db",
                STORAGE_DIR=f"{tmp}/files",
                LOG_LEVEL="WARNING",
                PYTHONPATH=str(ROOT),
            )
            bare = await idle_rss(api, [sys.executable, BARE_BOT, TOKEN, api.base_url], env, Path(tmp))
            # Kenesh runs from the project directory (its .env is not read: every setting is given above).
            kenesh = await idle_rss(api, [sys.executable, "-m", "bot"], env, ROOT)
    finally:
        await api.stop()
    print(f"bare aiogram bot: {bare:6.1f} MB resident (idle, polling)")
    print(f"Kenesh:           {kenesh:6.1f} MB resident (idle, polling)")
    print(f"difference:       {kenesh - bare:+6.1f} MB")


if __name__ == "__main__":
    asyncio.run(main())
