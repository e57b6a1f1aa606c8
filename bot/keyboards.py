"""Every CallbackData factory and keyboard builder. Prefixes are short: Telegram allows 64 bytes."""

from __future__ import annotations

import enum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import LANGUAGE_NAMES
from db.models import Member, MemberStatus, Role


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
