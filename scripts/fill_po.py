"""Fill msgstrs of locales/{ky,ru} from a JSON of {msgid: {"ky": ..., "ru": ...}} (plurals: lists).

Used when new texts are added: `pybabel update`, then write their translations into a JSON and run this.
Existing translations are kept unless the JSON gives a new one.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def main(source: str) -> None:
    translations = json.loads(Path(source).read_text(encoding="utf-8"))
    for locale in ("ky", "ru"):
        path = ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as f:
            catalog = read_po(f, locale=locale)
        for message in catalog:
            if not message.id:
                continue
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if locale in translations.get(key, {}):
                value = translations[key][locale]
                message.string = tuple(value) if isinstance(value, list) else value
                message.flags.discard("fuzzy")
        with path.open("wb") as f:
            write_po(f, catalog, width=100, omit_header=False, sort_output=True, include_lineno=False)


if __name__ == "__main__":
    main(sys.argv[1])
