"""GLOSSARY.md kept by the code: every msgstr of the catalogs, not only the command menus, uses one word for
one thing (language review of 2026-12-06, T1, T4 and K39):

- "буйрук" is only the director's order: a Kyrgyz text may say it only where its Russian says "приказ"
  (a bot command is "команда");
- "токтом" is only the protocol's formula "Токтом кылынды" (постановили); the council's decision is "чечим";
- a Kyrgyz school year takes the ordinal hyphen: "2026-2027-окуу жылы", "{year}-окуу жылында".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]

ORDER_KY = re.compile(r"буйру[кг]", re.I)  # буйрук, буйругу, буйруктун, буйрукту …
ORDER_RU = re.compile(r"приказ", re.I)
DECISION_KY = re.compile(r"токтом\w*", re.I)
FORMULA = "Токтом кылынды"
YEAR_WITHOUT_HYPHEN = re.compile(r"(?:\d{4}\s*[-–]\s*\d{4}|\{year\})\s+окуу\b", re.I)


@dataclass(frozen=True)
class Entry:
    msgid: str
    ky: tuple[str, ...]
    ru: tuple[str, ...]


def catalog_entries(locales: Path) -> list[Entry]:
    """Every message of the Kyrgyz catalog beside its Russian, all plural forms included."""

    def read(locale: str) -> dict[str, tuple[str, ...]]:
        with (locales / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
            catalog = read_po(f, locale=locale)
        return {
            (m.id[0] if isinstance(m.id, tuple) else m.id): (m.string if isinstance(m.string, tuple) else (m.string,))
            for m in catalog
            if m.id
        }

    ky, ru = read("ky"), read("ru")
    return [Entry(msgid, strings, ru.get(msgid, ())) for msgid, strings in ky.items()]


def glossary_slips(entries: list[Entry]) -> list[str]:
    slips = []
    for entry in entries:
        for text in entry.ky:
            if ORDER_KY.search(text) and not any(ORDER_RU.search(ru) for ru in entry.ru):
                slips.append(f'"буйрук" that is not the director\'s order (say "команда"): {entry.msgid!r} -> {text!r}')
            for match in DECISION_KY.finditer(text):
                if not text.startswith(FORMULA, match.start()):
                    slips.append(f'"{match.group()}" outside "{FORMULA}" (say "чечим"): {entry.msgid!r} -> {text!r}')
            if YEAR_WITHOUT_HYPHEN.search(text):
                slips.append(f'a school year without its hyphen ("2026-2027-окуу жылы"): {entry.msgid!r} -> {text!r}')
    return slips


def test_every_msgstr_keeps_the_glossary():
    entries = catalog_entries(ROOT / "locales")
    assert len(entries) > 500
    assert glossary_slips(entries) == []


def _write_catalogs(locales: Path, messages: list[tuple[str, str, str]]) -> None:
    for index, locale in enumerate(("ky", "ru")):
        catalog = Catalog(locale=locale)
        for msgid, *strings in messages:
            catalog.add(msgid, strings[index])
        path = locales / locale / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True)
        with path.open("wb") as f:
            write_po(f, catalog)


def test_the_check_catches_a_planted_slip_in_a_synthetic_catalog(tmp_path):
    """The same reading of the same files catches each slip (planted in a catalog of its own, never in the
    real one) and lets the right forms pass."""
    right = [
        ("Decided: {text}", "Токтом кылынды: {text}", "Постановили: {text}"),
        ("Order number", "Буйруктун номери", "Номер приказа"),
        ("The {year} school year", "{year}-окуу жылы", "{year} учебный год"),
        ("Send the command again.", "Команданы кайра жөнөтүңүз.", "Отправьте команду ещё раз."),
    ]
    _write_catalogs(tmp_path / "right", right)
    assert glossary_slips(catalog_entries(tmp_path / "right")) == []

    planted = {
        "command": ("Send /open again.", "/open буйругун кайра жөнөтүңүз.", "Отправьте /open ещё раз."),
        "decision": ("This decision no longer exists.", "Бул токтом эми жок.", "Этого решения больше нет."),
        "year": (
            "Protocols of the {year} school year",
            "{year} окуу жылынын протоколдору",
            "Протоколы {year} учебного года",
        ),
        "year rendered": ("In 2026-2027", "2026-2027 окуу жылында", "В 2026-2027 учебном году"),
    }
    for name, message in planted.items():
        _write_catalogs(tmp_path / name, [*right, message])
        slips = glossary_slips(catalog_entries(tmp_path / name))
        assert len(slips) == 1 and repr(message[0]) in slips[0], (name, slips)
