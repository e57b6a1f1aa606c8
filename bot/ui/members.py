"""Members: registration (language, name, role, the regulation), applications, /members and member cards."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import rules
from bot.domain import Affiliation, Roster
from bot.i18n import fmt_date
from bot.i18n import gettext as _
from bot.ui.callbacks import (
    ApplicationAction,
    ApplicationCb,
    MemberAction,
    MemberCb,
    OrdersPendingCb,
    RegulationCb,
    RegulationReadCb,
    RoleCb,
)
from bot.ui.common import CHOOSE_LANGUAGE, help_text
from bot.ui.labels import group_title, head_of, member_status_label, role_label
from bot.ui.render import council_name, esc, split_blocks
from db.models import Council, GroupKind, Member, MemberStatus, Role

# --- registration -------------------------------------------------------------------------------------------


def join_greeting(council: Council) -> str:
    """The first answer to a join link: the council's name, and the language question in both languages."""
    return f"<b>{esc(council.title)}</b>\n{CHOOSE_LANGUAGE}"


def choose_role(name: str) -> str:
    return _("{name}, choose your role in the council:").format(name=esc(name))


def role_chosen(name: str, role: Role) -> str:
    """The role question with its answer, in place of the buttons."""
    return f"{choose_role(name)} <b>{role_label(role)}</b>"


def chair_confirmed(name: str) -> str:
    return _(
        "Thank you, {name}. Your confirmation of the regulation is saved. You are the chair: "
        "send /members to see applications and /help for all commands."
    ).format(name=esc(name))


def application_sent(name: str) -> str:
    return _("Thank you, {name}. Your application is sent to the chair. I will tell you the decision here.").format(
        name=esc(name)
    )


def role_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for role in (Role.HEAD_MA, Role.HEAD_CG, Role.TEACHER, Role.PARTICIPANT):
        builder.button(text=role_label(role).capitalize(), callback_data=RoleCb(role=role))
    builder.adjust(1)
    return builder.as_markup()


def regulation_keyboard(council_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("I have read the regulation"), callback_data=RegulationCb(council_id=council_id))
    return builder.as_markup()


def regulation_confirm_keyboard(version: str) -> InlineKeyboardMarkup:
    """Under /regulation, for a member who has not confirmed this edition yet."""
    builder = InlineKeyboardBuilder()
    builder.button(text=_("I have read the regulation"), callback_data=RegulationReadCb(version=version))
    return builder.as_markup()


def regulation_confirmed() -> str:
    return _("Thank you. Your confirmation of the regulation is saved.")


def regulation_reminder() -> str:
    return _(
        "The regulation of the methodical council has a new edition. Read it and confirm that you have read it: "
        "send /regulation."
    )


def join_keyboard(link: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=_("Join the council"), url=link)]])


# --- applications -------------------------------------------------------------------------------------------


def application_text(member: Member, council: Council, tz: ZoneInfo) -> str:
    return "\n".join(
        [
            _("<b>New application</b> to the methodical council «{title}»").format(
                title=esc(council_name(council.title))
            ),
            f"<b>{esc(member.full_name)}</b>",
            _("Role: {role}").format(role=role_label(member.role)),
            _("Regulation read: {date}").format(date=fmt_date(member.regulation_confirmed_at, tz))
            if member.regulation_confirmed_at
            else "",
        ]
    ).strip()


def application_keyboard(member_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    _verdict_buttons(builder, member_id)
    builder.adjust(2)
    return builder.as_markup()


def _verdict_buttons(builder: InlineKeyboardBuilder, member_id: int, *, on_card: bool = False) -> None:
    approve, reject = (
        (ApplicationAction.APPROVE_ON_CARD, ApplicationAction.REJECT_ON_CARD)
        if on_card
        else (ApplicationAction.APPROVE, ApplicationAction.REJECT)
    )
    builder.button(text=_("Approve"), callback_data=ApplicationCb(action=approve, member_id=member_id))
    builder.button(text=_("Reject"), callback_data=ApplicationCb(action=reject, member_id=member_id))


def application_verdict(approve: bool) -> str:
    """The chair's answer, as the button's toast says it."""
    return _("Approved") if approve else _("Rejected")


def application_decided(member: Member, council: Council, tz: ZoneInfo, approve: bool) -> str:
    return f"{application_text(member, council, tz)}\n\n{'✅' if approve else '❌'} {application_verdict(approve)}"


def application_decided_keyboard(member_id: int, approve: bool) -> InlineKeyboardMarkup | None:
    """An approved member's order number is the chair's next step; a rejected application has none."""
    return approved_keyboard(member_id) if approve else None


def approved_keyboard(member_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Add the order number"), callback_data=MemberCb(action=MemberAction.ORDER, member_id=member_id)
    )
    return builder.as_markup()


def application_outcome(member: Member, council: Council, approve: bool) -> str:
    """To the applicant: the chair's decision on their application."""
    if approve and member.role.votes:
        text = _(
            "The chair approved you as a member of the methodical council «{title}». Send /help to see what you can do."
        )
    elif approve:
        text = _(
            "The chair approved you as a participant of the methodical council «{title}» "
            "(without a vote). Send /help to see what you can do."
        )
    else:
        text = _(
            "The chair did not approve your application to the methodical council «{title}». "
            "If this is a mistake, speak to the chair; you may apply again with the join link."
        )
    return text.format(title=esc(council_name(council.title)))


def named_secretary(council: Council) -> str:
    """To the member the chair names the secretary."""
    return _("You are named the secretary of the methodical council «{title}».").format(
        title=esc(council_name(council.title))
    )


def handed_the_chair(council: Council) -> str:
    """To the member the chair hands the chair over to."""
    return _(
        "You are now the chair of the methodical council «{title}». Send /help to see the chair's commands."
    ).format(title=esc(council_name(council.title)))


def removed_from_council(council: Council) -> str:
    """To the member the chair removes."""
    return _("The chair removed you from the methodical council «{title}».").format(
        title=esc(council_name(council.title))
    )


# --- /members and the member card ---------------------------------------------------------------------------

# An application waiting for the chair's approval; a missing director's order is marked 📝 (the list to fill in).
APPLICATION_MARK = "🆕"


def order_pending(member: Member, council: Council) -> bool:
    """cl. 7.2 (and 4.1 for the chair): approved, with a vote, and no director's order recorded yet. It changes
    nothing in the quorum: it is the record the chair fills in."""
    if member.status is not MemberStatus.APPROVED or not member.role.votes:
        return False
    if member.role is Role.CHAIR:
        return not council.chair_order_number
    return not member.order_number


def affiliation_text(affiliation: Affiliation | None) -> str:
    """A member's association, their creative groups and the associations and groups they head:
    "МБ «…» · creative group «…» · head of МБ «…»"."""
    if affiliation is None:
        return ""
    parts = [esc(group_title(GroupKind.ASSOCIATION, affiliation.association))] if affiliation.association else []
    parts += [esc(group_title(GroupKind.CREATIVE, name)) for name in affiliation.creative]
    parts += [esc(head_of(kind, name)) for kind, name in affiliation.heads]
    return " · ".join(parts)


def member_line(
    member: Member, council: Council, tz: ZoneInfo, affiliation: Affiliation | None = None, chair_view: bool = False
) -> str:
    parts = [f"<b>{esc(member.full_name)}</b> — {role_label(member.role)}"]
    if council.secretary_id == member.user_id and member.status is MemberStatus.APPROVED:
        parts.append(_("secretary"))
    if structure := affiliation_text(affiliation):
        parts.append(structure)
    if member.regulation_confirmed_at:
        parts.append(_("regulation read {date}").format(date=fmt_date(member.regulation_confirmed_at, tz)))
    else:
        parts.append(_("regulation not yet confirmed"))
    if member.order_number:
        parts.append(_("order No. {number}").format(number=esc(member.order_number)))
    elif chair_view and order_pending(member, council):
        # 📝 as on the "Orders to fill in" button; the chair's own order (cl. 4.1) is kept in /settings.
        parts.append(
            _("📝 appointment order pending (/settings)") if member.role is Role.CHAIR else _("📝 order pending")
        )
    return " · ".join(parts)


def roster_messages(roster: Roster, tz: ZoneInfo) -> list[str]:
    council = roster.council
    voting = [m for m in roster.approved if m.role.votes]
    participants = [m for m in roster.approved if not m.role.votes]
    count = len(voting)
    blocks = [
        _("<b>Methodical council: {title}</b>").format(title=esc(council_name(council.title))),
        _("{count} member with a vote", "{count} members with a vote", count).format(count=count)
        + " · "
        + _("quorum: {needed} present").format(needed=rules.quorum_needed(count)),
        "",
    ]

    def line(m: Member) -> str:
        return member_line(m, council, tz, roster.affiliations.get(m.id), roster.viewer_is_chair)

    blocks += [f"{i}. {line(m)}" for i, m in enumerate(voting, 1)]
    if participants:
        blocks += ["", _("<b>Participants without a vote</b>")]
        blocks += [f"{i}. {line(m)}" for i, m in enumerate(participants, 1)]
    if roster.pending:
        blocks += ["", f"{APPLICATION_MARK} " + _("<b>Waiting for the chair's approval</b>")]
        blocks += [f"{i}. {member_line(m, council, tz)}" for i, m in enumerate(roster.pending, 1)]
    if roster.viewer_is_chair:
        blocks += ["", _("Press a name to open the member's card.")]
        pending = len(orders_pending(roster))  # as many as the "📝 order pending" marks above
        if pending:
            blocks.append(
                "📝 "
                + _(
                    "The director's order is not recorded for {count} member (cl. 7.2).",
                    "The director's order is not recorded for {count} members (cl. 7.2).",
                    pending,
                ).format(count=pending)
            )
        if any(m.role is Role.CHAIR and order_pending(m, council) for m in roster.approved):
            blocks.append(_("📝 The order appointing the chair (cl. 4.1) is not recorded either: /settings."))
    return split_blocks(blocks)


def orders_pending(roster: Roster) -> list[Member]:
    """The members the chair still has to give a director's order number to (cl. 7.2), the chair's own
    appointment (cl. 4.1) aside: that one is in /settings."""
    return [m for m in roster.approved if order_pending(m, roster.council) and m.role is not Role.CHAIR]


def roster_keyboard(roster: Roster) -> InlineKeyboardMarkup | None:
    """Under the roster's last part: the chair's buttons to the cards and to the orders to fill in; nothing
    for other members."""
    if not roster.viewer_is_chair:
        return None
    markup = members_keyboard(list(roster.members))
    if orders_pending(roster):
        markup.inline_keyboard.append(
            [
                InlineKeyboardButton(
                    text=_("📝 Orders to fill in: {count}").format(count=len(orders_pending(roster))),
                    callback_data=OrdersPendingCb().pack(),
                )
            ]
        )
    return markup


def orders_pending_text(roster: Roster) -> str:
    """cl. 7.2: every member is approved by the director's order; these still wait for its number."""
    pending = orders_pending(roster)
    if not pending:
        return _("Every member's director's order is recorded.")
    return "\n".join(
        [
            _("<b>Director's orders to fill in</b> (cl. 7.2)"),
            _("Press a name and send the order's number. The quorum does not depend on it."),
            "",
            *(f"{i}. {esc(m.full_name)}" for i, m in enumerate(pending, 1)),
        ]
    )


def orders_pending_keyboard(roster: Roster) -> InlineKeyboardMarkup | None:
    pending = orders_pending(roster)
    if not pending:
        return None
    builder = InlineKeyboardBuilder()
    for member in pending[:90]:
        builder.button(
            text=f"📝 {member.full_name}"[:60],
            callback_data=MemberCb(action=MemberAction.ORDER_LISTED, member_id=member.id),
        )
    builder.adjust(1)
    return builder.as_markup()


def members_keyboard(members: list[Member]) -> InlineKeyboardMarkup:
    """The chair's view of /members: one button per person, opening their card."""
    builder = InlineKeyboardBuilder()
    for member in members:
        mark = f"{APPLICATION_MARK} " if member.status is MemberStatus.PENDING else ""
        builder.button(
            text=f"{mark}{member.full_name}"[:60],
            callback_data=MemberCb(action=MemberAction.CARD, member_id=member.id),
        )
    builder.adjust(2)
    return builder.as_markup()


def member_card(member: Member, council: Council, tz: ZoneInfo) -> str:
    lines = [
        f"<b>{esc(member.full_name)}</b>",
        _("Role: {role}").format(role=role_label(member.role)),
        _("Status: {status}").format(status=member_status_label(member.status, votes=member.role.votes)),
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
    elif order_pending(member, council) and member.role is not Role.CHAIR:
        lines.append(_("📝 Director's order: pending"))
    if council.secretary_id == member.user_id:
        lines.append(_("Secretary of the council"))
    return "\n".join(lines)


def member_card_keyboard(member: Member, *, is_chair: bool, is_secretary: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if member.status is MemberStatus.PENDING:
        _verdict_buttons(builder, member.id, on_card=True)
    elif member.status is not MemberStatus.APPROVED:
        pass  # rejected or removed: nothing to do to them but go back to the list
    elif not is_chair:
        if member.role.votes and not is_secretary:
            builder.button(
                text=_("Name as secretary"),
                callback_data=MemberCb(action=MemberAction.SECRETARY, member_id=member.id),
            )
        if member.role.votes:
            builder.button(
                text=_("Hand over the chair"),
                callback_data=MemberCb(action=MemberAction.CHAIR, member_id=member.id),
            )
        builder.button(
            text=_("Remove from the council"),
            callback_data=MemberCb(action=MemberAction.REMOVE, member_id=member.id),
        )
    if member.status is MemberStatus.APPROVED:
        builder.button(text=_("Order number"), callback_data=MemberCb(action=MemberAction.ORDER, member_id=member.id))
    builder.button(text=_("« Back to the list"), callback_data=MemberCb(action=MemberAction.LIST, member_id=member.id))
    builder.adjust(2 if member.status is MemberStatus.PENDING else 1)
    return builder.as_markup()


def card_controls(member: Member, council: Council) -> InlineKeyboardMarkup:
    """The card's buttons for the chair: what can be done to this member in this council now."""
    return member_card_keyboard(
        member, is_chair=member.role is Role.CHAIR, is_secretary=council.secretary_id == member.user_id
    )


def card_decided(member: Member, council: Council, tz: ZoneInfo, approve: bool) -> str:
    """The card of an application the chair has just decided on it: the member as they are now."""
    return f"{member_card(member, council, tz)}\n\n{'✅' if approve else '❌'} {application_verdict(approve)}"


def card_done(member: Member, council: Council, tz: ZoneInfo, done: str) -> str:
    """The card again, after a change, with what was done under it."""
    return f"{member_card(member, council, tz)}\n\n✅ {done}"


def card_saved(member: Member, council: Council, tz: ZoneInfo) -> str:
    return card_done(member, council, tz, _("Saved"))


def change_done(action: MemberAction) -> str:
    """What the chair's confirmed change did, as its toast and under the card."""
    return {
        MemberAction.REMOVE_CONFIRM: _("Removed"),
        MemberAction.CHAIR_CONFIRM: _("The chair is handed over"),
        MemberAction.SECRETARY: _("Secretary named"),
    }[action]


def confirm_question(member: Member, council: Council, tz: ZoneInfo, action: MemberAction) -> str:
    """The card with the question of a change that needs a second press (remove, hand over the chair)."""
    name = esc(member.full_name)
    if action is MemberAction.REMOVE:
        question = _("Remove {name} from the council?").format(name=name)
    else:
        question = _("Hand over the chair to {name}? You will stay a member with a vote.").format(name=name)
    return f"{member_card(member, council, tz)}\n\n{question}"


def confirm_question_keyboard(member_id: int, action: MemberAction) -> InlineKeyboardMarkup:
    if action is MemberAction.REMOVE:
        return confirm_keyboard(MemberAction.REMOVE_CONFIRM, member_id, _("Yes, remove"))
    return confirm_keyboard(MemberAction.CHAIR_CONFIRM, member_id, _("Yes, hand over"))


def confirm_keyboard(action: MemberAction, member_id: int, yes_text: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=yes_text, callback_data=MemberCb(action=action, member_id=member_id))
    builder.button(text=_("Cancel"), callback_data=MemberCb(action=MemberAction.CARD, member_id=member_id))
    builder.adjust(2)
    return builder.as_markup()


def ask_order_number(member: Member) -> str:
    return _(
        "Send the number of the director's order that approved {name} (for example 15), or - to clear it. "
        "/cancel to leave it as it is."
    ).format(name=esc(member.full_name))


# --- the prompts and short answers a handler sends ----------------------------------------------------------


def registration_stopped() -> str:
    return _("Registration stopped; nothing was sent. Open the join link again to start over.")


def ask_name_as_text() -> str:
    return _("Please send your full name as a text message: surname and first name. Send /cancel to stop.")


def welcome() -> str:
    """/start without a join link."""
    return _(
        "Hello! I keep the work of the school's methodical council.\n"
        "To join, open the join link from your council's group (ask the chair for it). "
        "Send /help to see the commands."
    )


def welcome_member(name: str, council_title: str, *, chair: bool, runs_meetings: bool, year_app: bool = False) -> str:
    """/start from an approved member: who they are in which council, then their commands (as /help)."""
    return "\n\n".join(
        [
            _("Hello, {name}! You are in the methodical council «{title}».").format(
                name=esc(name), title=esc(council_name(council_title))
            ),
            help_text(member=True, chair=chair, runs_meetings=runs_meetings, year_app=year_app),
        ]
    )


def ask_full_name() -> str:
    return _("Send your full name in one message: surname and first name. For example: Осмонова Гүлнара")


def join_button_out_of_date() -> str:
    return _("This button is out of date. Open the join link again.")


def join_link_invalid() -> str:
    return _("This join link is not valid or no longer works. Ask the chair for the link in the council's group.")
