"""Delivery that loses nothing: posts are written to the outbox with the change that causes them, then sent.

- enqueue() (in db/repo/outbox.py) only adds a row to the caller's session; the caller's single commit makes
  the change and the post durable together. After a crash or restart, pending rows go out; sent rows never go
  again (a row is marked sent right after Telegram accepts it, so only a crash in between could repeat one post).
- 429: wait the retry_after Telegram gives (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this);
  5xx and network errors: exponential backoff with jitter; 403: stop, record, tell the chair when it is the
  council's group, or which members a post about a meeting could not reach (one report per post, each member
  once per meeting); 400: log the request, do not retry, and tell the chair what did not go out.
- Pace: about one message a second to one chat (short bursts allowed), at most 20 a minute to one group, and
  MAX_SENDS_PER_SECOND for the whole bot (Telegram allows about 30 a second to all chats). Every message the
  bot sends counts for that pace; a direct answer to a person goes at once, and the outbox waits the longer.
- Several instances: a row is claimed with `SELECT ... FOR UPDATE SKIP LOCKED` (PostgreSQL) and held while
  it is sent, so another instance skips it, and skips that chat's later rows too (order is kept). The pace
  is kept in Redis (SharedPace), so the limits hold for the bot as a whole, not per process; a row is claimed
  before it takes its turn, so two instances never spend a turn on the same row.
"""

from __future__ import annotations

import asyncio
import html
import logging
import random
import re
import time
import uuid
from collections import deque
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from aiogram import Bot
from aiogram.client.session.middlewares.base import NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, Message
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.i18n import I18n, group_text, in_locale
from bot.i18n import gettext as _
from bot.ui import meetings as ui_meetings
from db.engine import TURN_AT_WRITE, is_busy
from db.models import Council, OutboxMessage, OutboxStatus
from db.repo import councils as councils_repo
from db.repo import meetings as meetings_repo
from db.repo import members as members_repo
from db.repo import outbox as outbox_repo
from db.repo.outbox import Kind, enqueue

if TYPE_CHECKING:  # the redis package is an extra: only instances that share state import it
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

MAX_BACKOFF = 300.0
SENDS_AT_ONCE = 8  # rows on their way at once in production (each holds a database connection meanwhile)
SENT_RECORD_TRIES = 5


# What Telegram counts as a message for its limits (edits are paced by the live editor on its own timer).
MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendMediaGroup",
        "sendAudio",
        "sendVideo",
        "sendVoice",
        "sendAnimation",
        "sendSticker",
        "sendLocation",
        "sendContact",
        "sendPoll",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
    }
)


class Pace:
    """Telegram's limits (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
    ~1 message a second to a chat (a burst of 3 allowed), 20 a minute in a group, and, when `per_second` is set
    (MAX_SENDS_PER_SECOND), the bot's messages to all chats together (Telegram allows about 30 a second).

    The whole bot's pace is a token bucket refilled at `per_second` that holds a tenth of a second's worth, so in
    any one second at most per_second plus that small burst go (25 + 2.5 under Telegram's 30). The outbox takes
    a token before each post and waits when there is none; a direct answer to a person (`count`) never waits,
    it takes its token anyway, down to a second's worth of debt, and the outbox waits that much longer: the
    outbox yields to replies."""

    def __init__(
        self,
        per_chat_burst: int = 3,
        per_chat_interval: float = 1.0,
        group_per_minute: int = 20,
        per_second: float | None = None,
    ) -> None:
        self.burst, self.interval, self.group_limit = per_chat_burst, per_chat_interval, group_per_minute
        self.per_second = per_second or None
        self.capacity = max(1.0, per_second / 10) if per_second else 0.0
        self._sent: dict[int, deque[float]] = {}
        self._paused_until: dict[int, float] = {}
        self._tokens, self._tokens_at = self.capacity, 0.0

    def wait(self, chat_id: int, now: float) -> float:
        """Seconds to wait before the next message to this chat may go."""
        waits = [self._paused_until.get(chat_id, 0.0) - now]
        sent = self._sent.get(chat_id, deque())
        recent = [t for t in sent if now - t < self.interval * self.burst]
        if len(recent) >= self.burst:
            waits.append(recent[-self.burst] + self.interval * self.burst - now)
        if chat_id < 0:
            minute = [t for t in sent if now - t < 60]
            if len(minute) >= self.group_limit:
                waits.append(minute[-self.group_limit] + 60 - now)
        return max(0.0, *waits)

    def sent(self, chat_id: int, now: float) -> None:
        times = self._sent.setdefault(chat_id, deque(maxlen=max(self.group_limit, self.burst)))
        times.append(now)

    def pause(self, chat_id: int, until: float) -> None:
        self._paused_until[chat_id] = max(self._paused_until.get(chat_id, 0.0), until)

    def _tokens_now(self, now: float) -> float:
        if self.per_second is None:
            return 1.0
        return min(self.capacity, self._tokens + max(0.0, now - self._tokens_at) * self.per_second)

    def wait_all(self, now: float) -> float:
        """Seconds before the bot may send its next message to any chat (0 without a global pace)."""
        tokens = self._tokens_now(now)
        return 0.0 if self.per_second is None or tokens >= 1 else (1 - tokens) / self.per_second

    def reserve(self, chat_id: int, now: float) -> tuple[float, bool]:
        """(0, False) when a message to this chat may go now (it is counted as sent); else the seconds to wait
        and whether the whole bot waits (True) or only this chat (False)."""
        wait = self.wait(chat_id, now)
        if wait > 0:
            return wait, False
        wait = self.wait_all(now)
        if wait > 0:
            return wait, True
        self.count(chat_id, now)
        return 0.0, False

    def count(self, chat_id: int, now: float) -> None:
        """A message went (or goes now, without waiting: a direct answer): it counts for its chat and the bot."""
        self.sent(chat_id, now)
        if self.per_second is not None:
            self._tokens, self._tokens_at = max(self._tokens_now(now) - 1, -self.per_second), now


# Pace's rules on Redis, atomically, on the Redis server's clock (the instances' clocks may differ): a sorted
# set of send times per chat, and one token bucket (a hash) for the bot. "take" (the outbox) returns "0" and
# counts the send, or "chat <seconds>" / "all <seconds>" to wait; "count" (a direct answer) counts it anyway.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local burst, interval, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local rate, capacity, take = tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8] == 'take'
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60)
if take then
  local wait = redis.call('PTTL', KEYS[2]) / 1000
  local window = interval * burst
  local recent = redis.call('ZRANGEBYSCORE', KEYS[1], now - window, '+inf', 'WITHSCORES')
  local n = #recent / 2
  if n >= burst then wait = math.max(wait, tonumber(recent[(n - burst) * 2 + 2]) + window - now) end
  if ARGV[4] == '1' then
    local all = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
    local m = #all / 2
    if m >= limit then wait = math.max(wait, tonumber(all[(m - limit) * 2 + 2]) + 60 - now) end
  end
  if wait > 0 then return 'chat ' .. tostring(wait) end
end
if rate > 0 then
  local bucket = redis.call('HMGET', KEYS[3], 'tokens', 'at')
  local tokens = tonumber(bucket[1]) or capacity
  local at = tonumber(bucket[2]) or now
  tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
  if take and tokens < 1 then return 'all ' .. tostring((1 - tokens) / rate) end
  redis.call('HSET', KEYS[3], 'tokens', tostring(math.max(tokens - 1, -rate)), 'at', tostring(now))
  redis.call('EXPIRE', KEYS[3], 60)
end
redis.call('ZADD', KEYS[1], now, ARGV[5])
redis.call('EXPIRE', KEYS[1], 61)
return '0'
"""


class SharedPace:
    """Pace's limits for all instances together, kept in Redis."""

    def __init__(self, redis: Redis, prefix: str, base: Pace | None = None) -> None:
        self.redis, self.prefix = redis, prefix
        self.base = base or Pace()
        self._script = redis.register_script(_RESERVE)

    def _keys(self, chat_id: int) -> list[str]:
        return [f"{self.prefix}:pace:{chat_id}", f"{self.prefix}:pace-pause:{chat_id}", f"{self.prefix}:pace-all"]

    async def _call(self, chat_id: int, mode: str) -> str:
        base = self.base
        args: list[float | str] = [
            base.burst,
            base.interval,
            base.group_limit,
            int(chat_id < 0),
            uuid.uuid4().hex,
            base.per_second or 0,
            base.capacity,
            mode,
        ]
        answer = await self._script(keys=self._keys(chat_id), args=args)
        return answer.decode() if isinstance(answer, bytes) else str(answer)

    async def reserve(self, chat_id: int) -> tuple[float, bool]:
        """As Pace.reserve, for every instance at once."""
        scope, _, seconds = (await self._call(chat_id, "take")).partition(" ")
        return (0.0, False) if scope == "0" else (float(seconds), scope == "all")

    async def count(self, chat_id: int) -> None:
        await self._call(chat_id, "count")

    async def pause(self, chat_id: int, seconds: float) -> None:
        await self.redis.set(self._keys(chat_id)[1], 1, px=max(1, int(seconds * 1000)))


# Set while the outbox sends: its posts have taken their turn already; every other message counts as it goes.
_FROM_OUTBOX: ContextVar[bool] = ContextVar("kenesh_from_outbox", default=False)


class Delivery:
    """The worker that sends the outbox."""

    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker,
        clock: Clock,
        i18n: I18n,
        pace: Pace | None = None,
        shared_pace: SharedPace | None = None,
        sends_at_once: int = 1,
    ) -> None:
        self.bot, self.sessionmaker, self.clock, self.i18n = bot, sessionmaker, clock, i18n
        self.pace = pace or (shared_pace.base if shared_pace is not None else Pace())
        self.shared_pace = shared_pace
        # 1: one post after another, in the order written (the tests' flows read them in that order);
        # production sends SENDS_AT_ONCE at a time, each chat's still in order.
        self.sends_at_once = sends_at_once
        self._slots = asyncio.Semaphore(sends_at_once)
        self._turns = asyncio.Lock()  # the rows on their way take their turns one after another, in order
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False
        # A member's copy of a post about a meeting went unreachable (403) and the chair is not told yet; True at
        # start, so what was recorded before a restart is told too (_report_unreachable).
        self._unreported = True
        if self.pace.per_second is not None:  # every message the bot sends counts for the whole bot's pace
            bot.session.middleware(self._count_direct)

    async def _count_direct(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        """A message sent outside the outbox (an answer to a person's action, a private notice) goes at once
        and takes its turn from the bot's pace, so the outbox waits for it: the outbox yields to replies."""
        chat_id = getattr(method, "chat_id", None)
        if not _FROM_OUTBOX.get() and method.__api_method__ in MESSAGE_METHODS and isinstance(chat_id, int):
            try:
                if self.shared_pace is not None:
                    await self.shared_pace.count(chat_id)
                else:
                    self.pace.count(chat_id, time.monotonic())
            except Exception as error:  # the answer goes anyway: counting it is not worth failing it
                log.warning("Pace: could not count a message to chat %s (%s)", chat_id, type(error).__name__)
        return await make_request(bot, method)

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        if self._task is None:
            async with self.sessionmaker() as session:
                pending = await outbox_repo.any_pending(session)
            if pending:
                log.info("Outbox: unsent posts from before the restart will go out now")
            self._task = asyncio.create_task(self._run(), name="outbox")

    async def stop(self) -> None:
        """Finish the post being sent, then stop: a task cancelled inside a database call could leave the
        connection pool waiting forever at shutdown. What is left stays pending for the next start."""
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            try:
                await asyncio.wait_for(self._task, timeout=15)
            except TimeoutError:
                log.warning("Outbox: stopped while a send was still running")
            self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()  # before the pass: a row enqueued during it wakes the next one at once
            try:
                delay = await self.send_due()
            except Exception:  # the database or the network hiccuped: try again shortly, never die
                log.exception("Outbox pass failed")
                delay = 5.0
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            except TimeoutError:
                pass

    async def drain(self, within: float = 30.0) -> None:
        """Send until nothing is due (tests, and the last act before shutdown); waits out short delays."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            self._wake.clear()
            delay = await self.send_due()
            if delay >= 60 and not self._wake.is_set():
                return
            await asyncio.sleep(min(delay, 0.05))

    async def send_due(self) -> float:
        """Send every due row the pace allows; return seconds until the next one could go (60 if none).

        Up to `sends_at_once` rows are on their way at a time, so the rate reaches the pace even when a send
        takes longer than a turn (Telegram answers in 0.1-0.3 s; 25 a second leaves 0.04 s a turn); one row
        per chat at a time, so each chat's posts keep their order (the chat's next row goes in the next pass)."""
        async with self.sessionmaker() as session:
            rows = await outbox_repo.pending(session, 200)
        next_delay = 60.0 if len(rows) < 200 else 0.0
        blocked_chats: set[int] = set()
        more: set[int] = set()  # chats with a row sent in this pass and another behind it
        waits: dict[int, float | None] = {}
        sending: dict[int, asyncio.Task[float | None]] = {}
        now = self.clock.now()
        try:
            for row in rows:
                if self._stopping:
                    break
                if row.chat_id in blocked_chats:
                    more.add(row.chat_id)
                    continue  # keep each chat's posts in order
                due_in = (row.next_attempt_at - now).total_seconds()
                blocked_chats.add(row.chat_id)
                if due_in > 0:
                    waits[row.chat_id] = due_in
                elif self.sends_at_once == 1:
                    waits[row.chat_id] = wait = await self._deliver(row.id)
                    if wait is None:  # sent: the chat's next row may follow in this pass
                        blocked_chats.discard(row.chat_id)
                else:
                    await self._slots.acquire()
                    task = asyncio.create_task(self._deliver(row.id), name=f"outbox-{row.id}")
                    task.add_done_callback(lambda _task: self._slots.release())
                    sending[row.chat_id] = task
        finally:  # never leave a send behind: each holds a row and a connection
            outcomes = await asyncio.gather(*sending.values(), return_exceptions=True)
        failed = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        for error in failed[1:]:  # the first fails the pass (the worker logs it and tries again shortly)
            log.error("Outbox: a send failed", exc_info=error)
        if failed:
            raise failed[0]
        for chat_id, outcome in zip(sending, outcomes, strict=True):
            waits[chat_id] = cast(float | None, outcome)
        for chat_id, wait in waits.items():
            if wait is not None:  # the chat waits (its pace, a retry, or another instance has the row)
                next_delay = min(next_delay, max(wait, 0.01))
            elif chat_id in more:
                next_delay = 0.0  # its next row goes in the next pass, at once
        if self._unreported and not self._stopping and await self._report_unreachable():
            next_delay = 0.0  # the chair's report goes in the next pass
        return 0.0 if self._stopping else next_delay

    async def _reserve(self, chat_id: int) -> tuple[float, bool]:
        """(0, False): a message to this chat may go now, and is counted as sent; else the seconds to wait,
        and whether the whole bot waits (True) or only this chat (False)."""
        if self.shared_pace is not None:
            return await self.shared_pace.reserve(chat_id)
        return self.pace.reserve(chat_id, time.monotonic())

    async def _take_turn(self, chat_id: int) -> float:
        """Wait for the bot's turn to send (its pace for all chats, shared by the instances); 0 when the
        message may go now, else the seconds this chat must wait."""
        async with self._turns:
            while not self._stopping:
                wait, whole_bot = await self._reserve(chat_id)
                if not whole_bot:
                    return wait
                await asyncio.sleep(wait)  # a few hundredths of a second: the row stays claimed meanwhile
        return 0.5

    async def _pause(self, chat_id: int, seconds: float) -> None:
        if self.shared_pace is not None:
            await self.shared_pace.pause(chat_id, seconds)
        self.pace.pause(chat_id, time.monotonic() + seconds)

    async def _deliver(self, row_id: int) -> float | None:
        """Claim one row, wait for the pace, send it and record what happened. None when the chat may go on
        to its next row; else the seconds before it may (also when another instance is sending the row, or
        has just sent it: the chat's next row waits for the next pass). The row is claimed before its turn
        is taken, so two instances never spend the pace on the same row. On SQLite what it records waits for
        the process's turn to write at its first write, before the scheduled jobs waiting (db/engine.py
        TURN_AT_WRITE)."""
        async with self.sessionmaker(execution_options=TURN_AT_WRITE) as session:
            # Nothing is written before the commit: a query that autoflushed the row's new status (after a send,
            # before an unpin) would hold SQLite's lock and the process's turn across the requests to Telegram.
            session.sync_session.autoflush = False
            row = await outbox_repo.claim(session, row_id)  # FOR UPDATE SKIP LOCKED on PostgreSQL
            if row is None:
                return 0.1
            wait = await self._take_turn(row.chat_id)
            if wait > 0:
                return wait
            try:
                sending = _FROM_OUTBOX.set(True)
                try:
                    message = await self._send(row)
                finally:
                    _FROM_OUTBOX.reset(sending)
            except TelegramRetryAfter as error:
                row.next_attempt_at = self.clock.now() + timedelta(seconds=error.retry_after)
                await self._pause(row.chat_id, error.retry_after)
                row.last_error = f"429 retry after {error.retry_after}"
                log.warning("Outbox %s: Telegram asks to wait %s s (chat %s)", row.id, error.retry_after, row.chat_id)
                await session.commit()
                return float(error.retry_after)
            except (TelegramServerError, TelegramNetworkError) as error:
                row.attempts += 1
                delay = min(MAX_BACKOFF, 2.0**row.attempts) * random.uniform(0.5, 1.5)  # jitter
                row.next_attempt_at = self.clock.now() + timedelta(seconds=delay)
                row.last_error = str(error)[:500]
                log.warning("Outbox %s: %s; retry %d in %.1f s", row.id, type(error).__name__, row.attempts, delay)
                await session.commit()
                return 0.1  # the next pass works out when that row is due again
            except TelegramForbiddenError as error:
                row.status, row.last_error = OutboxStatus.FORBIDDEN, error.message[:500]
                log.warning("Outbox %s: chat %s unreachable (%s)", row.id, row.chat_id, error.message)
                await self._forbidden(session, row)
                await session.commit()
                return None
            except TelegramBadRequest as error:
                row.status, row.last_error = OutboxStatus.FAILED, error.message[:500]
                log.error("Outbox %s: Telegram refused %s to chat %s: %s", row.id, row.kind, row.chat_id, error.message)
                log.debug("Outbox %s request text: %r", row.id, row.text)
                await self._refused(session, row, error.message)
                await session.commit()
                return None
            await self._record_sent(session, row, message)
            log.info("Outbox %s: %s sent to chat %s", row.id, row.kind, row.chat_id)
            return None

    async def _record_sent(self, session: AsyncSession, row: OutboxMessage, message: Message) -> None:
        """Mark the row sent. It went: if SQLite's lock is busy past its timeout all the same, try again rather
        than leave it pending, which would send it a second time."""
        row_id = row.id
        for attempt in range(1, SENT_RECORD_TRIES + 1):
            row.status, row.sent_at, row.message_id = OutboxStatus.SENT, self.clock.now(), message.message_id
            row.document = None  # the archive keeps the data; the queue need not keep the bytes
            try:
                await self._after_sent(session, row, message)
                await session.commit()
                return
            except OperationalError as error:
                if not is_busy(error) or attempt == SENT_RECORD_TRIES:
                    raise
                log.warning("Outbox %s: sent, but the database is busy; recording it again (%d)", row_id, attempt)
                await session.rollback()
                await asyncio.sleep(0.2 * attempt)
                found = await session.get(OutboxMessage, row_id)
                if found is None:
                    raise
                row = found

    async def _send(self, row: OutboxMessage) -> Message:
        markup = InlineKeyboardMarkup.model_validate(row.reply_markup) if row.reply_markup else None
        if row.document is not None:
            return await self.bot.send_document(
                row.chat_id,
                BufferedInputFile(row.document, row.filename or "file"),
                caption=row.text,
                reply_markup=markup,
            )
        if row.text is None:
            raise ValueError(f"Outbox {row.id} has neither a text nor a document")
        return await self.bot.send_message(row.chat_id, row.text, reply_markup=markup)

    async def _after_sent(self, session: AsyncSession, row: OutboxMessage, message: Message) -> None:
        if row.pin:
            try:
                await self.bot.pin_chat_message(row.chat_id, message.message_id, disable_notification=True)
            except (TelegramBadRequest, TelegramForbiddenError) as error:  # no right to pin: the post stands
                log.warning("Outbox %s: could not pin: %s", row.id, error.message)
        # A member's copy (a private chat's id is the person's, positive; a group's is negative) leaves the
        # meeting as it is: the meeting keeps the group's messages.
        if row.ref_id is None or row.chat_id > 0:
            return
        if row.kind == Kind.ANNOUNCEMENT:
            meeting = await meetings_repo.get_meeting(session, row.ref_id)
            if meeting is not None:
                previous, meeting.announcement_message_id = meeting.announcement_message_id, message.message_id
                if previous and row.pin:  # a changed agenda takes the old announcement's place at the top
                    await self._unpin(row, previous)
        elif row.kind == Kind.PROTOCOL_DOC and message.document:
            meeting = await meetings_repo.get_meeting(session, row.ref_id)
            if meeting is not None:
                meeting.protocol_file_id = message.document.file_id
                if meeting.announcement_message_id:  # the meeting is over: its announcement leaves the top
                    await self._unpin(row, meeting.announcement_message_id)

    async def _unpin(self, row: OutboxMessage, message_id: int) -> None:
        try:
            await self.bot.unpin_chat_message(row.chat_id, message_id=message_id)
        except (TelegramBadRequest, TelegramForbiddenError) as error:  # unpinned by hand, or no right to
            log.warning("Outbox %s: could not unpin message %s: %s", row.id, message_id, error.message)

    async def _refused(self, session: AsyncSession, row: OutboxMessage, reason: str) -> None:
        """A post Telegram refused for good (400) is not silently lost: the chair is told, privately and in
        the chair's language, where it should have gone and how it began."""
        council = await councils_repo.get_council(session, row.council_id) if row.council_id else None
        if council is None or row.kind == Kind.REFUSED:
            return
        chair = await members_repo.get_user(session, council.chair_id)
        locale = chair.language if chair and chair.language else self.i18n.default_locale
        member = (
            None if row.chat_id == council.chat_id else await members_repo.member_of(session, council.id, row.chat_id)
        )
        plain = html.unescape(re.sub(r"<[^>]+>", "", row.text or row.filename or ""))
        excerpt = plain if len(plain) <= 300 else plain[:300].rsplit(" ", 1)[0] + " …"

        def report() -> str:
            if row.chat_id == council.chat_id:
                where = _("to the council's group")
            elif member is not None:
                where = _("to {name}, privately").format(name=html.escape(member.full_name, quote=False))
            else:
                where = _("privately to a person")
            return _("⚠️ Telegram refused a post {where}, so it did not go out ({reason}). It began:\n{excerpt}").format(
                where=where, reason=html.escape(reason, quote=False), excerpt=html.escape(excerpt, quote=False)
            )

        with self.i18n.context():
            text = in_locale(locale, report)
        enqueue(session, chat_id=council.chair_id, kind=Kind.REFUSED, now=self.clock.now(), text=text)
        self.wake()

    async def _forbidden(self, session: AsyncSession, row: OutboxMessage) -> None:
        council = await councils_repo.get_council(session, row.council_id) if row.council_id else None
        if council is None:
            return
        with self.i18n.context():
            if row.chat_id == council.chat_id:
                # The group itself is unreachable (the bot was removed): the chair must know, once per outage.
                if await outbox_repo.unreachable_since_last_sent(session, row):
                    return
                chair = await members_repo.get_user(session, council.chair_id)
                locale = chair.language if chair and chair.language else self.i18n.default_locale
                text = in_locale(
                    locale,
                    lambda: _(
                        "I cannot post to the council's group any more (was I removed from it?). Add me back to the "
                        "group; the council and its records are kept."
                    ),
                )
                enqueue(session, chat_id=council.chair_id, kind=Kind.PERSONAL, now=self.clock.now(), text=text)
            elif row.ref_id is not None and row.kind != Kind.UNREACHABLE and row.chat_id != council.chair_id:
                self._unreported = True  # told at the end of the pass, once the whole post has gone
            elif row.kind == Kind.TO_CHAIR:
                # Telegram does not let a bot write first: ask the chair, in the group, to open the bot.
                text = group_text(
                    council.group_language,
                    lambda: _(
                        "A new application to the council is waiting for the chair. Chair: open the bot and send "
                        "/members."
                    ),
                )
                enqueue(
                    session,
                    chat_id=council.chat_id,
                    kind=Kind.NOTICE,
                    now=self.clock.now(),
                    text=text,
                    council_id=council.id,
                )
        self.wake()

    async def _report_unreachable(self) -> bool:
        """The members a post about a meeting could not reach (403: they blocked the bot or never started it) are
        told to the chair privately, in one report per post naming them all, and each member once per meeting.
        Run after a pass, when every copy of the post has gone (several go at once: one report, not one per copy).
        Each copy names the report that told of it, written with the report, so nothing is told twice, also by
        two instances (the copies are marked only where unmarked). True when a report was written."""
        self._unreported = False
        written = False
        async with self.sessionmaker(execution_options=TURN_AT_WRITE) as session:
            posts: dict[tuple[int, int, str, datetime], list[tuple[int, int]]] = {}
            for copy_id, council_id, meeting_id, kind, created_at, chat_id in await outbox_repo.unreported(session):
                posts.setdefault((council_id, meeting_id, kind, created_at), []).append((copy_id, chat_id))
            for (council_id, meeting_id, kind, created_at), copies in posts.items():
                if await outbox_repo.post_going_out(session, council_id, meeting_id, kind, created_at):
                    self._unreported = True  # the rest of the post first
                    continue
                report_id = await self._write_report(session, council_id, meeting_id, kind, copies)
                if await outbox_repo.mark_reported(session, report_id, copies):
                    await session.commit()
                    written |= report_id > 0
                else:  # another instance told of this post meanwhile
                    await session.rollback()
        return written

    async def _write_report(
        self, session: AsyncSession, council_id: int, meeting_id: int, kind: str, copies: list[tuple[int, int]]
    ) -> int:
        """The chair's report on these copies of one post (its id), or 0 when there is nothing to tell: the
        members were told of for this meeting before, the chair's own copy, a meeting or council gone."""
        council = await councils_repo.get_council(session, council_id)
        meeting = await meetings_repo.get_meeting(session, meeting_id)
        if council is None or meeting is None:
            return 0
        told = await outbox_repo.reported_members(session, council_id, meeting_id)
        names = []
        for _copy, chat_id in copies:
            member = (
                None
                if chat_id in told or chat_id == council.chair_id
                else await members_repo.member_of(session, council.id, chat_id)
            )
            if member is not None:
                names.append(member.full_name)
        if not names:
            return 0
        locale = await self._chair_locale(session, council)
        with self.i18n.context():
            text = in_locale(locale, lambda: ui_meetings.undelivered(kind, meeting, names, self.clock.tz))
        report = enqueue(
            session,
            chat_id=council.chair_id,
            kind=Kind.UNREACHABLE,
            now=self.clock.now(),
            council_id=council.id,
            ref_id=meeting.id,
            text=text,
        )
        await session.flush()  # its id, for the copies that it names
        return report.id

    async def _chair_locale(self, session: AsyncSession, council: Council) -> str:
        chair = await members_repo.get_user(session, council.chair_id)
        return chair.language if chair and chair.language else self.i18n.default_locale
