"""Messages built from data, in the current locale. Pure: no I/O, so each is tested on its own."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot import rules
from bot.i18n import fmt_date
from bot.keyboards import role_label
from bot.rendering import esc, split_blocks
from db.models import Council, Material, MaterialState, Member, MemberStatus

if TYPE_CHECKING:
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
            _("/close — close the meeting and post the protocol"),
            _("/materials — review the submitted materials"),
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
