"""/log rendering: every action has words in both languages, and a page of the longest entries fits a message."""

from datetime import UTC, datetime

import pytest

from bot.domain import AuditLine, LogPage
from bot.i18n import create_i18n
from bot.ui.audit import log_text
from bot.ui.labels import audit_action_label
from db.models import AuditAction, AuditEntry, AuditObject, Council
from tests.botapi import parse_html, utf16_len
from tests.conftest import BISHKEK

AT = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_every_action_has_its_own_words(locale):
    with create_i18n("ky").context() as i18n, i18n.use_locale(locale):
        labels = [audit_action_label(action) for action in AuditAction]
    assert all(labels) and len(set(labels)) == len(labels)


def test_a_page_of_the_longest_entries_fits_one_message():
    council = Council(id=1, title="Т" * 255)
    lines = [
        AuditLine(
            AuditEntry(
                at=AT,
                actor_id=10,
                actor_name="Я" * 128,
                action=AuditAction.MATERIAL_APPROVED,
                obj_kind=AuditObject.MATERIAL,
                obj_id=99999,
                obj_name="&<>" * 66,
                before="&" * 300,
                after="<" * 300,
            ),
            None,
        )
        for _ in range(9)
    ] + [
        AuditLine(
            AuditEntry(
                at=AT,
                actor_id=10,
                actor_name=None,
                action=AuditAction.ORDER_NUMBER_SET,
                obj_kind=AuditObject.MEMBER,
                obj_id=1,
                obj_name="Ы" * 128,
                before="&" * 300,
                after="<" * 300,
            ),
            None,
        )
    ]
    with create_i18n("ky").context() as i18n, i18n.use_locale("ky"):
        text = log_text(LogPage(council, lines, 0, 1), BISHKEK)
    assert utf16_len(parse_html(text)) <= 4096
    assert "2026-ж., 25-ноя., 10:00" in text  # 04:00 UTC is 10:00 in Bishkek
    assert "колдонуучу 10" in text  # a name the log could not find: the user id
