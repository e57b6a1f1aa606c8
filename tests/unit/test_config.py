"""Settings, and what the person who deploys the bot sees when one is missing or wrong."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings
from db.settings import database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def no_settings_around(monkeypatch, tmp_path):
    """Each test sees only the settings it sets: none from the environment, no .env in the working directory."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults():
    settings = Settings(bot_token="123:abc")
    assert settings.database_url == "sqlite+aiosqlite:///data/kenesh.db"
    assert settings.timezone == "Asia/Bishkek" and settings.default_locale == "ky"
    assert settings.admin_ids == frozenset() and settings.telegram_api_url is None
    assert settings.sqlite_path() == Path("data/kenesh.db")
    assert settings.webhook_url is None and settings.redis_url is None  # one process, long polling
    assert (settings.web_host, settings.web_port) == ("127.0.0.1", 8080)


def test_webhook_settings():
    settings = Settings(bot_token="123:abc", webhook_url="https://bot.example.kg/kenesh/tg", webhook_secret="s3cr-et_")
    assert settings.webhook_path == "/kenesh/tg" and settings.webhook_secret.get_secret_value() == "s3cr-et_"
    assert "s3cr" not in repr(settings)


def test_admin_ids_from_a_comma_separated_list(monkeypatch):
    monkeypatch.setenv("ADMIN_IDS", "111, 222,333")
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    assert Settings.load(env_file=None).admin_ids == {111, 222, 333}


def test_token_is_secret_in_reprs():
    settings = Settings(bot_token="123456:VERY-SECRET")
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
        Settings(**values)


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


def test_dotenv_file_is_read_and_the_environment_wins(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# a comment\n"
        "BOT_TOKEN=123:from-file\n"
        'TIMEZONE="Asia/Almaty"  # quoted, with a comment after it\n'
        "export MAX_FILE_MB=50\n"
        "log_level=warning\n"  # a name in lower case is the same setting
        "WEBHOOK_URL=\n"
        "UNRELATED=kept out\n",
        encoding="utf-8",
    )
    for name in ("BOT_TOKEN", "TIMEZONE", "MAX_FILE_MB", "LOG_LEVEL", "WEBHOOK_URL", "WEB_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WEB_PORT", "9090")
    monkeypatch.setenv("TIMEZONE", "Asia/Bishkek")  # the environment beats the file

    settings = Settings.load(env_file=env_file)
    assert settings.token() == "123:from-file" and settings.timezone == "Asia/Bishkek"
    assert settings.max_file_mb == 50 and settings.log_level == "WARNING" and settings.web_port == 9090
    assert settings.webhook_url is None
    # What the code passes beats both; no file at all is no error.
    assert Settings.load(env_file=env_file, timezone="Europe/Moscow").timezone == "Europe/Moscow"
    assert Settings.load(env_file=tmp_path / "absent.env", bot_token="1:x").token() == "1:x"


def test_alembic_reads_database_url_as_the_bot_does(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text(
        "BOT_TOKEN=123:abc\ndatabase_url=sqlite+aiosqlite:///from-file.db\n", encoding="utf-8"
    )
    assert database_url() == Settings.load().database_url == "sqlite+aiosqlite:///from-file.db"
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://kenesh@db/kenesh")
    assert database_url() == Settings.load().database_url == "postgresql+asyncpg://kenesh@db/kenesh"
    assert database_url(env_file=None) == Settings.load(env_file=None).database_url


def test_a_database_password_stays_out_of_the_settings_repr():
    settings = Settings(database_url="postgresql+asyncpg://kenesh:hunter2@db/kenesh", redis_url="redis://:pw22@r/0")
    assert "hunter2" not in repr(settings) and "pw22" not in repr(settings)


def test_wrong_value_in_dotenv_is_named(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("BOT_TOKEN=123:abc\nMAX_FILE_MB=lots\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        Settings.load(env_file=tmp_path / ".env")
    assert [error["loc"] for error in caught.value.errors()] == [("max_file_mb",)]


def test_bot_reads_its_dotenv_and_names_a_wrong_value(tmp_path):
    (tmp_path / ".env").write_text("BOT_TOKEN=123:abc\nDEFAULT_LOCALE=en\n", encoding="utf-8")
    result = _run_bot({}, tmp_path)
    assert result.returncode == 2
    assert "DEFAULT_LOCALE: DEFAULT_LOCALE must be one of ky, ru" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
