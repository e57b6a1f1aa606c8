"""One aiogram Router per capability. Only the dispatcher assembly imports this package."""

from aiogram import F, Router
from aiogram.enums import ChatType

from handlers.scope import PRIVATE


def get_routers() -> list[Router]:
    from handlers import (
        audit,
        common,
        councils,
        decisions,
        errors,
        fallback,
        groups,
        materials,
        meeting_day,
        meetings,
        members,
        miniapp,
        operator,
        plan,
        report,
        reviews,
    )

    # The private chat's routers, scoped once here: messages and button presses in a person's own chat with the
    # bot. Built on each call, so each Dispatcher (each test's too) has a parent of its own.
    private = Router(name="handlers.private")
    private.message.filter(PRIVATE)
    private.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)
    private.include_routers(
        operator.router,  # the operator's commands (ADMIN_IDS), before any step that reads a typed text
        plan.router,
        decisions.router,
        report.router,
        councils.router,  # /settings
        members.router,  # registration, then /members
        materials.router,  # before common: its /cancel also drops the file held for the submission
        common.router,  # /cancel for every other step-by-step dialog
        groups.router,
        reviews.router,
        audit.router,
    )
    # Order matters: the vote button first (the hot path: no other router's filters on its way), specific
    # routers next; fallback last catches what nobody handled. The routers outside `private` serve the group
    # too (meetings: /agenda; miniapp: /year) or only the group (councils.group_chat).
    return [
        meeting_day.presses,
        errors.router,
        operator.paused_groups,  # a paused council's group hears only that it is paused
        meeting_day.router,
        meetings.router,
        councils.group_chat,
        miniapp.router,  # before members (registration): it answers /start year
        private,
        fallback.router,
    ]
