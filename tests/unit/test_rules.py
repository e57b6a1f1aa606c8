"""The regulation's arithmetic (cl. 7.7) and the name rule, against a table with the edges."""

import pytest

from bot.rules import Counts, decision_adopted, normalize_full_name, outcome_of, quorum_met, quorum_needed
from db.models import Outcome


@pytest.mark.parametrize(
    ("members", "needed"),
    [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3), (5, 4), (6, 4), (9, 6), (10, 7), (12, 8), (30, 20), (31, 21)],
)
def test_quorum_needed_is_two_thirds_in_whole_people(members, needed):
    assert quorum_needed(members) == needed
    if members:
        assert quorum_met(needed, members) and not quorum_met(needed - 1, members)


def test_no_members_no_quorum():
    assert not quorum_met(0, 0)


def test_negative_members_is_a_programming_error():
    with pytest.raises(ValueError):
        quorum_needed(-1)


@pytest.mark.parametrize(
    ("votes_for", "cast", "adopted"),
    [
        (4, 8, False),
        (5, 9, True),
        (5, 8, True),
        (1, 1, True),
        (0, 0, False),
        (1, 2, False),
        (2, 3, True),
        (3, 7, False),
        (4, 7, True),
    ],  # abstentions are among the votes cast: 4 for, 3 abstain of 7 is adopted
)
def test_decision_needs_more_than_half_of_votes_cast(votes_for, cast, adopted):
    assert decision_adopted(votes_for, cast) is adopted


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Осмонова Гүлнара", "Осмонова Гүлнара"),
        ("  Иванов   Иван  Иванович ", "Иванов Иван Иванович"),
        ("Жээнбеков-Уулу Азамат", "Жээнбеков-Уулу Азамат"),
        ("O'Neil Mary", "O'Neil Mary"),
        ("Асанов А.", "Асанов А."),
        ("Гүлнара", None),
        ("Ivan 123", None),
        ("<b>Иван</b> Петров", None),
        ("Ab & Co", None),
        ("", None),
        ("Иван\nПетров", "Иван Петров"),
        ("а " * 60, None),
    ],
)
def test_full_name(typed, stored):
    assert normalize_full_name(typed) == stored


def test_a_decision_is_valid_only_with_two_thirds_present_and_more_than_half_of_votes_for() -> None:
    """cl. 7.7, as a vote's outcome: 12 members, so 8 present make the quorum."""
    assert outcome_of(Counts(5, 2, 1), present=8, members=12) is Outcome.ADOPTED
    assert outcome_of(Counts(4, 2, 2), present=8, members=12) is Outcome.NOT_ADOPTED  # half is not more than half
    assert outcome_of(Counts(7, 0, 0), present=7, members=12) is Outcome.NO_QUORUM  # 7 of 12 is under 2/3
    assert outcome_of(Counts(0, 0, 0), present=8, members=12) is Outcome.NO_VOTES  # nobody voted: nothing decided
