"""One aiogram Router per capability. Only the dispatcher assembly imports this package."""

from aiogram import Router


def get_routers() -> list[Router]:
    from handlers import (
        common,
        decisions,
        errors,
        fallback,
        group,
        groups,
        log,
        materials,
        meeting_day,
        meetings,
        members,
        miniapp,
        operator,
        plan,
        registration,
        report,
        reviews,
        settings,
    )

    # Order matters: the vote button first (the hot path: no other router's filters on its way), specific
    # routers next; fallback last catches what nobody handled.
    return [
        meeting_day.presses,
        errors.router,
        operator.paused_groups,  # a paused council's group hears only that it is paused
        operator.router,  # the operator's commands (ADMIN_IDS), before any step that reads a typed text
        meeting_day.router,
        plan.router,
        decisions.router,
        report.router,
        meetings.router,
        settings.router,
        group.router,
        miniapp.router,  # before registration: it answers /start year
        registration.router,
        members.router,
        common.router,
        materials.router,
        groups.router,
        reviews.router,
        log.router,
        fallback.router,
    ]
