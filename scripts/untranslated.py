"""Print every msgid that has no translation in ky or ru (what `make extract` left to translate)."""

import json
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
missing = {}
for locale in ("ky", "ru"):
    with (ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        for message in read_po(f, locale=locale):
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.id and (not all(strings) or message.fuzzy):
                key = message.id[0] if isinstance(message.id, tuple) else message.id
                missing.setdefault(key, []).append(locale)
print(json.dumps(missing, ensure_ascii=False, indent=1))
