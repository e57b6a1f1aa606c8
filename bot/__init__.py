"""Kenesh: a Telegram bot that runs a school's methodical council (методикалык кеңеш)."""

# The release, in one place: pyproject.toml reads it, `kenesh --version`, the start-up line and /metrics say
# it. A release moves it and gives CHANGELOG.md its section (README "Upgrading").
__version__ = "0.2.0"
