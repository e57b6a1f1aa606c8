"""What a person supplies, made safe at the entrance: the one door for every text the bot may keep.

Telegram passes through characters that break what the bot makes later: a control character (U+000B, U+0000,
U+0085) or a noncharacter (U+FFFE, U+FFFF) makes the protocol's .docx invalid XML, so /close would fail every
time, and a lone surrogate cannot be encoded at all. Text is also normalised to NFC, so a name typed with
combining marks (и + U+0306) is the same name as one typed with the composed letter (й).

Every update passes `clean_update` before any filter or handler sees it (bot/runtime/middlewares.py): a
message's text and caption, a document's file name, the names of the person who sent it and the title of
the group it came from. The operations clean one-line fields once more with `clean_text`. Pure.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, TypeVar

from aiogram.types import CallbackQuery, Chat, ChatMemberUpdated, Document, Message, TelegramObject, Update, User

# XML 1.0 allows tab, LF and CR among the C0 controls; CR is dropped too (\r\n becomes \n). DEL and the C1
# controls go as well (NEL, U+0085, is a line break: it becomes one), and so do the noncharacters, which
# never belong in text that is exchanged: U+FDD0..U+FDEF and the last two code points of every plane.
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17)
)
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff{_NONCHARACTERS}]")
_LINE_BREAKS = re.compile(r"[\t\n\u2028\u2029\x85]+")
_MULTILINE_BREAKS = re.compile("[\u2028\u2029\x85]")
# Anything the door would change besides NFC: most updates carry none, and go through untouched (the vote press).
_SUSPECT = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff{_NONCHARACTERS}]")


def clean_text(text: str | None, *, multiline: bool = False) -> str:
    """NFC, without control or XML-invalid characters; one line unless `multiline` (then \\n and \\t stay)."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _MULTILINE_BREAKS.sub("\n", text) if multiline else _LINE_BREAKS.sub(" ", text)
    return unicodedata.normalize("NFC", xml_safe(text))


def xml_safe(text: str) -> str:
    """The door's character rule alone: without the characters XML 1.0 forbids (the control characters but
    tab and LF; CR goes too), DEL and the C1 controls, the noncharacters and lone surrogates, and nothing else
    changed. clean_text applies it to what comes in; the document writer (bot/ui/documents.py) to all it
    writes, older rows too."""
    return _CONTROL.sub("", text)


def clean_file_name(name: str | None) -> str:
    """A file's name as a person's device named it, on one line. A slash stays: the name is only shown, never
    a path (the archive stores files under their hash)."""
    return clean_text(name).strip()


# --- the door of every update ------------------------------------------------------------------------------

# By the type of each object in an update: its fields a person wrote (True: multiline, False: one line, None:
# a file's name), and the objects inside it that may carry more. The message under a pressed button is the
# bot's own: it is not read for anything stored.
_FIELDS: dict[type, tuple[dict[str, bool | None], tuple[str, ...]]] = {
    Update: ({}, ("message", "edited_message", "callback_query", "my_chat_member", "chat_member")),
    Message: ({"text": True, "caption": True}, ("from_user", "chat", "document", "reply_to_message")),
    CallbackQuery: ({}, ("from_user",)),
    ChatMemberUpdated: ({}, ("from_user", "chat")),
    User: ({"first_name": False, "last_name": False}, ()),
    Chat: ({"title": False, "first_name": False, "last_name": False}, ()),
    Document: ({"file_name": None}, ()),
}

T = TypeVar("T", bound=TelegramObject)


def _needs_cleaning(value: str) -> bool:
    return _SUSPECT.search(value) is not None or not unicodedata.is_normalized("NFC", value)


def _cleaned(obj: T) -> T:
    spec = _FIELDS.get(type(obj))
    if spec is None:
        return obj
    fields, inner = spec
    changes: dict[str, Any] = {}
    for name, multiline in fields.items():
        value = getattr(obj, name)
        if isinstance(value, str) and _needs_cleaning(value):
            if multiline is None:
                cleaned = clean_file_name(value) or "file"
            else:
                cleaned = clean_text(value, multiline=multiline)
            if cleaned != value:
                changes[name] = cleaned
    for name in inner:
        value = getattr(obj, name)
        if value is not None:
            cleaned_inner = _cleaned(value)
            if cleaned_inner is not value:
                changes[name] = cleaned_inner
    return obj.model_copy(update=changes) if changes else obj


def clean_update(update: Update) -> Update:
    """The update as handlers see it: every text a person supplied in it (message text and caption, a file's
    name, first and last names, a group's title) through `clean_text`. The same object when nothing changes."""
    return _cleaned(update)
