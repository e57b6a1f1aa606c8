"""Domain errors: each carries the sentence the user sees, rendered in their language when handled."""

from __future__ import annotations

from typing import Any


class KeneshError(Exception):
    """Something the user asked for cannot be done; nothing was changed.

    `message` is a lazy gettext string (`__("...")`), formatted with `params` in the reader's locale.
    """

    def __init__(self, message: Any, **params: Any) -> None:
        super().__init__(str(message))
        self.message = message
        self.params = params

    def render(self) -> str:
        return str(self.message).format(**self.params)
