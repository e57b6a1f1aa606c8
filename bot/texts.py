"""Messages built from data, in the current locale. Pure: no I/O, so each is tested on its own."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot import rules
from bot.i18n import fmt_date
from bot.keyboards import role_label
from bot.membership import Roster
from bot.rendering import esc, split_blocks
from db.models import Council, Member, MemberStatus


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


def help_text(places: list[Member], chair_of: list[Council]) -> str:
    lines = [_("<b>Commands</b>")]
    lines.append(_("/members — the council's members"))
    lines.append(_("/regulation — the regulation of the methodical council"))
    lines.append(_("/lang — change the language"))
    if chair_of:
        lines += ["", _("<b>For the chair</b>")]
        lines.append(_("/members — approve applications, name the secretary, hand over the chair"))
        lines.append(_("/setup — in the council's group: create the council and get the join link"))
    if not places:
        lines = [
            _("<b>Commands</b>"),
            _("/start — how to join the methodical council"),
            _("/regulation — the regulation of the methodical council"),
            _("/lang — change the language"),
        ]
    lines.append(_("/help — this list"))
    return "\n".join(lines)
