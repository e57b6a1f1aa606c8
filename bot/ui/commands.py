"""The commands, each said once: where it works (the private chat, the council's group, or both), and its short
description for the menus Telegram shows under "/". The menus, the hint a group gets for a private-only
command, and the group's /help are all read from this one table."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import BotCommand
from aiogram.utils.i18n.lazy_proxy import LazyProxy

from bot.i18n import lazy_gettext as __


@dataclass(frozen=True)
class Cmd:
    name: str
    description: LazyProxy
    private: bool = True  # in the private chat's menu (it works there)
    group: bool = False  # works in the council's group, and is in the group's menu


# In the private menu's order; the group's menu keeps the same order.
COMMANDS: tuple[Cmd, ...] = (
    Cmd("setup", __("create the council of this group"), private=False, group=True),
    Cmd("meetings", __("meetings: upcoming and past")),
    Cmd("agenda", __("announce a meeting (chair)"), group=True),
    Cmd("open", __("open today's meeting (chair)"), group=True),
    Cmd("vote", __("put a decision to the vote (chair)"), group=True),
    Cmd("rate", __("rate a report heard (chair)"), private=False, group=True),
    Cmd("close", __("close the meeting and post the protocol (chair)"), group=True),
    Cmd("protocols", __("protocols of past meetings")),
    Cmd("year", __("the council's year at a glance"), group=True),
    Cmd("plan", __("the annual plan (cyclogram)")),
    Cmd("decisions", __("decisions followed up: open, done, overdue")),
    Cmd("report", __("the year in figures (chair, secretary)")),
    Cmd("export", __("the year's records in one .zip (chair)")),
    Cmd("submit", __("submit a methodical material")),
    Cmd("bank", __("the bank of pedagogical ideas")),
    Cmd("members", __("the council's members")),
    Cmd("groups", __("methodical associations and creative groups")),
    Cmd("regulation", __("the regulation of the council")),
    Cmd("lang", __("change the language")),
    Cmd("settings", __("the council's settings (chair)")),
    Cmd("log", __("who did what in the council (chair, secretary)")),
    Cmd("help", __("commands"), group=True),
    Cmd("cancel", __("stop the current step")),
)

# The operator's (ADMIN_IDS), in their private menu only: to anyone else they are unknown commands.
OPERATOR_COMMANDS: tuple[Cmd, ...] = (
    Cmd("councils", __("all the councils the bot serves (operator)")),
    Cmd("council", __("one council: pause, resume, hand over the chair (operator)")),
    Cmd("notify_chairs", __("a message to every chair (operator)")),
)

# Commands that work in the private chat only: sent in a group, they get a short hint to the private chat.
# /start is in no menu (Telegram's own button sends it) and works in the private chat too. Commands that work
# in both places but not in the menus (/secretvote, /heard) are answered by their own handlers.
PRIVATE_ONLY: frozenset[str] = frozenset({"start"} | {c.name for c in COMMANDS if c.private and not c.group})

# The group menu's descriptions say "what the bot does here" for /help, not "commands".
_GROUP_HELP = __("what the bot does here")


def _menu(commands: tuple[Cmd, ...] | list[Cmd], *, group: bool = False) -> list[BotCommand]:
    return [
        BotCommand(command=c.name, description=str(_GROUP_HELP if group and c.name == "help" else c.description))
        for c in commands
    ]


def command_menu(private: bool) -> list[BotCommand]:
    """The commands Telegram lists under "/" in the current locale: the private chat's, or a group's."""
    if private:
        return _menu([c for c in COMMANDS if c.private])
    return _menu([c for c in COMMANDS if c.group], group=True)


def operator_menu() -> list[BotCommand]:
    """The private menu of ADMIN_IDS: everyone's, and the operator's commands (bot/ops/operator.py)."""
    return [*command_menu(True), *_menu(OPERATOR_COMMANDS)]
