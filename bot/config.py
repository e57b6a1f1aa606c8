"""Settings from the environment and `.env` (pydantic-settings). Built in main() (`Settings.load()`), never at
import.

The first place that names a setting wins: the values given to the class, the environment, then the `.env`
file (db.settings.SETTINGS_SOURCES, which Alembic's command line reads DATABASE_URL with too). Names are the
upper-case ones of `.env.example`, in any case. One flat field per setting: the names in `.env` stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode

from db.engine import DEFAULT_DATABASE_URL
from db.settings import SETTINGS_SOURCES

SUPPORTED_LOCALES = ("ky", "ru")


@dataclass(frozen=True)
class Webhook:
    """Webhook mode: the public URL Telegram posts updates to, and the secret it sends with each of them."""

    url: str
    secret: SecretStr


class Settings(BaseSettings):
    model_config = SETTINGS_SOURCES

    bot_token: SecretStr | None = None  # required to run the bot; `watchdog --dry-run` does without
    # May carry a password: kept out of the settings' repr (and so out of any log line that prints them).
    database_url: str = Field(default=DEFAULT_DATABASE_URL, repr=False)
    telegram_api_url: str | None = None
    timezone: str = "Asia/Bishkek"
    default_locale: str = "ky"
    # Comma-separated Telegram ids allowed to set up a council in any group.
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)  # NoDecode: not JSON
    log_level: str = "INFO"
    # cl. 7.4 watchdog: warn when this many days (or fewer) are left to announce a meeting with 7 days'
    # notice in a trimester that has none; and the hour (council time) of the daily check.
    watchdog_warn_days: Annotated[tuple[int, ...], NoDecode] = (14, 7, 0)
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
    redis_url: str | None = Field(default=None, repr=False)  # may carry a password
    redis_prefix: str = "kenesh"
    # The operator's view (bot/web/server.py, bot/runtime/logs.py): log lines as text or one JSON object each;
    # /metrics wants this bearer token when it is set; /healthz fails when the oldest unsent post is older.
    log_format: Literal["text", "json"] = "text"
    metrics_token: SecretStr | None = None
    outbox_stale_seconds: int = Field(default=1800, ge=60)
    # Secrets from files (Docker secrets, systemd credentials): read at start instead of BOT_TOKEN/WEBHOOK_SECRET.
    bot_token_file: Path | None = None
    webhook_secret_file: Path | None = None

    @model_validator(mode="before")
    @classmethod
    def _secrets_from_files(cls, values: object) -> object:
        """BOT_TOKEN_FILE / WEBHOOK_SECRET_FILE: the secret is the file's content (one line, surrounding
        whitespace dropped). Naming a secret both ways is refused: which one wins would be a guess."""
        if not isinstance(values, dict):
            return values
        for name in ("bot_token", "webhook_secret"):
            path = values.get(f"{name}_file")
            if path in (None, ""):
                continue
            if str(values.get(name) or "").strip():
                raise ValueError(f"set {name.upper()} or {name.upper()}_FILE, not both")
            try:
                values = {**values, name: Path(str(path)).read_text(encoding="utf-8").strip()}
            except OSError as error:
                raise ValueError(f"{name.upper()}_FILE: cannot read {path} ({error.strerror})") from None
        return values

    # The Mini App (the council's year in a page inside Telegram): its public https:// address, which the TLS
    # proxy passes to WEB_HOST:WEB_PORT (its path is where the page is served). Empty: no Mini App. The page's
    # init data is refused once older than MINIAPP_MAX_AGE seconds.
    miniapp_url: str | None = None
    miniapp_max_age: int = Field(default=3600, ge=60, le=7 * 24 * 3600)

    @classmethod
    def load(cls, env_file: str | Path | None = ".env", **values: Any) -> Settings:
        """The settings from `values`, else the environment, else `env_file` (skipped when None or absent).

        Raises pydantic's ValidationError naming each wrong setting (`python -m bot` prints them and stops)."""
        return cls(_env_file=env_file, **values)

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

    @field_validator(
        "webhook_url",
        "redis_url",
        "metrics_token",
        "bot_token_file",
        "webhook_secret_file",
        "miniapp_url",
        mode="before",
    )
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

    @field_validator("miniapp_url")
    @classmethod
    def _miniapp_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        # Telegram opens only https:// pages (https://core.telegram.org/bots/webapps); http on loopback is for tests.
        local = parts.hostname in {"127.0.0.1", "localhost", "::1"}
        secure = parts.scheme == "https" or (parts.scheme == "http" and local)
        if not secure or not parts.hostname or parts.query or parts.fragment:
            raise ValueError(
                "MINIAPP_URL must be the Mini App's public https:// address, e.g. https://bot.example.kg/app/"
            )
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

    @field_validator("log_format", mode="before")
    @classmethod
    def _log_format(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

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
    def miniapp_path(self) -> str:
        """Where the Mini App is served (MINIAPP_URL's path, ending in /): its page, its files and its API."""
        return urlsplit(self.miniapp_url or "").path.rstrip("/") + "/"

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
