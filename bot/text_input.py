"""What a person types, made safe at the entrance: one function for every text the bot keeps.

Telegram passes through characters that break what the bot makes later: a control character (U+000B, U+0000)
or a noncharacter (U+FFFE, U+FFFF) makes the protocol's .docx invalid XML, so /close would fail every time,
and a lone surrogate cannot be encoded at all. Text is also normalised to NFC, so a name typed with combining
marks (и + U+0306) is the same name as one typed with the composed letter (й). Pure.
"""

from __future__ import annotations

import re
import unicodedata

# XML 1.0 allows tab, LF and CR among the C0 controls; CR is dropped too (\r\n becomes \n).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"[\t\n\u2028\u2029\x85]+")


def clean_text(text: str | None, *, multiline: bool = False) -> str:
    """NFC, without control or XML-invalid characters; one line unless `multiline` (then \\n and \\t stay)."""
    if not text:
        return ""
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = xml_safe(text)
    text = unicodedata.normalize("NFC", text)
    if not multiline:
        text = _LINE_BREAKS.sub(" ", text.replace("\r", " "))
    return text


def xml_safe(text: str) -> str:
    """The door's character rule alone: without the characters XML 1.0 forbids (the control characters but
    tab and LF; CR goes too), U+FFFE, U+FFFF and lone surrogates, and nothing else changed. clean_text applies
    it to what comes in; the document writer (bot/ui/documents.py) to all it writes, older rows too."""
    return _CONTROL.sub("", text)
