"""What the bot loads at start: nothing heavy before it is first used. matplotlib (the /report chart),
python-docx with lxml (protocols, the plan) and openpyxl (the year's .xlsx) take seconds and tens of megabytes
to import; a bot that loaded them at start would start slower and carry them for every school that never
asks for a report. A database already at head is not migrated again at each start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = {"matplotlib", "docx", "lxml", "openpyxl"}


def test_the_started_bot_has_loaded_nothing_heavy_before_it_is_used() -> None:
    probe = (
        "import sys, bot.app, bot.runtime.scheduler, bot.ui.protocol, db.engine, handlers, bot.__main__; "
        "handlers.get_routers(); "
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(HEAVY)!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert out.strip() == "[]"


async def test_a_database_at_head_is_not_migrated_again(engine) -> None:
    from db.engine import at_head, head_revision

    assert head_revision() is not None
    assert await at_head(engine)  # the fixture migrated it


async def test_a_new_database_is_not_at_head(tmp_path: Path) -> None:
    from db.engine import at_head, create_engine

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    try:
        assert not await at_head(engine)
    finally:
        await engine.dispose()
