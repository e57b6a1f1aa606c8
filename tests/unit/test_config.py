"""Settings, and what the person who deploys the bot sees when one is missing or wrong."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults():
    settings = Settings(_env_file=None, bot_token="123:abc")
    assert settings.database_url == "sqlite+aiosqlite:///data/kenesh.db"
    assert settings.timezone == "Asia/Bishkek" and settings.default_locale == "ky"
    assert settings.admin_ids == frozenset() and settings.telegram_api_url is None
    assert settings.sqlite_path() == Path("data/kenesh.db")
    assert settings.webhook_url is None and settings.redis_url is None  # one process, long polling
    assert (settings.web_host, settings.web_port) == ("127.0.0.1", 8080)


def test_webhook_settings():
    settings = Settings(
        _env_file=None, bot_token="123:abc", webhook_url="https://bot.example.kg/kenesh/tg", webhook_secret="s3cr-et_"
    )
    assert settings.webhook_path == "/kenesh/tg" and settings.webhook_secret.get_secret_value() == "s3cr-et_"
    assert "s3cr" not in repr(settings)


def test_admin_ids_from_a_comma_separated_list(monkeypatch):
    monkeypatch.setenv("ADMIN_IDS", "111, 222,333")
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    assert Settings(_env_file=None).admin_ids == {111, 222, 333}


def test_token_is_secret_in_reprs():
    settings = Settings(_env_file=None, bot_token="123456:VERY-SECRET")
    assert "VERY-SECRET" not in repr(settings) and "VERY-SECRET" not in str(settings.model_dump())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bot_token", "paste-your-token-here"),
        ("timezone", "Mars/Olympus"),
        ("default_locale", "en"),
        ("log_level", "LOUD"),
        ("webhook_url", "http://bot.example.kg/tg"),  # Telegram posts only to HTTPS
        ("webhook_url", "https://bot.example.kg/tg"),  # without WEBHOOK_SECRET
        ("webhook_secret", "has spaces"),
        ("redis_url", "127.0.0.1:6379"),
    ],
)
def test_wrong_values_are_refused(field, value):
    values = {"bot_token": "123:abc", field: value}
    with pytest.raises(ValidationError):
        Settings(_env_file=None, **values)


def _run_bot(env_extra: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL", "TELEGRAM_API_URL"}}
    env.update(env_extra)
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )


def test_missing_token_says_how_to_set_one_and_exits_non_zero(tmp_path):
    result = _run_bot({}, tmp_path)
    assert result.returncode == 2
    assert "BOT_TOKEN is not set" in result.stderr and "@BotFather" in result.stderr and ".env" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_wrong_setting_is_named_without_a_traceback(tmp_path):
    result = _run_bot({"BOT_TOKEN": "123:abc", "TIMEZONE": "Mars/Olympus"}, tmp_path)
    assert result.returncode == 2
    assert "TIMEZONE" in result.stderr and "Asia/Bishkek" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
