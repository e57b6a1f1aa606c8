"""The secret ballot's seal (bot/ballot_seal.py): only the vote's key opens a ballot, every sealed ballot looks
alike, and a sealed ballot moved to another row or vote, or altered, does not open."""

from __future__ import annotations

import pytest

from bot.ballot_seal import BallotSeal, BrokenSeal, new_key
from db.models import Choice


def test_a_sealed_ballot_opens_with_its_vote_key_only() -> None:
    key = new_key()
    seal = BallotSeal(7, key)
    token, sealed = seal.seal(123456789, Choice.AGAINST)
    assert BallotSeal(7, key).open(token, sealed) == (123456789, Choice.AGAINST)  # the key, kept elsewhere
    with pytest.raises(BrokenSeal):
        BallotSeal(7, new_key()).open(token, sealed)  # any other key
    assert b"against" not in sealed and (123456789).to_bytes(8, "big") not in sealed


def test_every_sealed_ballot_looks_alike() -> None:
    seal = BallotSeal(7, new_key())
    sealed = [seal.seal(user_id, choice)[1] for user_id in (1, 10**12) for choice in Choice for _ in range(2)]
    assert {len(box) for box in sealed} == {37}  # no choice or member told by a length
    assert len(set(sealed)) == len(sealed)  # the same choice twice never looks the same


def test_a_members_row_is_found_again_by_its_token_only_with_the_key() -> None:
    key = new_key()
    assert BallotSeal(7, key).token(42) == BallotSeal(7, key).seal(42, Choice.FOR)[0]  # a change of mind: same row
    assert BallotSeal(7, key).token(42) != BallotSeal(7, new_key()).token(42)
    assert BallotSeal(7, key).token(42) != BallotSeal(7, key).token(43)


def test_a_sealed_ballot_moved_or_altered_does_not_open() -> None:
    key = new_key()
    seal = BallotSeal(7, key)
    token, sealed = seal.seal(42, Choice.FOR)
    other_token, other = seal.seal(43, Choice.AGAINST)
    with pytest.raises(BrokenSeal):
        seal.open(other_token, sealed)  # in another member's row
    with pytest.raises(BrokenSeal):
        BallotSeal(8, key).open(token, sealed)  # in another vote
    with pytest.raises(BrokenSeal):
        seal.open(token, sealed[:-1] + bytes([sealed[-1] ^ 1]))  # a bit changed
    assert seal.open(other_token, other) == (43, Choice.AGAINST)
