"""Every text a user sees exists in Kyrgyz and Russian, with the same placeholders and the right plurals."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
TAG = re.compile(r"</?[a-z]+>")


def catalog(locale):
    with (ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_every_message_is_translated_with_the_same_placeholders_and_tags(locale):
    problems = []
    for message in catalog(locale):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        for string in strings:
            if sorted(PLACEHOLDER.findall(string)) != sorted(PLACEHOLDER.findall(ids[-1])):
                problems.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
            if sorted(TAG.findall(string)) != sorted(TAG.findall(ids[0])):
                problems.append(f"tags differ: {ids[0]!r} -> {string!r}")
    assert problems == []


def test_plural_forms_russian_has_three_kyrgyz_two():
    ru, ky = catalog("ru"), catalog("ky")
    assert ru.num_plurals == 3 and ky.num_plurals == 2
    for message in ru:
        if isinstance(message.id, tuple):
            assert len(message.string) == 3 and all(message.string)


def test_the_template_has_every_text_in_the_code(tmp_path):
    """`make extract` was run after the last text was added: the .pot lists all msgids in the code."""
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [
            pybabel,
            "extract",
            "-k",
            "_:1,1t",
            "-k",
            "_:1,2",
            "-k",
            "__",
            "--no-location",
            "-o",
            tmp_path / "fresh.pot",
            "bot",
            "handlers",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    fresh = (tmp_path / "fresh.pot").read_text()
    in_code = set(re.findall(r'^msgid "(.+)"$', fresh, re.M))
    committed = set(re.findall(r'^msgid "(.+)"$', (ROOT / "locales" / "messages.pot").read_text(), re.M))
    assert in_code - committed == set()


def test_russian_plural_picks_the_right_form():
    from bot.i18n import I18n, create_i18n

    i18n = create_i18n("ky")
    with i18n.context(), i18n.use_locale("ru"):
        forms = [
            I18n.get_current().gettext("{count} member with a vote", "{count} members with a vote", n).format(count=n)
            for n in (1, 3, 5, 21, 11)
        ]
    assert forms == [
        "1 член совета с правом голоса",
        "3 члена совета с правом голоса",
        "5 членов совета с правом голоса",
        "21 член совета с правом голоса",
        "11 членов совета с правом голоса",
    ]
