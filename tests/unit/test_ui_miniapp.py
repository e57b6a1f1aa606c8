"""The Mini App's rendering on its own (issue 22): Telegram's HTML made safe for a page, the state of a planned
day, the charts, the shell that is the same for everyone, signed download links."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain import Attended, DayState, YearFigures
from bot.i18n import create_i18n
from bot.ops import miniapp
from bot.ui import miniapp as ui
from db.models import Meeting, MeetingStatus


@pytest.fixture(autouse=True)
def i18n():
    i18n = create_i18n("ky")
    with i18n.context(), i18n.use_locale("ru"):
        yield i18n


def test_telegram_html_keeps_emphasis_and_drops_every_other_tag_and_attribute():
    shown = ui.telegram_html(
        '<b>ПРОТОКОЛ №1</b>\n<i>курсив</i> <a href="javascript:alert(1)">ссылка</a> &lt;script&gt; '
        '<script>alert(1)</script><img src=x onerror=alert(1)><b onclick="x()">жирный</b> <tg-spoiler>с</tg-spoiler>'
    )
    assert shown == ("<b>ПРОТОКОЛ №1</b>\n<i>курсив</i> ссылка &lt;script&gt; alert(1)<b>жирный</b> <span>с</span>")
    assert ui.telegram_html("<b>не закрыт <i>тоже") == "<b>не закрыт <i>тоже</i></b>"


def test_a_name_with_markup_is_text_in_every_page_element():
    assert ui.el("p", '<img src=x onerror="alert(1)">', "muted") == (
        '<p class="muted">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p>'
    )


def _meeting(status: MeetingStatus) -> Meeting:
    return Meeting(status=status, starts_at=datetime(2027, 3, 18, 9, tzinfo=UTC), protocol_number=3)


@pytest.mark.parametrize(
    ("today", "status", "state"),
    [
        (date(2027, 3, 18), MeetingStatus.CLOSED, DayState.HELD),
        (date(2027, 3, 18), MeetingStatus.OPEN, DayState.OPEN),
        (date(2027, 3, 12), MeetingStatus.ANNOUNCED, DayState.ANNOUNCED),
        (date(2027, 3, 11), None, DayState.DUE),  # the last day a week's notice is possible
        (date(2027, 3, 12), None, DayState.MISSED),
        (date(2027, 4, 1), None, DayState.MISSED),
    ],
)
def test_a_planned_day_is_held_open_announced_due_or_missed(today, status, state):
    meeting = _meeting(status) if status else None
    assert miniapp.day_state(date(2027, 3, 18), meeting, today) is state


def test_the_attendance_chart_has_a_bar_per_meeting_and_marks_those_short_of_the_quorum():
    rows = [Attended(n, date(2026, 9, 1) + timedelta(days=7 * n), 20 if n % 5 else 10, 26) for n in range(1, 41)]
    svg = ui.attendance_chart(YearFigures(2026, rows, 1, 2, 3, 4))
    assert len(re.findall(r'<rect class="(?:present|short)"', svg)) == 40
    assert len(re.findall(r'<rect class="short"', svg)) == 8  # 10 of 26 is short of 18
    assert 'viewBox="0 0 320 138"' in svg and "<script" not in svg
    assert "Протокол №5 (06.10.2026): присутствовали 10 из 26" in svg


def test_the_decisions_chart_and_its_legend_add_up():
    shown = ui.decisions_chart(YearFigures(2026, [], 5, 2, 3, 0))
    assert re.findall(r'<rect class="([a-z-]+)"', shown) == ["on-time", "late", "open"]  # no empty segment
    assert "исполнено в срок: 5" in shown and "просрочено: 0" in shown


def test_the_shell_is_the_same_for_everyone_and_loads_nothing_from_elsewhere():
    page = ui.shell("abc123")
    assert re.findall(r'(?:src|href)="([^"]+)"', page) == [
        "static/icon.svg?v=abc123",
        "static/app.css?v=abc123",
        "static/app.js?v=abc123",
    ]
    assert "data-outside-ky=" in page and "data-offline-ru=" in page and "<script>" not in page


def test_a_download_link_names_no_person_and_holds_for_ten_minutes():
    now = datetime(2027, 1, 20, 10, tzinfo=UTC)
    token = "123456:TEST-token-for-the-stand-in"
    link = miniapp.file_link(token, miniapp.FileKind.PROTOCOL, 7, 3, now)
    kind, council, object_id, expires, signature = link.split("/")[1:]
    assert (kind, council, object_id) == ("protocol", "3", "7")
    miniapp.check_link(token, miniapp.FileKind.PROTOCOL, 7, 3, int(expires), signature, now + timedelta(minutes=9))
    for args, when in (
        ((miniapp.FileKind.PROTOCOL, 8, 3, int(expires), signature), now),  # another meeting
        ((miniapp.FileKind.MATERIAL, 7, 3, int(expires), signature), now),  # another kind
        ((miniapp.FileKind.PROTOCOL, 7, 3, int(expires) + 600, signature), now),  # a longer life
        ((miniapp.FileKind.PROTOCOL, 7, 3, int(expires), signature), now + timedelta(minutes=11)),
    ):
        with pytest.raises(miniapp.Refused):
            miniapp.check_link(token, *args, when)
    with pytest.raises(miniapp.Refused):
        miniapp.check_link("654321:another", miniapp.FileKind.PROTOCOL, 7, 3, int(expires), signature, now)
