"""Live group messages (vote tallies, attendance counts) edited on a timer, never once per button press.

Hundreds of members may press within a second; Telegram allows about 20 messages a minute in a group and
refuses an edit that changes nothing. So a press only marks its message dirty; a loop edits each dirty
message at most once per `interval` seconds, and only when its text actually changed.

With several instances (Redis), a press marks the message dirty on the instance that took it; before an
edit, an instance takes the message's slot in Redis (SET NX PX interval), so the message is edited at most
once per interval by all instances together, and the last text sent is shared, so no instance repeats it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import I18n
from bot.ops.effects import ATTENDANCE, VOTE
from bot.ops.meetings import presence
from bot.ops.voting import item_titles, live_counts
from bot.ui import meeting_day as ui_meeting_day
from db.models import Choice, Council, Meeting, MeetingStatus
from db.repo import meeting_day as day_repo
from db.repo import meetings as meetings_repo
from db.repo import referenced

if TYPE_CHECKING:  # the redis package is an extra: only instances that share state import it
    from redis.asyncio import Redis

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    chat_id: int
    message_id: int
    text: str
    markup: InlineKeyboardMarkup | None


async def render_vote(session: AsyncSession, vote_id: int, tz: ZoneInfo) -> Rendered | None:
    vote = await day_repo.get_vote(session, vote_id)
    if vote is None or vote.message_id is None:
        return None
    meeting = await referenced(session, Meeting, vote.meeting_id)
    council = await referenced(session, Council, meeting.council_id)
    counts = await live_counts(session, vote)
    names: dict[Choice, list[str]] = {}
    if not vote.secret:
        for choice, name in await day_repo.open_ballots(session, vote.id):
            names.setdefault(choice, []).append(name)
    seats = await presence(session, meeting)
    titles = await item_titles(session, vote)
    text = ui_meeting_day.vote_post(council.group_language, vote, counts, names, seats.present, tz, titles)
    markup = (
        ui_meeting_day.vote_keyboard(vote.id, council.group_language, vote.kind, vote.rating_scale)
        if vote.is_open
        else None
    )
    return Rendered(council.chat_id, vote.message_id, text, markup)


async def render_attendance(session: AsyncSession, meeting_id: int, tz: ZoneInfo) -> Rendered | None:
    meeting = await meetings_repo.get_meeting(session, meeting_id)
    if meeting is None or meeting.attendance_message_id is None:
        return None
    council = await referenced(session, Council, meeting.council_id)
    seats = await presence(session, meeting)
    is_open = meeting.status is MeetingStatus.OPEN
    closed = meeting.protocol_number if meeting.status is MeetingStatus.CLOSED else None
    text = ui_meeting_day.attendance_post(council.group_language, seats, closed)
    markup = ui_meeting_day.present_keyboard(meeting.id, council.group_language) if is_open else None
    return Rendered(council.chat_id, meeting.attendance_message_id, text, markup)


RENDERERS = {VOTE: render_vote, ATTENDANCE: render_attendance}


def _digest(content: tuple[str, InlineKeyboardMarkup | None]) -> str:
    text, markup = content
    markup_json = json.dumps(markup.model_dump(mode="json") if markup else None, sort_keys=True)
    return hashlib.sha256(f"{text}\0{markup_json}".encode()).hexdigest()


class SharedEditSlots:
    """Per message: the right to edit it (one instance per interval) and the digest of its last text."""

    def __init__(self, redis: Redis, prefix: str, interval: float) -> None:
        self.redis, self.prefix, self.interval = redis, prefix, interval

    def _key(self, what: str, key: tuple[str, int]) -> str:
        return f"{self.prefix}:live-{what}:{key[0]}:{key[1]}"

    async def take(self, key: tuple[str, int]) -> float:
        """0 when this instance may edit the message now (the slot is ours), else seconds until it may."""
        if await self.redis.set(self._key("slot", key), 1, nx=True, px=int(self.interval * 1000)):
            return 0.0
        milliseconds: int = await self.redis.pttl(self._key("slot", key))
        return max(0.05, milliseconds / 1000)

    async def last(self, key: tuple[str, int]) -> str | None:
        value = await self.redis.get(self._key("text", key))
        return value.decode() if isinstance(value, bytes) else value

    async def remember(self, key: tuple[str, int], digest: str) -> None:
        await self.redis.set(self._key("text", key), digest, ex=7 * 24 * 3600)


class LiveMessages:
    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker,
        i18n: I18n,
        tz: ZoneInfo,
        interval: float = 2.0,
        shared: SharedEditSlots | None = None,
    ) -> None:
        self.bot, self.sessionmaker, self.i18n, self.interval = bot, sessionmaker, i18n, interval
        self.tz = tz  # the council's time zone: a vote's closing time
        self.shared = shared
        self._pending: set[asyncio.Task] = set()
        self._dirty: set[tuple[str, int]] = set()
        self._last_edit: dict[tuple[str, int], float] = {}
        self._last_text: dict[tuple[str, int], tuple[str, InlineKeyboardMarkup | None]] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False

    def touch(self, kind: str, object_id: int) -> None:
        """The message of this vote or meeting is out of date; it will be edited soon."""
        self._dirty.add((kind, object_id))
        self._wake.set()

    def remember(self, kind: str, object_id: int, text: str, markup: InlineKeyboardMarkup | None) -> None:
        """A message just sent with this text: an edit to the same text would be refused."""
        self._last_text[(kind, object_id)] = (text, markup)
        self._last_edit[(kind, object_id)] = time.monotonic()
        if self.shared is not None:  # the other instances must not edit it to the same text either
            task = asyncio.create_task(self._share(self.shared, (kind, object_id), (text, markup)))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _share(
        self, shared: SharedEditSlots, key: tuple[str, int], content: tuple[str, InlineKeyboardMarkup | None]
    ) -> None:
        try:
            await shared.take(key)  # a fresh message: its first edit waits an interval, on every instance
            await shared.remember(key, _digest(content))
        except Exception:  # at worst an edit that changes nothing, which Telegram refuses
            log.warning("Live messages: could not share the text of %s", key, exc_info=True)

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
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    async def flush(self) -> None:
        """Edit every dirty message now (a vote closing, shutdown, tests); with other instances, as soon as
        the message's slot is free."""
        for key in list(self._dirty):
            self._dirty.discard(key)
            if self.shared is not None:
                for _ in range(10):  # another instance's edit: wait it out
                    if (wait := await self.shared.take(key)) <= 0:
                        break
                    await asyncio.sleep(wait)
            await self._edit(key, slot_taken=True)

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
                        if self.shared is not None and (wait := await self.shared.take(key)) > 0:
                            # another instance edited it within the interval: ours follows when it may
                            self._last_edit[key] = time.monotonic() + wait - self.interval
                            self._dirty.add(key)
                            continue
                        await self._edit(key, slot_taken=True)
                    except Exception:  # one bad message must not stop the others' updates
                        log.exception("Updating live message %s failed", key)
                if self._dirty and not self._stopping:
                    next_due = min(self._last_edit.get(k, 0) + self.interval for k in self._dirty)
                    try:  # a wake (stop, or a new message) cuts the wait short
                        await asyncio.wait_for(self._wake.wait(), max(0.05, next_due - time.monotonic()))
                    except TimeoutError:
                        pass

    async def _edit(self, key: tuple[str, int], slot_taken: bool = False) -> None:
        kind, object_id = key
        with self.i18n.context():
            async with self.sessionmaker() as session:
                rendered = await RENDERERS[kind](session, object_id, self.tz)
        if rendered is None:
            return
        content = (rendered.text, rendered.markup)
        if self.shared is not None:  # the message's last text may be another instance's edit
            if await self.shared.last(key) == _digest(content):
                return  # Telegram would answer "message is not modified"
            if not slot_taken:
                await self.shared.take(key)
        elif self._last_text.get(key) == content:
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
        if self.shared is not None:
            await self.shared.remember(key, _digest(content))
