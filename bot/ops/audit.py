"""Who did what to the council's record (issue 8): one entry per change, in the transaction of the change.

`record` only adds the entry to the session: the operation that made the change commits both at once, so
the record and its log cannot disagree. A ballot is never an entry: a secret ballot's choice is nobody's to log.
"""

from __future__ import annotations

import enum
import math
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import AuditLine, LogPage
from bot.ops.access import council_for_runner
from db.models import (
    AuditAction,
    AuditEntry,
    AuditObject,
    MaterialState,
)
from db.repo import audit as audit_repo

# The chair's three decisions over a material, as log actions.
MATERIAL_DECISIONS = {
    MaterialState.APPROVED: AuditAction.MATERIAL_APPROVED,
    MaterialState.RETURNED: AuditAction.MATERIAL_RETURNED,
    MaterialState.REJECTED: AuditAction.MATERIAL_REJECTED,
}
PAGE = 10
SHORT = 300  # the before/after columns


def _short(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)[:SHORT]


def record(
    session: AsyncSession,
    *,
    council_id: int,
    actor_id: int | None,
    action: AuditAction,
    obj_kind: AuditObject,
    obj_id: int | None,
    before: object = None,
    after: object = None,
    now: datetime,
) -> AuditEntry | None:
    """Add one entry to the session; the caller's commit writes it with the change (never a secret).

    A change to the same value (the current group language pressed again) changed nothing: no entry."""
    if (before is not None or after is not None) and _short(before) == _short(after):
        return None
    entry = AuditEntry(
        council_id=council_id,
        at=now,
        actor_id=actor_id,
        action=action,
        obj_kind=obj_kind,
        obj_id=obj_id,
        before=_short(before),
        after=_short(after),
    )
    return audit_repo.add_entry(session, entry)  # with the actor's and the object's names, no extra query


async def withdraw(session: AsyncSession, action: AuditAction, obj_kind: AuditObject, obj_id: int) -> None:
    """An action Telegram made us undo (its group message was never posted): it did not happen, so its
    entry goes in the transaction that undoes it. Nothing else is ever removed from the log."""
    await audit_repo.withdraw(session, action, obj_kind, obj_id)


async def log_page(session: AsyncSession, user_id: int, page: int) -> LogPage:
    """A page of the log of the council this person runs (the chair or the secretary), newest first."""
    council = await council_for_runner(session, user_id)
    total = await audit_repo.count_entries(session, council.id)
    pages = max(1, math.ceil(total / PAGE))
    page = max(0, min(page, pages - 1))
    rows = await audit_repo.latest_entries(session, council.id, PAGE, page * PAGE)
    return LogPage(council, [AuditLine(entry, starts_at) for entry, starts_at in rows], page, pages)
