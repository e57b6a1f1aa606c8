"""The Telegram ids a log line may carry (SETTLED: ids yes; names, typed texts and file contents no).

Set by the update middleware (`update_id`, `user_id`) and by whoever learns the council (`council_id`, in
bot/ops/access.py); read by the log formatter (bot/runtime/logs.py). Context variables, so each update's task
sees its own ids and a scheduled job sees none. Pure: nothing here imports the rest of the bot.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

FIELDS = ("update_id", "council_id", "user_id")

_ids: ContextVar[dict[str, int] | None] = ContextVar("kenesh_log_ids", default=None)


def current() -> dict[str, int]:
    """The ids known in this context (a copy), e.g. {"update_id": 7, "user_id": 10}."""
    return dict(_ids.get() or {})


def bind(**ids: int | None) -> None:
    """Add ids to this context's log lines (None values are skipped); lasts until the context ends."""
    known = {name: value for name, value in ids.items() if value is not None and name in FIELDS}
    if known:
        _ids.set({**(_ids.get() or {}), **known})


@contextmanager
def scope(**ids: int | None) -> Iterator[None]:
    """These ids for the log lines inside the block, and none of them after it."""
    token = _ids.set({name: value for name, value in ids.items() if value is not None and name in FIELDS})
    try:
        yield
    finally:
        _ids.reset(token)
