"""Settings from the environment and `.env`. Built in main() (`Settings.load()`), never at import.

A pydantic model (pydantic is loaded with aiogram anyway) filled from three places, the first that names a
setting winning: the values given to `load`, the environment, then the `.env` file. Names are the upper-case
ones of `.env.example`, in any case. python-dotenv reads the file; pydantic-settings is not used, because its
import (sources for AWS, Azure, GCP, YAML, TOML and a CLI) stays resident, about 1 MB the bot never uses.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from db.engine import DEFAULT_DATABASE_URL

SUPPORTED_LOCALES = ("ky", "ru")


@dataclass(frozen=True)
class Webhook:
    """Webhook mode: the public URL Telegram posts updates to, and the secret it sends with each of them."""

    url: str
    secret: SecretStr


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    bot_token: SecretStr | None = None  # required to run the bot; `watchdog --dry-run` does without
    database_url: str = DEFAULT_DATABASE_URL
    telegram_api_url: str | None = None
    timezone: str = "Asia/Bishkek"
    default_locale: str = "ky"
    # Comma-separated Telegram ids allowed to set up a council in any group.
    admin_ids: frozenset[int] = Field(default_factory=frozenset)
    log_level: str = "INFO"
    # cl. 7.4 watchdog: warn when this many days (or fewer) are left to announce a meeting with 7 days'
    # notice in a trimester that has none; and the hour (council time) of the daily check.
    watchdog_warn_days: tuple[int, ...] = (14, 7, 0)
    watchdog_hour: int = Field(default=9, ge=0, le=23)
    # The council's archive of methodical materials (it must outlive Telegram's links), and the largest
    # file accepted: 20 MB is what Telegram lets a bot download; a self-hosted Bot API server allows 2000.
    storage_dir: Path = Path("data/files")
    max_file_mb: int = Field(default=20, ge=1, le=2000)
    # Nobody fills the disk: materials (new ones and new versions) one member may submit a day, and the
    # whole archive's size (with the quarantine of files whose questions are not answered yet).
    max_submissions_per_day: int = Field(default=10, ge=1)
    max_archive_mb: int = Field(default=10240, ge=1)
    # One person's button presses beyond this many a second are answered "too fast" (no database touched).
    max_presses_per_second: int = Field(default=5, ge=1)
    # Messages the whole bot sends in a second, to all chats, every instance together (Telegram allows about 30).
    max_sends_per_second: int = Field(default=25, ge=1, le=30)
    # Webhook mode (instead of long polling) when WEBHOOK_URL is set: the public HTTPS URL Telegram posts
    # updates to (its path is the route); the bot listens on WEB_HOST:WEB_PORT behind the TLS proxy, and
    # answers GET /healthz there too. Telegram sends WEBHOOK_SECRET with every update; others get 401.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=1, le=65535)
    # Several instances of one bot (a district): PostgreSQL in DATABASE_URL and a Redis server here, where
    # every instance keeps the conversation state, the per-user lock, the edit and pacing timers.
    redis_url: str | None = None
    redis_prefix: str = "kenesh"

    @classmethod
    def load(cls, env_file: str | os.PathLike[str] | None = ".env", **values: object) -> Settings:
        """The settings from `values`, else the environment, else `env_file` (skipped when None or absent).

        Raises pydantic's ValidationError naming each wrong setting (`python -m bot` prints them and stops)."""
        names = set(cls.model_fields)
        found: dict[str, object] = {}
        if env_file is not None and Path(env_file).is_file():
            from dotenv import dotenv_values  # imported only where there is a .env to read

            from_file = dotenv_values(env_file, encoding="utf-8")
            found.update({key.lower(): value for key, value in from_file.items() if value is not None})
        found.update({key.lower(): value for key, value in os.environ.items()})
        found.update(values)
        return cls.model_validate({name: value for name, value in found.items() if name in names})

    @field_validator("watchdog_warn_days", mode="before")
    @classmethod
    def _split_days(cls, value: object) -> object:
        if isinstance(value, str):
            days = tuple(sorted({int(part) for part in value.split(",") if part.strip()}, reverse=True))
            if not days or min(days) < 0:
                raise ValueError("WATCHDOG_WARN_DAYS is a list of days like 14,7,0")
            return days
        return value

    @field_validator("bot_token")
    @classmethod
    def _token_looks_like_one(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        token = value.get_secret_value().strip()
        # A token is "<bot id>:<secret>"; catching a pasted placeholder here beats a 401 later.
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("BOT_TOKEN must look like 123456789:AA... (the token @BotFather gave you)")
        return SecretStr(token)

    @field_validator("webhook_url", "redis_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        # Telegram posts only to HTTPS; plain HTTP is for a local Bot API server or the tests' stand-in.
        local = parts.hostname in {"127.0.0.1", "localhost", "::1"}
        if parts.scheme != "https" and not (parts.scheme == "http" and local):
            raise ValueError("WEBHOOK_URL must be the bot's public https:// address, e.g. https://bot.example.kg/tg")
        return value.strip()

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        secret = value.get_secret_value().strip()
        # https://core.telegram.org/bots/api#setwebhook: 1-256 characters A-Z, a-z, 0-9, _ and -
        if len(secret) > 256 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in secret):
            raise ValueError("WEBHOOK_SECRET may hold only letters, digits, _ and - (at most 256)")
        return SecretStr(secret)

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("REDIS_URL must look like redis://127.0.0.1:6379/0")
        return value

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError(
                "WEBHOOK_SECRET is required with WEBHOOK_URL (letters and digits, e.g. from `openssl rand -hex 32`)"
            )
        return self

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(";", ",").split(",") if part.strip())
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}; use a name like Asia/Bishkek") from error
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"DEFAULT_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def token(self) -> str:
        """BOT_TOKEN's value: running the bot needs it (`python -m bot` refuses to start without one)."""
        if self.bot_token is None:
            raise ValueError("BOT_TOKEN is not set")
        return self.bot_token.get_secret_value()

    @property
    def webhook(self) -> Webhook | None:
        """Webhook mode's URL and secret (the validator above lets no URL come without one); None: polling."""
        if self.webhook_url is None or self.webhook_secret is None:
            return None
        return Webhook(self.webhook_url, self.webhook_secret)

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.webhook_url or "").path or "/"

    @property
    def on_postgresql(self) -> bool:
        return self.database_url.startswith("postgresql")

    def sqlite_path(self) -> Path | None:
        """The file behind a SQLite URL, so its directory can be created before the engine opens it."""
        prefix = "sqlite+aiosqlite:///"
        if self.database_url.startswith(prefix):
            path = self.database_url[len(prefix) :]
            if path and path != ":memory:":
                return Path(path)
        return None
