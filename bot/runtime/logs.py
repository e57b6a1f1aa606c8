"""Logging for the whole process: one handler on the root logger, text or JSON lines, never the bot token.

- LOG_FORMAT=text (the default): `time LEVEL logger: message`, then the Telegram ids the line is about.
- LOG_FORMAT=json: one JSON object per line with time (UTC, ISO 8601), level, logger, message, and
  update_id, council_id, user_id where known (bot/log_context.py), the traceback under "exception".
Telegram ids may appear; names, typed texts and file contents may not at INFO or above (SETTLED).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING
from urllib.parse import quote

from bot import log_context

if TYPE_CHECKING:
    from bot.config import Settings

FORMATS = ("text", "json")


class RedactToken(logging.Filter):
    """Keeps the bot token out of every log line: a Bot API URL carries it (`/bot<TOKEN>/`, `/file/bot<TOKEN>/`),
    and aiohttp's errors quote the URL, in the message, its arguments or the exception's text."""

    def __init__(self, token: str) -> None:
        super().__init__()
        secret = token.partition(":")[2]
        forms = {token, quote(token, safe=""), quote(token), secret, quote(secret, safe="")}
        self.forms = sorted((form for form in forms if len(form) >= 8), key=len, reverse=True)

    def redact(self, text: str) -> str:
        for form in self.forms:
            text = text.replace(form, "<BOT_TOKEN>")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logged as it is, never lost
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class TelegramIds(logging.Filter):
    """Puts the ids of the update (or job) being handled on the record, where the formatters find them.
    A record that already carries one (`extra={"council_id": ...}`) keeps its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in log_context.current().items():
            if getattr(record, name, None) is None:
                setattr(record, name, value)
        return True


def _ids(record: logging.LogRecord) -> dict[str, int]:
    return {name: value for name in log_context.FIELDS if (value := getattr(record, name, None)) is not None}


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = _ids(record)
        if not ids:
            return line
        first, newline, rest = line.partition("\n")  # the ids on the message's line, before a traceback
        return first + " [" + " ".join(f"{name}={value}" for name, value in ids.items()) + "]" + newline + rest


class JsonFormatter(logging.Formatter):
    """One JSON object per line: a log collector (journald, Loki, Elasticsearch) reads it without a pattern."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_ids(record),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup_logging(settings: Settings, stream: IO[str] | None = None) -> logging.Handler:
    """One handler on the root logger, at LOG_LEVEL, in LOG_FORMAT, that never writes the bot token."""
    handler = logging.StreamHandler(stream or sys.stdout)
    log_format = getattr(settings, "log_format", "text")
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    if settings.bot_token is not None:
        handler.addFilter(RedactToken(settings.bot_token.get_secret_value()))
    handler.addFilter(TelegramIds())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    # aiohttp logs request URLs at DEBUG, and a Bot API URL carries the token: keep it quiet.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # matplotlib (the /report chart) logs its font cache and, without a writable MPLCONFIGDIR, a warning
    # per process; the shipped unit and image give it a cache directory, and its INFO lines are noise here.
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    return handler
