"""How Kenesh reads its settings (pydantic-settings: the environment first, then `.env`), and DATABASE_URL.

bot.config.Settings reads every setting with SETTINGS_SOURCES; Alembic's command line (db/migrations/env.py)
needs only the database, and reads it here the same way. db/ imports nothing of bot/, so this lives here.
https://docs.pydantic.dev/latest/concepts/pydantic_settings/
"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from db.engine import DEFAULT_DATABASE_URL

# Names are case-insensitive (DATABASE_URL or database_url); `.env` is read from the working directory, and
# what the environment sets wins over it; names that are no setting are left alone.
SETTINGS_SOURCES = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")


class DatabaseSettings(BaseSettings):
    model_config = SETTINGS_SOURCES

    database_url: str = DEFAULT_DATABASE_URL


def database_url(env_file: str | Path | None = ".env") -> str:
    """DATABASE_URL as `python -m bot` reads it: the environment, else `env_file`, else the default."""
    return DatabaseSettings(_env_file=env_file).database_url
