"""The outbox: posts written with the change that causes them, then claimed, sent and marked by the worker."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import OutboxMessage, OutboxStatus
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
# the chair is told in one report per post, and of each member once per meeting.


async def member_already_reported(session: AsyncSession, row: OutboxMessage) -> bool:
    """The chair was told before that this member did not get a post about this meeting."""
    return (
        await session.scalar(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.council_id == row.council_id,
                OutboxMessage.chat_id == row.chat_id,
                OutboxMessage.ref_id == row.ref_id,
                OutboxMessage.id != row.id,
                OutboxMessage.reported_in.is_not(None),
            )
            .limit(1)
        )
        is not None
    )


async def open_report(session: AsyncSession, row: OutboxMessage) -> OutboxMessage | None:
    """The chair's report on this row's post (the same council, meeting, kind and moment) while it still waits to
    go, locked (another instance sending it skips nothing: it is not taken from under it)."""
    told_in = select(OutboxMessage.reported_in).where(
        OutboxMessage.council_id == row.council_id,
        OutboxMessage.ref_id == row.ref_id,
        OutboxMessage.kind == row.kind,
        OutboxMessage.created_at == row.created_at,
        OutboxMessage.reported_in.is_not(None),
    )
    return await session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(told_in), OutboxMessage.status == OutboxStatus.PENDING)
        .order_by(OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


async def reported_chats(session: AsyncSession, report_id: int) -> list[int]:
    """The members a report names, in the order they were found."""
    rows = await session.execute(
        select(OutboxMessage.chat_id, func.min(OutboxMessage.id))
        .where(OutboxMessage.reported_in == report_id)
        .group_by(OutboxMessage.chat_id)
        .order_by(func.min(OutboxMessage.id))
    )
    return [chat_id for chat_id, _ in rows]
