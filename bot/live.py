"""Live group messages (vote tallies, attendance counts) edited on a timer, never once per button press.

Hundreds of members may press within a second; Telegram allows about 20 messages a minute in a group and
refuses an edit that changes nothing. So a press only marks its message dirty; a loop edits each dirty
message at most once per `interval` seconds, and only when its text actually changed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import meeting_texts
from bot.i18n import group_text
from bot.keyboards import present_keyboard, vote_keyboard
from bot.meetings import presence
from bot.voting import live_counts
from db import repo
from db.models import Choice, MeetingStatus

log = logging.getLogger(__name__)

VOTE, ATTENDANCE = "vote", "attendance"


@dataclass(frozen=True)
class Rendered:
    chat_id: int
    message_id: int
    text: str
    markup: InlineKeyboardMarkup | None


async def render_vote(session: AsyncSession, vote_id: int) -> Rendered | None:
    vote = await repo.get_vote(session, vote_id)
    if vote is None or vote.message_id is None:
        return None
    meeting = await repo.get_meeting(session, vote.meeting_id)
    council = await repo.get_council(session, meeting.council_id)
    counts = await live_counts(session, vote)
    names: dict[Choice, list[str]] = {}
    if not vote.secret:
        for choice, name in await repo.open_ballots(session, vote.id):
            names.setdefault(choice, []).append(name)
    seats = await presence(session, meeting)
    text = meeting_texts.vote_post(council.group_language, vote, counts, names, seats.members)
    markup = vote_keyboard(vote.id, council.group_language) if vote.is_open else None
    return Rendered(council.chat_id, vote.message_id, text, markup)


async def render_attendance(session: AsyncSession, meeting_id: int) -> Rendered | None:
    meeting = await repo.get_meeting(session, meeting_id)
    if meeting is None or meeting.attendance_message_id is None:
        return None
    council = await repo.get_council(session, meeting.council_id)
    seats = await presence(session, meeting)
    text = group_text(council.group_language, lambda: meeting_texts.attendance(seats))
    is_open = meeting.status is MeetingStatus.OPEN
    markup = present_keyboard(meeting.id, council.group_language) if is_open else None
    return Rendered(council.chat_id, meeting.attendance_message_id, text, markup)


RENDERERS = {VOTE: render_vote, ATTENDANCE: render_attendance}


class LiveMessages:
    def __init__(self, bot: Bot, sessionmaker: async_sessionmaker, i18n: I18n, interval: float = 2.0) -> None:
        self.bot, self.sessionmaker, self.i18n, self.interval = bot, sessionmaker, i18n, interval
        self._dirty: set[tuple[str, int]] = set()
        self._last_edit: dict[tuple[str, int], float] = {}
        self._last_text: dict[tuple[str, int], tuple[str, object]] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False

    def touch(self, kind: str, object_id: int) -> None:
        """The message of this vote or meeting is out of date; it will be edited soon."""
        self._dirty.add((kind, object_id))
        self._wake.set()

    def remember(self, kind: str, object_id: int, text: str, markup: object) -> None:
        """A message just sent with this text: an edit to the same text would be refused."""
        self._last_text[(kind, object_id)] = (text, markup)
        self._last_edit[(kind, object_id)] = time.monotonic()

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="live-messages")

    async def stop(self) -> None:
        """Let the current edit finish (a task cancelled inside a database call can hang the pool at
        shutdown), then make the last edits."""
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            try:
                await asyncio.wait_for(self._task, timeout=10)
            except TimeoutError:
                log.warning("Live messages: stopped while an edit was still running")
            self._task = None
        await self.flush()

    async def flush(self) -> None:
        """Edit every dirty message now (a vote closing, shutdown, tests)."""
        for key in list(self._dirty):
            self._dirty.discard(key)
            await self._edit(key)

    async def _run(self) -> None:
        while not self._stopping:
            await self._wake.wait()
            self._wake.clear()
            while self._dirty and not self._stopping:
                self._wake.clear()
                now = time.monotonic()
                due = [k for k in self._dirty if now - self._last_edit.get(k, 0) >= self.interval]
                for key in due:
                    self._dirty.discard(key)
                    try:
                        await self._edit(key)
                    except Exception:  # one bad message must not stop the others' updates
                        log.exception("Updating live message %s failed", key)
                if self._dirty and not self._stopping:
                    next_due = min(self._last_edit.get(k, 0) + self.interval for k in self._dirty)
                    try:  # a wake (stop, or a new message) cuts the wait short
                        await asyncio.wait_for(self._wake.wait(), max(0.05, next_due - time.monotonic()))
                    except TimeoutError:
                        pass

    async def _edit(self, key: tuple[str, int]) -> None:
        kind, object_id = key
        with self.i18n.context():
            async with self.sessionmaker() as session:
                rendered = await RENDERERS[kind](session, object_id)
        if rendered is None:
            return
        content = (rendered.text, rendered.markup)
        if self._last_text.get(key) == content:
            return  # Telegram would answer "message is not modified"
        self._last_edit[key] = time.monotonic()
        try:
            await self.bot.edit_message_text(
                rendered.text, chat_id=rendered.chat_id, message_id=rendered.message_id, reply_markup=rendered.markup
            )
        except TelegramRetryAfter as error:
            log.warning("Telegram asks to wait %s s before editing again", error.retry_after)
            self._last_edit[key] = time.monotonic() + error.retry_after
            self._dirty.add(key)
            self._wake.set()
            return
        except TelegramBadRequest as error:
            if "message is not modified" not in error.message:
                raise
        self._last_text[key] = content
