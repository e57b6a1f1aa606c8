"""The operator can run Alembic by hand: `alembic upgrade head` from the project root migrates DATABASE_URL."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from db.engine import head_revision

ROOT = Path(__file__).resolve().parents[2]
ALEMBIC = Path(sys.executable).parent / "alembic"


def _alembic(*args: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [str(ALEMBIC), "-c", str(ROOT / "alembic.ini"), *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_alembic_upgrade_head_migrates_the_database_url(tmp_path: Path) -> None:
    database = tmp_path / "data" / "kenesh.db"  # the folder does not exist yet, as on a new machine
    url = f"sqlite+aiosqlite:///{database}"

    upgraded = _alembic("upgrade", "head", url=url, cwd=tmp_path)

    assert upgraded.returncode == 0, upgraded.stderr
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
        assert connection.execute("SELECT count(*) FROM sqlite_master WHERE name = 'meetings'").fetchone() == (1,)
    current = _alembic("current", url=url, cwd=tmp_path)
    assert f"{head_revision()} (head)" in current.stdout


def test_alembic_downgrade_one_step_and_back(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'kenesh.db'}"
    assert _alembic("upgrade", "head", url=url, cwd=tmp_path).returncode == 0

    downgraded = _alembic("downgrade", "-1", url=url, cwd=tmp_path)
    again = _alembic("upgrade", "head", url=url, cwd=tmp_path)

    assert downgraded.returncode == 0, downgraded.stderr
    assert again.returncode == 0, again.stderr
    assert f"{head_revision()} (head)" in _alembic("current", url=url, cwd=tmp_path).stdout
