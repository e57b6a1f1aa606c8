"""The command menus Telegram shows under "/": the private chat's and a group's, one short description each."""

from __future__ import annotations

from aiogram.types import BotCommand

from bot.i18n import gettext as _


def command_menu(private: bool) -> list[BotCommand]:
    """The commands Telegram lists under "/" in the current locale: the private chat's, or a group's."""
    if not private:
        return [
            BotCommand(command="setup", description=_("create the council of this group")),
            BotCommand(command="open", description=_("open today's meeting (chair)")),
            BotCommand(command="vote", description=_("put a decision to the vote (chair)")),
            BotCommand(command="rate", description=_("rate a report heard (chair)")),
            BotCommand(command="close", description=_("close the meeting and post the protocol (chair)")),
            BotCommand(command="year", description=_("the council's year at a glance")),
            BotCommand(command="help", description=_("what the bot does here")),
        ]
    return [
        BotCommand(command="meetings", description=_("meetings: upcoming and past")),
        BotCommand(command="agenda", description=_("announce a meeting (chair)")),
        BotCommand(command="open", description=_("open today's meeting (chair)")),
        BotCommand(command="vote", description=_("put a decision to the vote (chair)")),
        BotCommand(command="close", description=_("close the meeting and post the protocol (chair)")),
        BotCommand(command="protocols", description=_("protocols of past meetings")),
        BotCommand(command="year", description=_("the council's year at a glance")),
        BotCommand(command="plan", description=_("the annual plan (cyclogram)")),
        BotCommand(command="decisions", description=_("decisions followed up: open, done, overdue")),
        BotCommand(command="report", description=_("the year in figures (chair, secretary)")),
        BotCommand(command="export", description=_("the year's records in one .zip (chair)")),
        BotCommand(command="submit", description=_("submit a methodical material")),
        BotCommand(command="bank", description=_("the bank of pedagogical ideas")),
        BotCommand(command="members", description=_("the council's members")),
        BotCommand(command="groups", description=_("methodical associations and creative groups")),
        BotCommand(command="regulation", description=_("the regulation of the council")),
        BotCommand(command="lang", description=_("change the language")),
        BotCommand(command="settings", description=_("the council's settings (chair)")),
        BotCommand(command="log", description=_("who did what in the council (chair, secretary)")),
        BotCommand(command="help", description=_("commands")),
        BotCommand(command="cancel", description=_("stop the current step")),
    ]


def operator_menu() -> list[BotCommand]:
    """The private menu of ADMIN_IDS: everyone's, and the operator's commands (bot/ops/operator.py)."""
    return [
        *command_menu(True),
        BotCommand(command="councils", description=_("all the councils the bot serves (operator)")),
        BotCommand(command="council", description=_("one council: pause, resume, hand over the chair (operator)")),
        BotCommand(command="notify_chairs", description=_("a message to every chair (operator)")),
    ]
