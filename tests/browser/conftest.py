"""The Mini App in a real browser: Debian's Chromium (`apt-get install chromium`) driven by Playwright for Python.

Never `playwright install`: this network cannot reach its browser downloads, and Debian's build is the one the
project installs (`.ci/run` does when it is missing). Without it these tests are skipped, except under
`make test-browser` (KENESH_REQUIRE_BROWSER=1), where a missing browser fails the run.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("KENESH_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(reason: str) -> None:
    if os.environ.get("KENESH_REQUIRE_BROWSER"):
        pytest.fail(f"browser tests required but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
async def browser() -> AsyncIterator[object]:  # a playwright.async_api.Browser
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _missing("playwright is not installed (it is in the dev extra: make)")
    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 - once per test, before any browser starts
        _missing(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()
