"""Where a command was sent: shared by the routers that accept commands both in private and in the group."""

from aiogram.enums import ChatType
from aiogram.types import Message


def group_id(message: Message) -> int | None:
    """The group's chat id, or None for the private chat (the operation then finds the user's own council)."""
    return None if message.chat.type == ChatType.PRIVATE else message.chat.id
