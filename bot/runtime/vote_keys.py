"""Where the keys of open secret ballots live: never in the database.

One process (no REDIS_URL): in its memory; a restart loses them, and the secret votes then open cannot be
counted (bot/ops/voting.py marks them "not counted (restart)"). Several instances (REDIS_URL): in Redis, where
every instance finds them, with the vote's lifetime as a bound (the close deletes the key; compose.yaml runs
Redis without persistence, so a key never reaches a disk there either).

The promise these keys keep is against whoever gets the database (files, WAL, dumps, backups, replicas); a
reader of a running instance's memory or of Redis is outside it (SETTLED, the secret ballot's observer).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.ballot_seal import KEY_BYTES, BallotSeal, new_key

if TYPE_CHECKING:  # the redis package is an extra: only instances that share state import it
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

# A vote stays open at most until its meeting is closed, by the chair or by the next daily check; a key
# forgotten by a close that never came (a vote dropped with its meeting) expires after this.
KEY_LIFETIME = 7 * 24 * 3600


class VoteKeys:
    """The keys the operations know by bot/ops/effects.py's VoteKeys."""

    def __init__(self, redis: Redis | None = None, prefix: str = "kenesh") -> None:
        self.redis, self.prefix = redis, prefix
        self._memory: dict[int, bytes] = {}

    @property
    def shared(self) -> bool:
        """Whether the keys outlive this process (Redis)."""
        return self.redis is not None

    def _name(self, vote_id: int) -> str:
        return f"{self.prefix}:vote-key:{vote_id}"

    async def create(self, vote_id: int) -> None:
        """A new key for a secret ballot being opened (before its transaction commits)."""
        key = new_key()
        BallotSeal(vote_id, key)  # loads cryptography now, with the command, not under the first crowd of presses
        if self.redis is None:
            self._memory[vote_id] = key
            return
        await self.redis.set(self._name(vote_id), key, ex=KEY_LIFETIME)

    async def key(self, vote_id: int) -> bytes | None:
        if self.redis is None:
            return self._memory.get(vote_id)
        value = await self.redis.get(self._name(vote_id))
        return value if isinstance(value, bytes) and len(value) == KEY_BYTES else None

    async def seal(self, vote_id: int) -> BallotSeal | None:
        """The vote's seal, or None when its key is gone (never made, dropped at the close, or lost)."""
        key = await self.key(vote_id)
        return BallotSeal(vote_id, key) if key is not None else None

    async def drop(self, vote_id: int) -> None:
        """The vote closed (or was never posted): its key goes, and with it any way to read what was sealed."""
        self._memory.pop(vote_id, None)
        if self.redis is not None:
            await self.redis.delete(self._name(vote_id))
