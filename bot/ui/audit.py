"""/log: who did what to the council's record, newest first, a page at a time (issue 8)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot import rules
from bot.domain import AuditLine, LogPage
from bot.i18n import GROUP_LANGUAGE_NAMES, fmt_date, fmt_datetime
from bot.i18n import gettext as _
from bot.ui.callbacks import LogCb
from bot.ui.labels import audit_action_label, outcome_label, rating_label, scale_label
from bot.ui.render import council_name, esc
from db.models import AuditAction, AuditEntry, AuditObject, Outcome, Rating, RatingScale

# A vote's entry holds a value of one of these (Python 3.11: `in` an enum takes members, not strings).
_SCALES = frozenset(scale.value for scale in RatingScale)
_OUTCOMES = frozenset(outcome.value for outcome in Outcome)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _audit_object(line: AuditLine, tz: ZoneInfo) -> str:
    entry = line.entry
    name = esc(_cut(entry.obj_name, 60)) if entry.obj_name else None
    if entry.obj_kind is AuditObject.MEMBER:
        return name or ""
    if entry.obj_kind is AuditObject.MATERIAL:
        return _("material No. {number} «{title}»").format(number=entry.obj_id, title=name or "")
    if entry.obj_kind in (AuditObject.VOTE, AuditObject.GROUP):
        return f"«{name}»" if name else ""
    if entry.obj_kind is AuditObject.MEETING and line.meeting_at is not None:
        return _("meeting ({date})").format(date=fmt_datetime(line.meeting_at, tz))
    return ""


def _audit_value(action: AuditAction, value: str | None, tz: ZoneInfo) -> str:
    """A stored before/after value as the reader reads it."""
    if value is None:
        return "—"
    if action is AuditAction.MEETING_MOVED:
        return fmt_datetime(datetime.fromisoformat(value), tz)
    if action is AuditAction.GROUP_LANGUAGE_SET:
        return GROUP_LANGUAGE_NAMES.get(value, esc(value))
    if action is AuditAction.TRIMESTERS_SET:
        return rules.trimester_text(value)
    if action is AuditAction.RATING_SCALE_SET and value in _SCALES:
        return scale_label(RatingScale(value))
    return esc(_cut(value, 60))


def _audit_change(entry: AuditEntry, tz: ZoneInfo) -> str:
    if entry.action is AuditAction.VOTE_OPENED:  # a secret ballot, or a rating vote's scale
        if entry.after in _SCALES:
            return _("scale: {scale}").format(scale=scale_label(RatingScale(entry.after)))
        return _("secret ballot") if entry.after == "secret" else ""
    if entry.action is AuditAction.VOTE_CLOSED and entry.after:  # the outcome, or a report's rating
        if entry.after in _OUTCOMES:
            return outcome_label(Outcome(entry.after))
        return _("rating: {rating}").format(rating=rating_label(Rating(entry.after)))
    if entry.action is AuditAction.MEETING_CLOSED and entry.after:
        return _("protocol No. {number}").format(number=esc(entry.after))
    if entry.action is AuditAction.OPERATOR_NOTICE and entry.after:
        return f"«{esc(_cut(entry.after, 60))}»"
    if entry.action in (
        AuditAction.ORDER_NUMBER_SET,
        AuditAction.MEETING_MOVED,
        AuditAction.GROUP_LANGUAGE_SET,
        AuditAction.RATING_SCALE_SET,
        AuditAction.TRIMESTERS_SET,
        AuditAction.FOUNDING_SET,
        AuditAction.CHAIR_ORDER_SET,
    ):
        before, after = _audit_value(entry.action, entry.before, tz), _audit_value(entry.action, entry.after, tz)
        return f"{before} → {after}"
    return ""


def audit_line(line: AuditLine, tz: ZoneInfo) -> str:
    """One entry: when (the council's time), who, what, on what, before → after."""
    entry = line.entry
    when = f"{fmt_date(entry.at, tz)}, {entry.at.astimezone(tz):%H:%M}"
    if entry.actor_name:
        who = esc(_cut(entry.actor_name, 64))
    elif entry.actor_id is not None:
        who = _("user {id}").format(id=entry.actor_id)
    else:
        who = _("the bot")
    what = audit_action_label(entry.action)
    for part in (_audit_object(line, tz), _audit_change(entry, tz)):
        if part:
            what += f" · {part}"
    return f"<b>{when}</b> — {who}\n{what}"


def log_text(page: LogPage, tz: ZoneInfo) -> str:
    head = _("<b>Log of the council «{title}»</b>").format(title=esc(council_name(page.council.title)))
    if not page.lines:
        return head + "\n\n" + _("Nothing has been recorded yet.")
    head += "\n" + _("Page {page} of {pages}, newest first").format(page=page.number + 1, pages=page.pages)
    return "\n\n".join([head, *(audit_line(line, tz) for line in page.lines)])


def log_keyboard(page: int, pages: int) -> InlineKeyboardMarkup | None:
    """/log: older entries to the left, newer to the right (the log reads newest first)."""
    navigation = []
    if page + 1 < pages:
        navigation.append(InlineKeyboardButton(text=_("‹ Older"), callback_data=LogCb(page=page + 1).pack()))
    if page > 0:
        navigation.append(InlineKeyboardButton(text=_("Newer ›"), callback_data=LogCb(page=page - 1).pack()))
    return InlineKeyboardMarkup(inline_keyboard=[navigation]) if navigation else None
