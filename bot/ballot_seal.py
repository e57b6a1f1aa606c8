"""A secret ballot's seal: the member and the choice encrypted together under the vote's own key.

The key is made when the vote opens and dropped when it closes; it lives in the bot's memory or in Redis
(bot/runtime/vote_keys.py), never in the database. So whoever gets the database (its files, its WAL, a dump, a
backup, a replica) during or after the vote finds, in place of each choice, 37 bytes it cannot read: rows
written in one transaction can be tied together (rowid, WAL frame, xmin), so hiding who is not enough, the
choice itself is hidden.

- A ballot is AES-256-GCM (an AEAD: a row altered or moved to another vote fails to open) of the member's
  Telegram id and the choice, always 9 bytes, so every sealed ballot has the same length; a random nonce per
  seal, so two equal choices never look alike.
- Its row is found again by a token, a keyed hash (HMAC-SHA-256) of the member under the same vote key: a member
  who changes their choice replaces their row, and without the key the token names nobody.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from typing import TYPE_CHECKING

from db.models import Choice

if TYPE_CHECKING:  # cryptography is loaded with the first secret ballot, not by an idle bot (~10 MB resident)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
TOKEN_BYTES = 16
NONCE_BYTES = 12
_PLAIN = struct.Struct(">qB")  # the member's Telegram id, the choice's code
# Every choice a ballot can hold (a rating vote's scale among them), by a code that never changes.
_CODES = {
    Choice.FOR: 1,
    Choice.AGAINST: 2,
    Choice.ABSTAIN: 3,
    Choice.HIGH: 4,
    Choice.SATISFACTORY: 5,
    Choice.UNSATISFACTORY: 6,
    Choice.GOOD: 7,
    Choice.MEDIUM: 8,
    Choice.LOW: 9,
}
_CHOICES = {code: choice for choice, code in _CODES.items()}


class BrokenSeal(ValueError):
    """A sealed ballot that does not open under this vote's key: altered, or not of this vote."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


class BallotSeal:
    """Seals and opens the ballots of one vote with its key; two subkeys, one per use, derived from it."""

    def __init__(self, vote_id: int, key: bytes) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if len(key) != KEY_BYTES:
            raise ValueError("a vote key is 32 bytes")
        self.vote_id = vote_id
        self._token_key = hmac.digest(key, b"kenesh ballot token", hashlib.sha256)
        self._aead: AESGCM = AESGCM(hmac.digest(key, b"kenesh ballot seal", hashlib.sha256))

    def token(self, user_id: int) -> bytes:
        """The member's row in this vote, by a name only this key gives."""
        return hmac.digest(self._token_key, struct.pack(">q", user_id), hashlib.sha256)[:TOKEN_BYTES]

    def _bound(self, token: bytes) -> bytes:
        # Authenticated with the row's vote and token: a sealed ballot copied to another row or vote fails to open.
        return struct.pack(">q", self.vote_id) + token

    def seal(self, user_id: int, choice: Choice) -> tuple[bytes, bytes]:
        """(token, sealed ballot) for the member's choice."""
        token = self.token(user_id)
        nonce = os.urandom(NONCE_BYTES)
        return token, nonce + self._aead.encrypt(nonce, _PLAIN.pack(user_id, _CODES[choice]), self._bound(token))

    def open(self, token: bytes, sealed: bytes) -> tuple[int, Choice]:
        """(member's Telegram id, choice) of a sealed ballot; BrokenSeal when it does not open."""
        from cryptography.exceptions import InvalidTag

        try:
            plain = self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], self._bound(token))
            user_id, code = _PLAIN.unpack(plain)
            choice = _CHOICES[code]
        except (InvalidTag, struct.error, KeyError):
            raise BrokenSeal(f"a sealed ballot of vote {self.vote_id} does not open") from None
        if not hmac.compare_digest(self.token(user_id), token):
            raise BrokenSeal(f"a sealed ballot of vote {self.vote_id} is in another member's row")
        return user_id, choice
