"""Secrets from files (Docker secrets, systemd credentials): BOT_TOKEN_FILE and WEBHOOK_SECRET_FILE."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:AAsecret-from-a-file"


def test_the_token_and_the_webhook_secret_are_read_from_their_files(tmp_path: Path) -> None:
    (tmp_path / "bot_token").write_text(TOKEN + "\n")  # as `echo` or an editor leaves it
    (tmp_path / "webhook_secret").write_text("s3cret_from-file\n")
    settings = Settings.load(
        env_file=None,
        bot_token_file=str(tmp_path / "bot_token"),
        webhook_secret_file=str(tmp_path / "webhook_secret"),
        webhook_url="https://kenesh.example.kg/tg",
    )
    assert settings.token() == TOKEN
    assert settings.webhook is not None and settings.webhook.secret.get_secret_value() == "s3cret_from-file"
    assert TOKEN not in repr(settings) and "s3cret" not in repr(settings)


def test_a_missing_file_or_a_secret_given_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="BOT_TOKEN_FILE: cannot read"):
        Settings.load(env_file=None, bot_token_file=str(tmp_path / "nowhere"))
    (tmp_path / "bot_token").write_text(TOKEN)
    with pytest.raises(ValidationError, match="set BOT_TOKEN or BOT_TOKEN_FILE, not both"):
        Settings.load(env_file=None, bot_token=TOKEN, bot_token_file=str(tmp_path / "bot_token"))
    (tmp_path / "bad").write_text("not a token")
    with pytest.raises(ValidationError, match="BOT_TOKEN must look like"):
        Settings.load(env_file=None, bot_token_file=str(tmp_path / "bad"))


def test_python_m_bot_says_which_file_it_cannot_read_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL"}}
    env.update(BOT_TOKEN_FILE=str(tmp_path / "missing"), DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'k.db'}")
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"BOT_TOKEN_FILE: cannot read {tmp_path / 'missing'} (No such file or directory)" in result.stderr


def test_the_version_is_one_and_the_console_script_says_it() -> None:
    from bot import __version__

    result = subprocess.run([sys.executable, "-m", "bot", "--version"], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout == f"kenesh {__version__}\n"
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## {__version__}" in changelog  # every release has its section
