"""Vote and attendance messages stay under Telegram's 4096 characters for any roster up to 500 members."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.domain import Presence
from bot.i18n import create_i18n, group_text
from bot.rules import Counts
from bot.ui import meeting_day
from db.models import Choice, GroupLanguage, Outcome, Vote
from tests.botapi import parse_html, utf16_len
from tests.conftest import BISHKEK


def vote(*, secret: bool = False, is_open: bool = True) -> Vote:
    return Vote(
        id=1,
        meeting_id=1,
        item_position=3,
        decision="Чечим: " + "узун текст " * 90,  # near the 1000-character limit
        secret=secret,
        is_open=is_open,
        opened_at=datetime(2026, 12, 3, 15, tzinfo=BISHKEK),
        members_total=500,
        present_total=500,
        votes_for=300,
        votes_against=150,
        votes_abstain=50,
        outcome=None if is_open else Outcome.ADOPTED,
    )


def names(count: int, start: int = 0) -> list[str]:
    return [f"Фамилиясы{i:03d} Атыныкы Атасынынаты <{i}>" for i in range(start, start + count)]


@pytest.mark.parametrize("members", [5, 45, 60, 500])
@pytest.mark.parametrize("is_open", [True, False])
def test_an_open_vote_names_voters_while_they_fit_then_counts_only(members: int, is_open: bool):
    split = [members * 3 // 5, members * 3 // 10, members - members * 3 // 5 - members * 3 // 10]
    by_choice = {
        Choice.FOR: names(split[0]),
        Choice.AGAINST: names(split[1], 1000),
        Choice.ABSTAIN: names(split[2], 2000),
    }
    counts = Counts(*split)
    with create_i18n("ky").context():
        text = meeting_day.vote_post(GroupLanguage.BOTH, vote(is_open=is_open), counts, by_choice, members)
    assert utf16_len(parse_html(text)) <= 4096 and utf16_len(text) <= 4096
    assert f"За: {split[0]}" in parse_html(text) and f"Макул: {split[0]}" in parse_html(text)
    assert "Фамилиясы000 Атыныкы Атасынынаты <0>" in parse_html(text)  # the first names are always shown
    if members <= 5:
        assert "и ещё" not in text  # everyone named
    if members == 500:
        assert "и ещё" in text and "жана дагы" in text


def test_an_open_secret_ballot_shows_only_how_many_voted():
    with create_i18n("ky").context():
        text = meeting_day.vote_post(GroupLanguage.RU, vote(secret=True), Counts(3, 2, 1), {}, 10)
        closed = meeting_day.vote_post(GroupLanguage.RU, vote(secret=True, is_open=False), Counts(3, 2, 1), {}, 10)
    assert "Проголосовали: 6 из 10 присутствующих" in text
    assert "За:" not in text and "Против:" not in text and "Воздержался:" not in text
    assert "За: 3" in closed and "Итог: принято." in closed


def test_attendance_of_500_is_short():
    with create_i18n("ky").context():
        text = group_text(GroupLanguage.BOTH, lambda: meeting_day.attendance(Presence(500, 499, 20)))
    assert utf16_len(text) < 1000
