"""Group commit for vote presses: the presses that arrive while one batch is in the database form the next.

Hundreds of members press at once. A press as its own transaction costs a few round trips and a commit, and
SQLite has one writer: the presses queue behind each other. Here each press waits for its batch instead. One
transaction per batch writes every ballot of a vote in one statement, in which the database judges who may
vote (the vote still open, the member on the meeting's roster and marked present; one ballot per member by
the unique constraint), reads back what each press's answer needs (the member's language, or why the press
was refused), and commits; only then is each press answered. A lone press is written at once: batching adds
no wait, it only gathers the presses that came while the previous batch was being written.

A secret ballot's press is written the same way, sealed: who has voted, and the member's choice under the
vote's key (bot/ballot_seal.py, the key from bot/runtime/vote_keys.py), so its choice never reaches the database
readable. A batch the database refuses (a press naming a vote id it cannot hold, say) is split until the press
that fails is alone: it is answered with its error, and the others are stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.ballot_seal import BallotSeal, BrokenSeal
from bot.ops import effects
from bot.ops.effects import (
    JOINED_LATER,
    KEY_LOST,
    NO_VOTE,
    NO_VOTE_RIGHT,
    NOT_MEMBER,
    NOT_PRESENT,
    PAUSED,
    VOTE_CLOSED,
    Counted,
    Press,
)
from bot.runtime import after_commit
from bot.runtime.vote_keys import VoteKeys
from db.models import Choice
from db.repo import meeting_day as day_repo

log = logging.getLogger(__name__)


# The box's own outcome, never an answer (the refusals a member hears of are bot/ops/effects.py's): eligible when
# read, yet not written, because the roster or attendance changed in between; the press goes into the next batch.
RETRY = "retry"
RETRIES = 2


def _fails_every_press(error: Exception) -> bool:
    """The database unreachable or busy, not one press it refuses: writing the batch in parts would only fail
    again, press by press."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OperationalError | InterfaceError | OSError)


Queued = tuple[Press, asyncio.Future[Counted], int]  # a press, its waiting handler, and how often it was retried


def judge(
    press: Press, voter: day_repo.Voter | None, vote_open: bool | None, written: bool, paused: bool = False
) -> Counted:
    """One press's outcome, from the batch's write (`written`) and what was read after it (`paused`: the
    operator paused the vote's council)."""
    language = voter.language if voter is not None else None
    if written:
        return Counted(press.choice, True, language)
    if vote_open is None:
        return Counted(press.choice, False, language, NO_VOTE)
    if paused:
        return Counted(press.choice, False, language, PAUSED)
    if not vote_open:
        return Counted(press.choice, False, language, VOTE_CLOSED)
    if voter is None:
        return Counted(press.choice, False, language, NOT_MEMBER)
    if not voter.on_roster:  # the roster frozen at /open decides who votes at this meeting
        if voter.approved and not voter.votes:
            return Counted(press.choice, False, language, NO_VOTE_RIGHT)
        return Counted(press.choice, False, language, JOINED_LATER if voter.approved else NOT_MEMBER)
    if not voter.present:
        return Counted(press.choice, False, language, NOT_PRESENT)
    if voter.choice is press.choice:
        return Counted(press.choice, False, language)  # the same button again: nothing to write
    # Eligible now but not written: the roster or attendance changed between the write and the read (another
    # transaction committed in between). Rare; the press is written again in the next batch.
    return Counted(press.choice, False, language, RETRY)


class BallotBox:
    """The ballot box the operations know by bot/ops/effects.py's BallotBox."""

    def __init__(
        self, sessionmaker: async_sessionmaker, live: Any = None, keys: VoteKeys | None = None, max_batch: int = 500
    ) -> None:
        self.sessionmaker, self.live, self.max_batch = sessionmaker, live, max_batch
        self.keys = keys if keys is not None else VoteKeys()
        self._queue: list[Queued] = []
        self._writer: asyncio.Task | None = None
        # Whether a vote is secret never changes: asked of the database once per vote, then known. Bounded: a
        # year of a district's votes is a few thousand entries.
        self._secret: dict[int, bool] = {}

    async def cast(self, press: Press) -> Counted:
        """Wait for this press's batch to commit; its outcome."""
        future: asyncio.Future[Counted] = asyncio.get_running_loop().create_future()
        self._queue.append((press, future, 0))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_queued(), name="ballot-box")
        return await future

    async def stop(self) -> None:
        """Shutdown: the batch being written (and any queued behind it) finishes."""
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)

    async def _write_queued(self) -> None:
        await asyncio.sleep(0)  # the presses fed in this turn of the loop join the first batch
        while self._queue:
            batch: list[Queued] = []
            rest: list[Queued] = []
            seen: set[tuple[int, int]] = set()
            for entry in self._queue:  # one press per member per batch: a second one waits for the next
                key = (entry[0].vote_id, entry[0].user_id)
                (rest if key in seen or len(batch) >= self.max_batch else batch).append(entry)
                seen.add(key)
            self._queue = rest
            await self._settle(batch)

    async def _settle(self, batch: list[Queued]) -> None:
        """Write a batch and answer each press in it. When the database refuses the batch, its halves are
        written apart, down to the one press that fails: that press hears of its error, the others are stored."""
        try:
            outcomes = await self._write(batch)
        except Exception as error:
            if len(batch) > 1 and not _fails_every_press(error):
                middle = len(batch) // 2
                await self._settle(batch[:middle])
                await self._settle(batch[middle:])
                return
            log.error("Writing %d ballot(s) failed (vote %s)", len(batch), batch[0][0].vote_id, exc_info=error)
            for _press, future, _tries in batch:  # each press of it hears of the error
                if not future.done():
                    future.set_exception(error)
            return
        for (press, future, tries), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # its update was cancelled (shutdown)
                continue
            if outcome.refused != RETRY:
                future.set_result(outcome)
            elif tries < RETRIES:
                self._queue.append((press, future, tries + 1))
            else:
                future.set_exception(RuntimeError(f"press on vote {press.vote_id} neither written nor refused"))

    async def _write(self, batch: list[Queued]) -> list[Counted]:
        for attempt in range(3):
            try:
                return await self._transaction([press for press, _future, _tries in batch])
            except OperationalError:  # SQLite busy past its timeout, a PostgreSQL serialization hiccup
                if attempt == 2:
                    raise
                await asyncio.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    async def _transaction(self, presses: list[Press]) -> list[Counted]:
        outcomes: dict[int, Counted] = {}
        async with self.sessionmaker() as session:
            secret = await self._secret_votes(session, {press.vote_id for press in presses})
            for vote_id, group in _by_vote(presses):
                if vote_id in secret:
                    outcomes.update(await self._write_sealed(session, vote_id, group))
                    continue
                choices = {press.user_id: press.choice for press in group}
                now = max(press.now for press in group)
                written = await day_repo.store_ballots(session, vote_id, choices, now)
                vote_open, voters, paused = await day_repo.voters(session, vote_id, list(choices))
                for press in group:
                    voter = voters.get(press.user_id)
                    done = voter is not None and voter.member_id in written
                    outcomes[id(press)] = judge(press, voter, vote_open, done, paused)
                if written:
                    effects.tally_changed(session, effects.VOTE, vote_id)  # edited on the live timer
            await session.commit()
            await after_commit.run(session, live=self.live)
        return [outcomes[id(press)] for press in presses]

    async def _secret_votes(self, session: AsyncSession, vote_ids: set[int]) -> set[int]:
        """Which of these votes are secret ballots: known after a vote's first press, read before any write
        (a read in the batch's own transaction would come before its first write)."""
        unknown = [vote_id for vote_id in vote_ids if vote_id not in self._secret]
        if unknown:
            if len(self._secret) > 10_000:
                self._secret.clear()
            secret = await day_repo.secret_votes_among(session, unknown)
            await session.commit()  # ends the read: the batch's transaction starts with its write
            self._secret.update((vote_id, vote_id in secret) for vote_id in unknown)
        return {vote_id for vote_id in vote_ids if self._secret.get(vote_id)}

    async def _write_sealed(self, session: AsyncSession, vote_id: int, group: list[Press]) -> dict[int, Counted]:
        """A secret ballot's presses: who has voted, then each new choice sealed (a press of the choice the
        member already has writes nothing, as in an open vote). Read first, who pressed before: only their
        sealed ballots are read back (and opened with the key); a crowd's first presses read none."""
        seal = await self.keys.seal(vote_id)
        user_ids = [press.user_id for press in group]
        vote_open, voters, paused = await day_repo.voters(session, vote_id, user_ids, secret=True)
        written: set[int] = set()
        had: dict[int, Choice] = {}
        if seal is not None and vote_open and not paused:
            again = [user_id for user_id in user_ids if user_id in voters and voters[user_id].voted]
            if again:
                had = _choices(seal, await day_repo.sealed_ballots(session, vote_id, [seal.token(u) for u in again]))
            if first := [user_id for user_id in user_ids if user_id not in again]:
                await day_repo.mark_secret_voters(session, vote_id, first)
            new = {p.user_id: seal.seal(p.user_id, p.choice) for p in group if had.get(p.user_id) is not p.choice}
            if new:
                tokens = await day_repo.store_sealed_ballots(session, vote_id, new)
                written = {user_id for user_id, (token, _sealed) in new.items() if token in tokens}
        outcomes = {}
        for press in group:
            voter = voters.get(press.user_id)
            if voter is not None:  # the member's choice as sealed (a secret ballot has no plain one)
                voter = replace(voter, choice=press.choice if press.user_id in written else had.get(press.user_id))
            outcome = judge(press, voter, vote_open, press.user_id in written, paused)
            if seal is None and outcome.refused in (None, RETRY):  # eligible, but nothing can be sealed
                outcome = replace(outcome, refused=KEY_LOST)
            outcomes[id(press)] = outcome
        if written:
            effects.tally_changed(session, effects.VOTE, vote_id)  # edited on the live timer
        return outcomes


def _choices(seal: BallotSeal, sealed: dict[bytes, bytes]) -> dict[int, Choice]:
    """The members' sealed choices, opened (Telegram user id -> choice); one that does not open is no choice."""
    opened = {}
    for token, box in sealed.items():
        try:
            user_id, choice = seal.open(token, box)
        except BrokenSeal:
            log.warning("A sealed ballot of vote %s does not open: left as if absent", seal.vote_id)
            continue
        opened[user_id] = choice
    return opened


def _by_vote(presses: Iterable[Press]) -> list[tuple[int, list[Press]]]:
    groups: dict[int, list[Press]] = {}
    for press in presses:
        groups.setdefault(press.vote_id, []).append(press)
    return list(groups.items())
