"""For anyone: /help by role, /lang, and the button that opens the private chat with the bot."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import LANGUAGE_NAMES
from bot.i18n import gettext as _
from bot.i18n import lazy_gettext as __
from bot.ui.callbacks import LanguageCb

# Carried by a KeneshError, rendered in the reader's language when it is handled.
BUTTON_OUT_OF_DATE = __("This button is out of date.")

# Both languages: the person has not chosen one yet.
CHOOSE_LANGUAGE = "Тилди тандаңыз · Выберите язык"


def language_keyboard() -> InlineKeyboardMarkup:
    # Kyrgyz first: it is the state language. Each label is in its own language, so anyone can read it.
    builder = InlineKeyboardBuilder()
    for locale in ("ky", "ru"):
        builder.button(text=LANGUAGE_NAMES[locale], callback_data=LanguageCb(locale=locale))
    builder.adjust(2)
    return builder.as_markup()


def language_set(locale: str) -> str:
    return _("Language: {language}. Send /help to see the commands.").format(language=LANGUAGE_NAMES[locale])


def bot_link_keyboard(text: str, link: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=text, url=link)]])


def open_bot_keyboard(bot_username: str | None) -> InlineKeyboardMarkup:
    """Asked in the group for something that happens in private: a button to the private chat."""
    return bot_link_keyboard(_("Open the bot"), f"https://t.me/{bot_username}")


def help_text(*, member: bool, chair: bool, runs_meetings: bool, operator: bool = False, year_app: bool = False) -> str:
    """The commands this person's role can use: anyone, member, chair or secretary; and the operator's. /year
    is listed when the bot has its Mini App (`year_app`: MINIAPP_URL is set)."""
    if not member:
        lines = [
            _("<b>Commands</b>"),
            _("/start — how to join the methodical council"),
            _("/regulation — the regulation of the methodical council"),
            _("/lang — change the language"),
            _("/help — this list"),
        ]
        return "\n".join(lines + _operator_lines() if operator else lines)
    # One line per command: where a role does more with a command, its line says so in place of the member's.
    lines = [
        _("<b>Commands</b>"),
        _("/meetings — meetings: upcoming and past"),
        _("/protocols — protocols of past meetings"),
        *([_("/year — the council's year at a glance: the plan, meetings, decisions, materials")] if year_app else []),
        _("/submit — send a methodical material to the council (or just send the file)"),
        _("/bank — the bank of pedagogical ideas; /bank words — search it"),
        _("/members — approve applications, name the secretary, hand over the chair")
        if chair
        else _("/members — the council's members"),
        _("/groups — keep the associations and groups; their heads, themes and reports go on an agenda")
        if chair
        else _("/groups — methodical associations and creative groups, their heads, themes and ratings"),
        _("/plan — draw up the annual plan; /plan order 15 01.10.2026 — the director's order approving it")
        if runs_meetings
        else _("/plan — the annual plan (cyclogram) of the council"),
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
            _("/vote 2 … — put a decision on agenda item 2 to the vote; /secretvote 2 … — by secret ballot"),
            _("/heard 2 Осмонова Г. — who reported on item 2, for the protocol"),
            _("/rate 2 — the council rates the report of an association or group heard on item 2"),
            _("/close — close the meeting and post the protocol"),
            _("/materials — review the submitted materials; ask members for an expert review")
            if chair
            else _("/materials — review the submitted materials"),
            _("/log — who did what in the council's record, newest first"),
            _("/report — the year in figures; /report 2026-2027 docx — the draft report to the teaching staff"),
        ]
    if chair:
        lines += [
            "",
            _("<b>For the chair</b>"),
            _("/settings — the group's language, the founding decision, the chair's order, the school's name"),
            _("/export — the year's protocols, the approved plan and the report in one .zip"),
            _("/setup — in the council's group: create the council and get the join link"),
        ]
    return "\n".join(lines + _operator_lines() if operator else lines)


def _operator_lines() -> list[str]:
    """The operator's commands (ADMIN_IDS, bot/ops/operator.py), after their role's."""
    return [
        "",
        _("<b>For the operator</b>"),
        _("/councils — all the councils the bot serves"),
        _("/council 1 — council No. 1: pause, resume, hand over the chair"),
        _("/notify_chairs text — a message to every chair, after a preview"),
    ]


# --- the prompts and short answers a handler sends ----------------------------------------------------------


def nothing_to_cancel() -> str:
    """Nothing in progress: /cancel had nothing to stop."""
    return _("There is nothing to cancel.")


def nothing_changed() -> str:
    """/cancel in the middle of a step: the step is dropped."""
    return _("Cancelled; nothing was changed.")


def something_went_wrong() -> str:
    """An unexpected error: logged, and the user told to try again."""
    return _("Something went wrong on my side. Please try again in a minute.")


def unknown_command() -> str:
    return _("I do not know this command. Send /help to see the commands.")


def unexpected_message() -> str:
    return _("I did not expect a message now. Send /help to see what I can do.")


def button_out_of_date() -> str:
    """The answer to a button nobody handles: stale, from a step already passed, or forged."""
    return str(BUTTON_OUT_OF_DATE)


def saved() -> str:
    return _("Saved")


def sending() -> str:
    """A file or protocol is on its way (the answer to the button)."""
    return _("Sending")


def cancelled_toast() -> str:
    """The answer to a Cancel button."""
    return _("Cancelled")
