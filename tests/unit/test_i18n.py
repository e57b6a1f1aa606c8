"""The gettext layer (aiogram's, through bot/i18n.py): what a member reads is in their language, including
texts defined at import (lazy_gettext), plural forms, and button filters that compare with a translated label."""

from __future__ import annotations

import contextvars

import pytest
from aiogram import F

from bot.i18n import create_i18n, gettext, lazy_gettext

CLOSED = lazy_gettext("The vote is closed.")  # as operations define their refusals, at import


@pytest.fixture
def i18n():
    i18n = create_i18n("ky")
    with i18n.context():
        yield i18n


def test_a_text_defined_at_import_is_read_in_the_language_of_the_moment(i18n):
    with i18n.use_locale("ky"):
        assert str(CLOSED) == "Добуш берүү жабылган."
    with i18n.use_locale("ru"):
        assert str(CLOSED) == "Голосование закрыто." and CLOSED == "Голосование закрыто."


def test_format_and_plural_forms(i18n):
    with i18n.use_locale("ru"):
        days = [gettext("{count} day", "{count} days", n).format(count=n) for n in (1, 2, 5, 21)]
        assert days == ["1 день", "2 дня", "5 дней", "21 день"]
        assert lazy_gettext("{count} day", "{count} days", 3).format(count=3) == "3 дня"


def test_a_button_filter_matches_the_label_in_the_readers_language(i18n):
    class Message:
        text = "Голосование закрыто."

    rule = F.text == CLOSED
    with i18n.use_locale("ru"):
        assert rule.resolve(Message())
    with i18n.use_locale("ky"):
        assert not rule.resolve(Message())


def test_a_language_without_a_catalog_reads_the_source_text(i18n):
    assert sorted(i18n.available_locales) == ["ky", "ru"]
    with i18n.use_locale("en"):
        assert str(CLOSED) == "The vote is closed."
        assert gettext("{count} day", "{count} days", 2) == "{count} days"


def test_gettext_outside_an_update_or_job_says_so():
    with pytest.raises(LookupError):
        contextvars.Context().run(gettext, "The vote is closed.")  # no middleware, no job has set a locale
