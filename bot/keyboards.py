"""Every CallbackData factory and keyboard builder. Prefixes are short: Telegram allows 64 bytes."""

from __future__ import annotations

import enum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import GROUP_LANGUAGE_NAMES, LANGUAGE_NAMES, group_text
from bot.meeting_texts import choice_label
from db.models import Choice, GroupLanguage, MaterialKind, Member, MemberStatus, Role


class LanguageCb(CallbackData, prefix="lg"):
    locale: str


class RoleCb(CallbackData, prefix="rl"):
    role: Role


class RegulationCb(CallbackData, prefix="rg"):
    council_id: int


class Decision(enum.StrEnum):
    APPROVE = "a"
    REJECT = "r"


class ApplicationCb(CallbackData, prefix="ap"):
    action: Decision
    member_id: int


class MemberAction(enum.StrEnum):
    CARD = "c"
    SECRETARY = "s"
    CHAIR = "h"
    CHAIR_CONFIRM = "H"
    ORDER = "o"
    REMOVE = "r"
    REMOVE_CONFIRM = "R"
    LIST = "l"


class MemberCb(CallbackData, prefix="mb"):
    action: MemberAction
    member_id: int


def role_label(role: Role) -> str:
    labels = {
        Role.CHAIR: _("chair"),
        Role.HEAD_MA: _("head of a methodical association"),
        Role.HEAD_CG: _("head of a creative group"),
        Role.TEACHER: _("teacher, council member"),
        Role.PARTICIPANT: _("participant without a vote"),
    }
    return labels[role]


def language_keyboard() -> InlineKeyboardMarkup:
    # Kyrgyz first: it is the state language. Each label is in its own language, so anyone can read it.
    builder = InlineKeyboardBuilder()
    for locale in ("ky", "ru"):
        builder.button(text=LANGUAGE_NAMES[locale], callback_data=LanguageCb(locale=locale))
    builder.adjust(2)
    return builder.as_markup()


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


def application_keyboard(member_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Approve"), callback_data=ApplicationCb(action=Decision.APPROVE, member_id=member_id))
    builder.button(text=_("Reject"), callback_data=ApplicationCb(action=Decision.REJECT, member_id=member_id))
    builder.adjust(2)
    return builder.as_markup()


def join_keyboard(link: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=_("Join the council"), url=link)]])


def bot_link_keyboard(text: str, link: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=text, url=link)]])


def members_keyboard(members: list[Member]) -> InlineKeyboardMarkup:
    """The chair's view of /members: one button per person, opening their card."""
    builder = InlineKeyboardBuilder()
    for member in members:
        mark = "⏳ " if member.status is MemberStatus.PENDING else ""
        builder.button(
            text=f"{mark}{member.full_name}"[:60],
            callback_data=MemberCb(action=MemberAction.CARD, member_id=member.id),
        )
    builder.adjust(2)
    return builder.as_markup()


def member_card_keyboard(member: Member, *, is_chair: bool, is_secretary: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if member.status is MemberStatus.PENDING:
        builder.button(text=_("Approve"), callback_data=ApplicationCb(action=Decision.APPROVE, member_id=member.id))
        builder.button(text=_("Reject"), callback_data=ApplicationCb(action=Decision.REJECT, member_id=member.id))
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


def confirm_keyboard(action: MemberAction, member_id: int, yes_text: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=yes_text, callback_data=MemberCb(action=action, member_id=member_id))
    builder.button(text=_("Cancel"), callback_data=MemberCb(action=MemberAction.CARD, member_id=member_id))
    builder.adjust(2)
    return builder.as_markup()


def approved_keyboard(member_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Add the order number"), callback_data=MemberCb(action=MemberAction.ORDER, member_id=member_id)
    )
    return builder.as_markup()


# --- meetings ---------------------------------------------------------------------------------------------


class AgendaAction(enum.StrEnum):
    PUBLISH = "p"
    DISCARD = "d"


class AgendaCb(CallbackData, prefix="ag"):
    action: AgendaAction
    meeting_id: int


class MeetingAction(enum.StrEnum):
    RESCHEDULE = "r"
    CANCEL = "c"
    CANCEL_CONFIRM = "C"
    KEEP = "k"


class MeetingCb(CallbackData, prefix="mt"):
    action: MeetingAction
    meeting_id: int


class PresentCb(CallbackData, prefix="pr"):
    meeting_id: int


class RollCallCb(CallbackData, prefix="rc"):
    meeting_id: int
    member_id: int


class RollPageCb(CallbackData, prefix="rq"):
    """A page of the chair's roll call: a council of hundreds does not fit one keyboard."""

    meeting_id: int
    page: int


class VoteCb(CallbackData, prefix="v"):
    vote_id: int
    choice: Choice


class CloseVoteCb(CallbackData, prefix="vc"):
    vote_id: int


class ConfirmCloseVoteCb(CallbackData, prefix="vz"):
    """The chair confirms closing a vote nobody voted in ("no votes cast")."""

    vote_id: int


class ProtocolCb(CallbackData, prefix="pt"):
    meeting_id: int


class GroupLanguageCb(CallbackData, prefix="gl"):
    language: GroupLanguage


def labelled(language: GroupLanguage, render) -> str:  # noqa: ANN001
    """A button label for the group: in its language, or "Кыргызча / Русский" when it reads both."""
    return group_text(language, render).replace("\n\n", " / ")


def agenda_keyboard(meeting_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Publish"), callback_data=AgendaCb(action=AgendaAction.PUBLISH, meeting_id=meeting_id))
    builder.button(text=_("Cancel"), callback_data=AgendaCb(action=AgendaAction.DISCARD, meeting_id=meeting_id))
    builder.adjust(2)
    return builder.as_markup()


def meeting_controls(meeting_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Move"), callback_data=MeetingCb(action=MeetingAction.RESCHEDULE, meeting_id=meeting_id))
    builder.button(
        text=_("Cancel the meeting"), callback_data=MeetingCb(action=MeetingAction.CANCEL, meeting_id=meeting_id)
    )
    builder.adjust(2)
    return builder.as_markup()


def cancel_meeting_confirm(meeting_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Yes, cancel it"), callback_data=MeetingCb(action=MeetingAction.CANCEL_CONFIRM, meeting_id=meeting_id)
    )
    builder.button(text=_("No, keep it"), callback_data=MeetingCb(action=MeetingAction.KEEP, meeting_id=meeting_id))
    builder.adjust(2)
    return builder.as_markup()


def present_keyboard(meeting_id: int, language: GroupLanguage) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=labelled(language, lambda: _("Present")), callback_data=PresentCb(meeting_id=meeting_id).pack()
                )
            ]
        ]
    )


ROLL_PAGE = 40  # names per page of the roll call; Telegram refuses very large keyboards


def roll_call_page_of(roll: list[tuple[Member, bool]], member_id: int) -> int:
    for index, (member, _present) in enumerate(roll):
        if member.id == member_id:
            return index // ROLL_PAGE
    return 0


def roll_call_keyboard(meeting_id: int, roll: list[tuple[Member, bool]], page: int = 0) -> InlineKeyboardMarkup:
    pages = max(1, -(-len(roll) // ROLL_PAGE))
    page = min(max(page, 0), pages - 1)
    builder = InlineKeyboardBuilder()
    for member, present in roll[page * ROLL_PAGE : (page + 1) * ROLL_PAGE]:
        builder.button(
            text=f"{'✅' if present else '▫️'} {member.full_name}"[:60],
            callback_data=RollCallCb(meeting_id=meeting_id, member_id=member.id),
        )
    builder.adjust(1)
    if pages > 1:
        builder.row(
            *(
                InlineKeyboardButton(text=label, callback_data=RollPageCb(meeting_id=meeting_id, page=target).pack())
                for label, target in (
                    ("◀", (page - 1) % pages),
                    (f"{page + 1}/{pages}", page),
                    ("▶", (page + 1) % pages),
                )
            )
        )
    return builder.as_markup()


def vote_keyboard(vote_id: int, language: GroupLanguage) -> InlineKeyboardMarkup:
    """Three choices in one row, in this order: For, Against, Abstain; the chair's close control below."""
    row = [
        InlineKeyboardButton(
            text=labelled(language, lambda c=choice: choice_label(c)),
            callback_data=VoteCb(vote_id=vote_id, choice=choice).pack(),
        )
        for choice in (Choice.FOR, Choice.AGAINST, Choice.ABSTAIN)
    ]
    close = InlineKeyboardButton(
        text=labelled(language, lambda: _("Close the vote (chair)")), callback_data=CloseVoteCb(vote_id=vote_id).pack()
    )
    return InlineKeyboardMarkup(inline_keyboard=[row, [close], vote_timer_row(vote_id, language)])


def protocols_keyboard(meetings: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for meeting_id, label in meetings:
        builder.button(text=label[:60], callback_data=ProtocolCb(meeting_id=meeting_id))
    builder.adjust(1)
    return builder.as_markup()


class TrimestersCb(CallbackData, prefix="tr"):
    pass


class JoinLinkCb(CallbackData, prefix="jl"):
    confirm: bool = False
    code: str = ""  # the link being replaced: a second press finds it already gone


def settings_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for language in GroupLanguage:
        builder.button(text=GROUP_LANGUAGE_NAMES[language.value], callback_data=GroupLanguageCb(language=language))
    builder.button(text=_("Change the trimesters"), callback_data=TrimestersCb())
    builder.button(text=_("Replace the join link"), callback_data=JoinLinkCb())
    builder.adjust(1)
    return builder.as_markup()


def replace_link_confirm(code: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Yes, replace the link"), callback_data=JoinLinkCb(confirm=True, code=code))
    return builder.as_markup()


# --- methodical materials ---------------------------------------------------------------------------------


class MaterialAction(enum.StrEnum):
    OPEN = "o"
    APPROVE = "a"
    RETURN = "r"
    REJECT = "x"
    FILE = "f"
    VERSION = "v"  # the author sends a new version of a returned material
    AGENDA = "g"  # put it on an announced meeting's agenda


class MaterialCb(CallbackData, prefix="ml"):
    action: MaterialAction
    material_id: int


class AgendaPickCb(CallbackData, prefix="mg"):
    material_id: int
    meeting_id: int


class KindCb(CallbackData, prefix="mk"):
    kind: MaterialKind


class StepCb(CallbackData, prefix="st"):
    step: str  # "title" (use the file's name) or "skip" (no description) or "nocomment"


class BankCb(CallbackData, prefix="bk"):
    page: int


def kind_label(kind: MaterialKind) -> str:
    return {
        MaterialKind.LESSON_PLAN: _("lesson plan"),
        MaterialKind.DEVELOPMENT: _("methodical development"),
        MaterialKind.REPORT: _("report"),
        MaterialKind.PRESENTATION: _("presentation"),
        MaterialKind.OTHER: _("other"),
    }[kind]


def kind_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind in MaterialKind:
        builder.button(text=kind_label(kind).capitalize(), callback_data=KindCb(kind=kind))
    builder.adjust(2)
    return builder.as_markup()


def step_keyboard(step: str, text: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=text[:60], callback_data=StepCb(step=step).pack())]]
    )


def material_review_keyboard(material_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Approve for the bank"), callback_data=MaterialCb(action=MaterialAction.APPROVE, material_id=material_id)
    )
    builder.button(
        text=_("Return for revision"), callback_data=MaterialCb(action=MaterialAction.RETURN, material_id=material_id)
    )
    builder.button(text=_("Reject"), callback_data=MaterialCb(action=MaterialAction.REJECT, material_id=material_id))
    builder.button(
        text=_("Put on a meeting's agenda"),
        callback_data=MaterialCb(action=MaterialAction.AGENDA, material_id=material_id),
    )
    builder.button(
        text=_("Send the file"), callback_data=MaterialCb(action=MaterialAction.FILE, material_id=material_id)
    )
    builder.adjust(1)
    return builder.as_markup()


def agenda_pick_keyboard(material_id: int, meetings: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for meeting_id, label in meetings:
        builder.button(text=label[:60], callback_data=AgendaPickCb(material_id=material_id, meeting_id=meeting_id))
    builder.adjust(1)
    return builder.as_markup()


def materials_keyboard(materials: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for material_id, label in materials:
        builder.button(text=label[:60], callback_data=MaterialCb(action=MaterialAction.OPEN, material_id=material_id))
    builder.adjust(1)
    return builder.as_markup()


def versions_keyboard(materials: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for material_id, label in materials:
        builder.button(
            text=label[:60], callback_data=MaterialCb(action=MaterialAction.VERSION, material_id=material_id)
        )
    builder.adjust(1)
    return builder.as_markup()


def bank_keyboard(items: list[tuple[int, str]], page: int, pages: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for material_id, label in items:
        builder.button(
            text=f"📄 {label}"[:60], callback_data=MaterialCb(action=MaterialAction.FILE, material_id=material_id)
        )
    navigation = []
    if page > 0:
        navigation.append(InlineKeyboardButton(text=_("‹ Back"), callback_data=BankCb(page=page - 1).pack()))
    if page + 1 < pages:
        navigation.append(InlineKeyboardButton(text=_("More ›"), callback_data=BankCb(page=page + 1).pack()))
    builder.adjust(1)
    if navigation:
        builder.row(*navigation)
    return builder.as_markup()


class LogCb(CallbackData, prefix="au"):
    page: int  # 0: the latest entries


def log_keyboard(page: int, pages: int) -> InlineKeyboardMarkup | None:
    """/log: older entries to the left, newer to the right (the log reads newest first)."""
    navigation = []
    if page + 1 < pages:
        navigation.append(InlineKeyboardButton(text=_("‹ Older"), callback_data=LogCb(page=page + 1).pack()))
    if page > 0:
        navigation.append(InlineKeyboardButton(text=_("Newer ›"), callback_data=LogCb(page=page - 1).pack()))
    return InlineKeyboardMarkup(inline_keyboard=[navigation]) if navigation else None


def confirm_close_vote_keyboard(vote_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Close with no votes cast"), callback_data=ConfirmCloseVoteCb(vote_id=vote_id))
    return builder.as_markup()


# --- the year's work: the annual plan, decisions followed up, votes that close on time ----------------------


class PlanAction(enum.StrEnum):
    SAVE = "s"
    CANCEL = "c"
    PREVIEW = "p"  # step by step: that was the last date
    ENTER = "e"  # draw up the plan (again)
    AGENDA = "g"  # put it on an announced meeting's agenda
    DOCX = "x"


class PlanCb(CallbackData, prefix="pl"):
    action: PlanAction
    plan_id: int = 0


class PlanAgendaCb(CallbackData, prefix="pg"):
    plan_id: int
    meeting_id: int


class PlanDayCb(CallbackData, prefix="pd"):
    day: str  # YYYYMMDD: the planned date /agenda offers


class FollowUpCb(CallbackData, prefix="fu"):
    vote_id: int
    member_id: int  # 0: skip, nobody is made responsible


class FollowDoneCb(CallbackData, prefix="fd"):
    follow_up_id: int


class VoteTimerCb(CallbackData, prefix="vt"):
    vote_id: int
    minutes: int


VOTE_TIMERS = (2, 5, 10)


def plan_preview_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Save"), callback_data=PlanCb(action=PlanAction.SAVE))
    builder.button(text=_("Cancel"), callback_data=PlanCb(action=PlanAction.CANCEL))
    builder.adjust(2)
    return builder.as_markup()


def plan_step_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("That is all: show the preview"), callback_data=PlanCb(action=PlanAction.PREVIEW))
    return builder.as_markup()


def plan_controls(plan_id: int | None, *, draft: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Change the plan") if plan_id else _("Draw up the plan"), callback_data=PlanCb(action=PlanAction.ENTER)
    )
    if plan_id and draft:
        builder.button(
            text=_("Put on a meeting's agenda"), callback_data=PlanCb(action=PlanAction.AGENDA, plan_id=plan_id)
        )
    if plan_id:
        builder.button(text=_("The plan as .docx"), callback_data=PlanCb(action=PlanAction.DOCX, plan_id=plan_id))
    builder.adjust(1)
    return builder.as_markup()


def plan_docx_keyboard(plan_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("The plan as .docx"), callback_data=PlanCb(action=PlanAction.DOCX, plan_id=plan_id))
    return builder.as_markup()


def plan_agenda_keyboard(plan_id: int, meetings: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for meeting_id, label in meetings:
        builder.button(text=label[:60], callback_data=PlanAgendaCb(plan_id=plan_id, meeting_id=meeting_id))
    builder.adjust(1)
    return builder.as_markup()


def plan_offer_keyboard(day: str, label: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=label[:60], callback_data=PlanDayCb(day=day))
    return builder.as_markup()


def follow_up_keyboard(vote_id: int, people: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """The chair gives an adopted decision a responsible member (one of those present), or skips."""
    builder = InlineKeyboardBuilder()
    for member_id, name in people:
        builder.button(text=name[:60], callback_data=FollowUpCb(vote_id=vote_id, member_id=member_id))
    builder.button(text=_("Skip: nobody responsible"), callback_data=FollowUpCb(vote_id=vote_id, member_id=0))
    builder.adjust(1)
    return builder.as_markup()


def follow_done_keyboard(follow_up_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Mark as done"), callback_data=FollowDoneCb(follow_up_id=follow_up_id))
    return builder.as_markup()


def follow_done_list_keyboard(items: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for follow_up_id, label in items:
        builder.button(text=label[:60], callback_data=FollowDoneCb(follow_up_id=follow_up_id))
    builder.adjust(1)
    return builder.as_markup()


def vote_timer_row(vote_id: int, language: GroupLanguage) -> list[InlineKeyboardButton]:
    """The chair's "close in N minutes" under a vote."""
    return [
        InlineKeyboardButton(
            text=labelled(language, lambda m=minutes: _("⏱ {minutes} min").format(minutes=m)),
            callback_data=VoteTimerCb(vote_id=vote_id, minutes=minutes).pack(),
        )
        for minutes in VOTE_TIMERS
    ]
