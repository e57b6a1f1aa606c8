"""The regulation as shipped with the bot: the school's Kyrgyz original and our faithful Russian version.

regulation/ky.txt is the school's document as the school wrote it, its typos too (".41." for 4.1, ".1." for
6.1, ".7." for 7.7, "2 .2.", "::"): it is what members confirm, and its version is the version of the
original (SETTLED.md, "The regulation's confirmation"). Do not correct it here; a new text from the school
replaces it whole.
regulation/ru.txt is our translation and may be corrected (language review 2026-12-06, R29) without asking
anyone to confirm again."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from bot.ui.render import esc, split_blocks

TEXTS = Path(__file__).parent / "regulation"
_SECTION = re.compile(r"^\s*\d+\s*\.\s*[^\d\s.]")  # "1. Жалпы жоболор", "4.Методикалык ..."


@cache
def regulation_text(locale: str) -> str:
    return (TEXTS / f"{'ru' if locale == 'ru' else 'ky'}.txt").read_text(encoding="utf-8")


@cache
def regulation_version() -> str:
    """The edition a person confirms: a digest of the Kyrgyz original, the school's own document. Fixing our
    Russian translation asks no one again; a change to the original's words does. Spacing and line breaks
    are not words: re-wrapping the file changes nothing."""
    words = " ".join(regulation_text("ky").split())
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:12]


@cache
def regulation_messages(locale: str) -> tuple[str, ...]:
    """The regulation as HTML messages, each under Telegram's limit, cut only between paragraphs."""
    lines = [line for line in regulation_text(locale).splitlines() if line.strip()]
    blocks = [f"<b>{esc(lines[0])}</b>"]
    for line in lines[1:]:
        blocks.append(f"\n<b>{esc(line)}</b>" if _SECTION.match(line) else esc(line))
    return tuple(split_blocks(blocks))
