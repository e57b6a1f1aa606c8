"""Every kind of button has its own prefix: two kinds sharing one would send a press to the wrong handler."""

from __future__ import annotations

from collections import Counter

from aiogram.filters.callback_data import CallbackData

from bot.ui import callbacks


def test_each_kind_of_button_has_its_own_prefix() -> None:
    kinds = [
        value
        for value in vars(callbacks).values()
        if isinstance(value, type) and issubclass(value, CallbackData) and value is not CallbackData
    ]
    prefixes = Counter(kind.__prefix__ for kind in kinds)
    assert len(kinds) > 20
    assert [prefix for prefix, count in prefixes.items() if count > 1] == []
