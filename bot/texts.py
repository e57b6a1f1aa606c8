"""Messages built from data, in the current locale. Pure: no I/O, so each is tested on its own."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot import rules
from bot.i18n import GROUP_LANGUAGE_NAMES, fmt_date, fmt_datetime
from bot.keyboards import role_label
from bot.meeting_texts import outcome_text
from bot.rendering import esc, split_blocks
from db.models import (
    AuditAction,
    AuditEntry,
    AuditObject,
    Council,
    Material,
    MaterialState,
    Member,
    MemberStatus,
    Outcome,
    Role,
)

if TYPE_CHECKING:
    from bot.audit import Line as AuditLine
    from bot.audit import LogPage
    from bot.membership import Roster


def member_line(member: Member, council: Council, tz: ZoneInfo) -> str:
    parts = [f"<b>{esc(member.full_name)}</b> — {role_label(member.role)}"]
    if council.secretary_id == member.user_id and member.status is MemberStatus.APPROVED:
        parts.append(_("secretary"))
    if member.regulation_confirmed_at:
        parts.append(_("regulation read {date}").format(date=fmt_date(member.regulation_confirmed_at, tz)))
    else:
        parts.append(_("regulation not yet confirmed"))
    if member.order_number:
        parts.append(_("order No. {number}").format(number=esc(member.order_number)))
    return " · ".join(parts)


def roster_messages(roster: Roster, tz: ZoneInfo) -> list[str]:
    council = roster.council
    voting = [m for m in roster.approved if m.role.votes]
    participants = [m for m in roster.approved if not m.role.votes]
    count = len(voting)
    blocks = [
        _("<b>Methodical council: {title}</b>").format(title=esc(council.title)),
        _("{count} member with a vote", "{count} members with a vote", count).format(count=count)
        + " · "
        + _("quorum: {needed} present").format(needed=rules.quorum_needed(count)),
        "",
    ]
    blocks += [f"{i}. {member_line(m, council, tz)}" for i, m in enumerate(voting, 1)]
    if participants:
        blocks += ["", _("<b>Participants without a vote</b>")]
        blocks += [f"{i}. {member_line(m, council, tz)}" for i, m in enumerate(participants, 1)]
    if roster.pending:
        blocks += ["", _("<b>Waiting for the chair's approval</b>")]
        blocks += [f"{i}. {member_line(m, council, tz)}" for i, m in enumerate(roster.pending, 1)]
    if roster.viewer_is_chair:
        blocks += ["", _("Press a name to open the member's card.")]
    return split_blocks(blocks)


def member_card(member: Member, council: Council, tz: ZoneInfo) -> str:
    status = {
        MemberStatus.PENDING: _("waiting for approval"),
        MemberStatus.APPROVED: _("approved") if member.role.votes else _("registered as a participant without a vote"),
        MemberStatus.REJECTED: _("rejected"),
        MemberStatus.REMOVED: _("removed from the council"),
    }[member.status]
    lines = [
        f"<b>{esc(member.full_name)}</b>",
        _("Role: {role}").format(role=role_label(member.role)),
        _("Status: {status}").format(status=status),
    ]
    if member.regulation_confirmed_at:
        lines.append(_("Regulation read: {date}").format(date=fmt_date(member.regulation_confirmed_at, tz)))
    elif member.role is Role.CHAIR:
        # Approved at /setup without reading it: until the chair confirms it, the card says so.
        lines.append(
            _("⚠️ The regulation is not confirmed yet: the chair confirms it through the join link in the group.")
        )
    else:
        lines.append(_("⚠️ The regulation is not confirmed yet."))
    if member.order_number:
        lines.append(_("Director's order No. {number}").format(number=esc(member.order_number)))
    if council.secretary_id == member.user_id:
        lines.append(_("Secretary of the council"))
    return "\n".join(lines)


def application_text(member: Member, council: Council, tz: ZoneInfo) -> str:
    return "\n".join(
        [
            _("<b>New application</b> to the methodical council «{title}»").format(title=esc(council.title)),
            f"<b>{esc(member.full_name)}</b>",
            _("Role: {role}").format(role=role_label(member.role)),
            _("Regulation read: {date}").format(date=fmt_date(member.regulation_confirmed_at, tz))
            if member.regulation_confirmed_at
            else "",
        ]
    ).strip()


def help_text(*, member: bool, chair: bool, runs_meetings: bool) -> str:
    """The commands this person's role can use: anyone, member, chair or secretary."""
    if not member:
        return "\n".join(
            [
                _("<b>Commands</b>"),
                _("/start — how to join the methodical council"),
                _("/regulation — the regulation of the methodical council"),
                _("/lang — change the language"),
                _("/help — this list"),
            ]
        )
    lines = [
        _("<b>Commands</b>"),
        _("/meetings — meetings: upcoming and past"),
        _("/protocols — protocols of past meetings"),
        _("/submit — send a methodical material to the council (or just send the file)"),
        _("/bank — the bank of pedagogical ideas; /bank words — search it"),
        _("/members — the council's members"),
        _("/plan — the annual plan (cyclogram) of the council"),
        _("/decisions — decisions followed up: open, done, overdue"),
        _("/regulation — the regulation of the methodical council"),
        _("/lang — change the language"),
        _("/help — this list"),
    ]
    if runs_meetings:
        lines += [
            "",
            _("<b>For the chair and the secretary</b>"),
            _("/agenda — announce a meeting (at least 7 days ahead)"),
            _("/open — open today's meeting: attendance in the group"),
            _("/vote — put a decision to the vote; /vote 2 … for agenda item 2"),
            _("/secretvote — the same as a secret ballot"),
            _("/heard 2 Осмонова Г. — who reported on item 2, for the protocol"),
            _("/close — close the meeting and post the protocol"),
            _("/materials — review the submitted materials"),
            _("/log — who did what in the council's record, newest first"),
            _("/plan — draw up the annual plan; /plan order 15 01.10.2026 — the director's order approving it"),
            _("/report — the year in figures: a message, an .xlsx and a chart"),
        ]
    if chair:
        lines += [
            "",
            _("<b>For the chair</b>"),
            _("/members — approve applications, name the secretary, hand over the chair"),
            _("/settings — the language of the council's posts in the group"),
            _("/export — the year's protocols, the approved plan and the report in one .zip"),
            _("/setup — in the council's group: create the council and get the join link"),
        ]
    return "\n".join(lines)


def material_card(material: Material, author_name: str) -> str:
    """A material as the chair reviews it (and as the bank shows it)."""
    from bot.keyboards import kind_label

    state = {
        MaterialState.SUBMITTED: _("submitted"),
        MaterialState.ON_AGENDA: _("on a meeting's agenda"),
        MaterialState.APPROVED: _("approved for the bank"),
        MaterialState.RETURNED: _("returned for revision"),
        MaterialState.REJECTED: _("rejected by the council"),
    }[material.state]
    lines = [
        _("<b>Material No. {number}</b> (version {version})").format(number=material.id, version=material.version),
        f"<b>{esc(material.title)}</b>",
        _("Kind: {kind}").format(kind=kind_label(material.kind)),
        _("Subject: {subject}").format(subject=esc(material.subject)),
        _("Author: {name}").format(name=esc(author_name)),
        _("File: {name}, {size} KB").format(name=esc(material.file_name), size=max(1, material.size // 1024)),
        _("State: {state}").format(state=state),
    ]
    if material.description:
        lines.append(esc(material.description))
    return "\n".join(lines)


# --- /log: who did what (issue 8) --------------------------------------------------------------------------


def audit_action_label(action: AuditAction) -> str:
    """What was done, as a noun phrase: the same words for the chair, the secretary and either language."""
    return {
        AuditAction.MEMBER_APPROVED: _("approval of an application"),
        AuditAction.MEMBER_REJECTED: _("rejection of an application"),
        AuditAction.MEMBER_REMOVED: _("removal from the council"),
        AuditAction.ORDER_NUMBER_SET: _("number of the director's order"),
        AuditAction.SECRETARY_NAMED: _("naming of the secretary"),
        AuditAction.CHAIR_HANDED_OVER: _("handing over of the chairmanship"),
        AuditAction.MEETING_PUBLISHED: _("announcement of a meeting"),
        AuditAction.MEETING_MOVED: _("moving of a meeting"),
        AuditAction.MEETING_CANCELLED: _("cancellation of a meeting"),
        AuditAction.MEETING_OPENED: _("opening of a meeting"),
        AuditAction.MEETING_CLOSED: _("closing of a meeting"),
        AuditAction.PRESENCE_MARKED: _("marked present"),
        AuditAction.PRESENCE_UNMARKED: _("mark of presence removed"),
        AuditAction.VOTE_OPENED: _("start of a vote"),
        AuditAction.VOTE_CLOSED: _("end of a vote"),
        AuditAction.MATERIAL_APPROVED: _("material approved for the bank"),
        AuditAction.MATERIAL_RETURNED: _("material returned for revision"),
        AuditAction.MATERIAL_REJECTED: _("material rejected"),
        AuditAction.MATERIAL_ON_AGENDA: _("material put on a meeting's agenda"),
        AuditAction.GROUP_LANGUAGE_SET: _("language of the council's posts in the group"),
        AuditAction.TRIMESTERS_SET: _("trimesters"),
        AuditAction.JOIN_LINK_REPLACED: _("join link replaced"),
    }[action]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _audit_object(line: AuditLine, tz: ZoneInfo) -> str:
    entry = line.entry
    name = esc(_cut(entry.obj_name, 60)) if entry.obj_name else None
    if entry.obj_kind is AuditObject.MEMBER:
        return name or ""
    if entry.obj_kind is AuditObject.MATERIAL:
        return _("material No. {number} «{title}»").format(number=entry.obj_id, title=name or "")
    if entry.obj_kind is AuditObject.VOTE:
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
    return esc(_cut(value, 60))


def _audit_change(entry: AuditEntry, tz: ZoneInfo) -> str:
    if entry.action is AuditAction.VOTE_OPENED:
        return _("secret ballot") if entry.after == "secret" else ""
    if entry.action is AuditAction.VOTE_CLOSED and entry.after:
        return outcome_text(Outcome(entry.after))
    if entry.action is AuditAction.MEETING_CLOSED and entry.after:
        return _("protocol No. {number}").format(number=esc(entry.after))
    if entry.action in (
        AuditAction.ORDER_NUMBER_SET,
        AuditAction.MEETING_MOVED,
        AuditAction.GROUP_LANGUAGE_SET,
        AuditAction.TRIMESTERS_SET,
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
    head = _("<b>Log of the council «{title}»</b>").format(title=esc(page.council.title))
    if not page.lines:
        return head + "\n\n" + _("Nothing has been recorded yet.")
    head += "\n" + _("Page {page} of {pages}, newest first").format(page=page.number + 1, pages=page.pages)
    return "\n\n".join([head, *(audit_line(line, tz) for line in page.lines)])
