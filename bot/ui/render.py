"""Pure helpers for Telegram HTML: escaping and splitting under the 4096-character message limit."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape

MESSAGE_LIMIT = 4096


def esc(text: object) -> str:
    """Escape anything a user typed (or Telegram reported) before it goes into an HTML message."""
    return escape(str(text), quote=False)


# The words that name a methodical council, in either language, as a group's title may already hold them:
# "5-мектептин методикалык кеңеши", "Методический совет лицея №61", "МК «Өнүгүү»".
_COUNCIL_WORDS = re.compile(r"(?i:методикалык\s+кеңеш\w*|методическ\w*\s+совет\w*|методсовет\w*)|\b(?:МК|МС)\b")
# A Kyrgyz genitive left before the removed words ("5-мектептин" of "5-мектептин методикалык кеңеши").
_GENITIVE = re.compile(r"(?<=\w)(?:[тдн][ыиуү]н)$")
_EDGES = " \t-–—:;,.«»\"'()„“”"


def council_name(title: str) -> str:
    """The name texts put in «…» beside the words "methodical council": the council's title (by default its
    group's) without those words when it already holds them, so no text says the council twice
    ("«5-мектептин методикалык кеңеши» методикалык кеңешинин ..."). A title that is nothing but those words
    stays as it is. Quotes inside the name become „…“, as it is put in «…»."""
    match = _COUNCIL_WORDS.search(title)
    if match is None:
        return title.replace("«", "„").replace("»", "“")
    before = title[: match.start()].strip(_EDGES)
    after = title[match.end() :].strip(_EDGES)
    if before and not after:
        before = _GENITIVE.sub("", before).strip(_EDGES) or before
    name = " ".join(part for part in (before, after) if part) or title
    return name.replace("«", "„").replace("»", "“")  # it is put in «…»: quotes inside become „…“


def short_label(text: str, limit: int = 60) -> str:
    """A button's label within `limit` characters: cut at the last whole word, with "…", never mid-word (a
    single word longer than the limit is cut where it must be)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if text[limit - 1] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,.;:-–—«") + "…"


def tg_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts two)."""
    return len(text.encode("utf-16-le")) // 2


def split_blocks(blocks: Iterable[str], limit: int = MESSAGE_LIMIT, sep: str = "\n") -> list[str]:
    """Pack whole blocks into messages of at most `limit` characters.

    Each block is complete HTML (every tag opened in it is closed in it), so a cut between blocks never
    falls inside a tag. A block that alone is too long is cut at spaces; such blocks must be plain text.
    """
    parts: list[str] = []
    current = ""
    for block in blocks:
        for piece in _fit(block, limit):
            candidate = f"{current}{sep}{piece}" if current else piece
            if tg_len(candidate) <= limit:
                current = candidate
            else:
                parts.append(current)
                current = piece
    if current:
        parts.append(current)
    return [part.strip("\n") for part in parts]


def _fit(block: str, limit: int) -> list[str]:
    if tg_len(block) <= limit:
        return [block]
    pieces, current = [], ""
    for word in block.split(" "):
        while tg_len(word) > limit:  # no space to cut at: cut the word itself
            head, word = word[: limit // 2], word[limit // 2 :]
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
        candidate = f"{current} {word}" if current else word
        if tg_len(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = word
    if current:
        pieces.append(current)
    return pieces


def split_lines(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """A post cut at line boundaries into messages under the limit (the first one is the one to pin).

    For texts whose HTML tags open and close on one line, as every post the bot builds does."""
    if tg_len(text) <= limit:
        return [text]
    return split_blocks(text.split("\n"), limit)
