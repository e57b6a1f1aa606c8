"""Kenesh: a Telegram bot that runs a school's methodical council (методикалык кеңеш)."""
