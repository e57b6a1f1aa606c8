"""The idle bot keeps only what it uses resident: python-docx, Alembic, Babel (its catalog compiler and its
date formats, with pytz), pydantic-settings and cryptography (with the first secret ballot) load on demand,
or not at all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_bot_imports_neither_docx_nor_alembic_until_it_needs_them() -> None:
    probe = (
        "import sys, bot.app, bot.runtime.scheduler, bot.protocol, db.engine, handlers, bot.__main__; "
        "handlers.get_routers(); "
        "print(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'docx', 'alembic', 'mako', 'lxml', 'babel', 'pytz', 'pydantic_settings', 'cryptography'})); "
        "from bot.i18n import create_i18n, fmt_long_date; import datetime; "
        "i18n = create_i18n('ky'); ctx = i18n.context(); ctx.__enter__(); "
        "print(fmt_long_date(datetime.date(2026, 12, 3), locale='ru'), 'babel.dates' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    ).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "3 декабря 2026\u202fг. True"  # Babel's formats load with the first date written


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
