"""The outbox: posts written with the change that causes them, then claimed, sent and marked by the worker."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import OutboxMessage, OutboxStatus
from db.repo import rows_changed
from db.repo.councils import not_paused

OUTBOX_FLAG = "outbox_written"  # in session.info: after the commit, the outbox worker is woken


class Kind:
    """What a post is, for the log and for what follows its sending."""

    ANNOUNCEMENT = "announcement"  # pinned; the meeting keeps its message id
    NOTICE = "notice"
    REMINDER = "reminder"
    PROTOCOL = "protocol"
    PROTOCOL_DOC = "protocol_doc"  # the meeting keeps the document's file id
    WARNING = "warning"
    TO_CHAIR = "to_chair"  # if the chair never opened the bot, a short note in the group sends them there
    PERSONAL = "personal"
    REFUSED = "refused"  # the chair told that Telegram refused a post; never reported in turn
    UNREACHABLE = "unreachable"  # the chair told which members a post could not reach; never reported in turn


def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    kind: str,
    now: datetime,
    text: str | None = None,
    markup: Any = None,  # an aiogram InlineKeyboardMarkup (stored as its JSON)
    council_id: int | None = None,
    ref_id: int | None = None,
    pin: bool = False,
    document: bytes | None = None,
    filename: str | None = None,
) -> OutboxMessage:
    """Only adds the row to the caller's session: the caller's one commit makes the change and the post
    durable together."""
    row = OutboxMessage(
        kind=kind,
        chat_id=chat_id,
        council_id=council_id,
        ref_id=ref_id,
        text=text,
        reply_markup=markup.model_dump(mode="json", exclude_none=True) if markup else None,
        document=document,
        filename=filename,
        pin=pin,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    session.info[OUTBOX_FLAG] = True  # the session's owner wakes the worker once the update is done
    return row


async def any_pending(session: AsyncSession) -> bool:
    return (
        await session.scalar(select(OutboxMessage.id).where(OutboxMessage.status == OutboxStatus.PENDING).limit(1))
        is not None
    )


async def pending(session: AsyncSession, limit: int) -> Sequence[OutboxMessage]:
    """The oldest pending rows first (each chat's posts go in order); a paused council's wait, held."""
    return (
        await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING, not_paused(OutboxMessage.council_id))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    ).all()


async def claim(session: AsyncSession, row_id: int) -> OutboxMessage | None:
    """The row, locked for this transaction, if it is still pending, its council not paused, and no other
    instance holds it. (SQLite has neither FOR UPDATE nor a second instance; SQLAlchemy leaves the clause out.)"""
    return await session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.id == row_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            not_paused(OutboxMessage.council_id),
        )
        .with_for_update(skip_locked=True)
    )


async def unreachable_since_last_sent(session: AsyncSession, row: OutboxMessage) -> bool:
    """Another post to this chat was refused as unreachable (403) after the last one that went out."""
    last_sent = await session.scalar(
        select(func.max(OutboxMessage.id)).where(
            OutboxMessage.chat_id == row.chat_id, OutboxMessage.status == OutboxStatus.SENT
        )
    )
    earlier = await session.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.chat_id == row.chat_id,
            OutboxMessage.status == OutboxStatus.FORBIDDEN,
            OutboxMessage.id != row.id,
            OutboxMessage.id > (last_sent or 0),
        )
        .limit(1)
    )
    return earlier is not None


# A member's copy of a post about a meeting (ref_id) that Telegram refused with 403 (blocked, never started):
# the chair is told in one report per post, and of each member once per meeting (bot/runtime/outbox.py). A copy
# names the report that told of it in `reported_in` (0: nothing to tell).


async def unreported(session: AsyncSession) -> list[tuple[int, int, int, str, datetime, int]]:
    """Members' copies of posts about a meeting that could not reach them and are not told of yet: (id, council,
    meeting, kind, when the post was written, chat)."""
    rows = await session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.council_id,
            OutboxMessage.ref_id,
            OutboxMessage.kind,
            OutboxMessage.created_at,
            OutboxMessage.chat_id,
        )
        .where(
            OutboxMessage.status == OutboxStatus.FORBIDDEN,
            OutboxMessage.reported_in.is_(None),
            OutboxMessage.ref_id.is_not(None),
            OutboxMessage.council_id.is_not(None),
            OutboxMessage.chat_id > 0,
            OutboxMessage.kind != Kind.UNREACHABLE,
        )
        .order_by(OutboxMessage.id)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def post_going_out(session: AsyncSession, council_id: int, meeting_id: int, kind: str, at: datetime) -> bool:
    """Copies of this post (the same council, meeting, kind and moment) still wait to go."""
    return (
        await session.scalar(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.council_id == council_id,
                OutboxMessage.ref_id == meeting_id,
                OutboxMessage.kind == kind,
                OutboxMessage.created_at == at,
            )
            .limit(1)
        )
        is not None
    )


async def reported_members(session: AsyncSession, council_id: int, meeting_id: int) -> set[int]:
    """The members (chat ids) the chair was told of before for this meeting."""
    rows = await session.scalars(
        select(OutboxMessage.chat_id).where(
            OutboxMessage.council_id == council_id,
            OutboxMessage.ref_id == meeting_id,
            OutboxMessage.reported_in > 0,
            OutboxMessage.kind != Kind.UNREACHABLE,
        )
    )
    return set(rows)


async def mark_reported(session: AsyncSession, report_id: int, copies: list[tuple[int, int]]) -> bool:
    """Each copy names the report (0: nothing to tell); False when another instance marked one meanwhile."""
    ids = [copy_id for copy_id, _chat in copies]
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.reported_in.is_(None))
        .values(reported_in=report_id)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result) == len(ids)
