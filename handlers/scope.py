"""Where an update came from, said once for every router: the chat of a command, its sender, the message under a
pressed button; and the two filters every router would otherwise spell out (PRIVATE, TYPED).

Telegram's types leave these fields optional because some kind of update somewhere lacks them; the routers
here never see those kinds, so the accessors below state why a value is present, and what the user is told
when it really is not.
"""

from aiogram import Bot, F
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, MaybeInaccessibleMessageUnion, Message, User

from bot.errors import KeneshError
from bot.ui import common as ui_common

# A message in a person's own chat with the bot. Most routers are scoped to it once, by their parent in
# handlers.get_routers(); a router that also serves the group (/agenda, /year) says it per handler.
PRIVATE = F.chat.type == ChatType.PRIVATE

# Text a person typed, not a command: a step waiting for an answer lets /cancel and every other command through
# to its own handler.
TYPED = F.text & ~F.text.startswith("/")


def group_id(message: Message) -> int | None:
    """The group's chat id, or None for the private chat (the operation then finds the user's own council)."""
    return None if message.chat.type == ChatType.PRIVATE else message.chat.id


async def bot_username(bot: Bot) -> str:
    """The bot's @username, for t.me links. Every bot has one (BotFather asks for it first); the User type
    leaves it optional because people may have none. getMe is asked once, then aiogram keeps the answer."""
    me = await bot.me()
    if me.username is None:
        raise ValueError(f"getMe returned bot {me.id} without a username")
    return me.username


def sender(message: Message) -> User:
    """Who sent the message. Telegram leaves `from` out only for messages in channels
    (https://core.telegram.org/bots/api#message); those come as `channel_post` updates, which no router
    handles. An anonymous group administrator comes with a stand-in user, and `/setup` checks `sender_chat`."""
    if message.from_user is None:
        raise ValueError(f"Message {message.message_id} in chat {message.chat.id} has no sender")
    return message.from_user


def text_of(message: Message) -> str:
    """The text of a message that a handler's `F.text` filter let through."""
    if message.text is None:
        raise ValueError(f"Message {message.message_id} has no text: its handler is missing an F.text filter")
    return message.text


def chat_of(call: CallbackQuery) -> MaybeInaccessibleMessageUnion:
    """The message under the pressed button, to answer in its chat (`chat_of(call).answer(...)`).

    A message too old or deleted comes as an InaccessibleMessage, which still knows its chat, so the answer
    goes out as before. Only a message sent via inline mode comes without one, and Kenesh has no inline mode:
    such a press is forged or stale, and is answered so."""
    if call.message is None:
        raise KeneshError(ui_common.BUTTON_OUT_OF_DATE)
    return call.message


def message_of(call: CallbackQuery) -> Message:
    """The message under the pressed button, to read it: refused, as out of date, when Telegram no longer
    gives its content (https://core.telegram.org/bots/api#inaccessiblemessage). To edit it, pass `call.message`
    to `bot.ops.notices.edit_message`, which leaves such a message alone."""
    if not isinstance(call.message, Message):
        raise KeneshError(ui_common.BUTTON_OUT_OF_DATE)
    return call.message
