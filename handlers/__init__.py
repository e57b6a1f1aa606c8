"""One aiogram Router per capability. Only the dispatcher assembly imports this package."""

from aiogram import Router


def get_routers() -> list[Router]:
    from handlers import (
        common,
        councils,
        decisions,
        errors,
        fallback,
        groups,
        log,
        materials,
        meeting_day,
        meetings,
        members,
        miniapp,
        plan,
        report,
        reviews,
    )

    # Order matters: the vote button first (the hot path: no other router's filters on its way), specific
    # routers next; fallback last catches what nobody handled.
    return [
        meeting_day.presses,
        errors.router,
        meeting_day.router,
        plan.router,
        decisions.router,
        report.router,
        meetings.router,
        councils.router,
        councils.group_chat,
        miniapp.router,  # before members (registration): it answers /start year
        members.router,
        common.router,
        materials.router,
        groups.router,
        reviews.router,
        log.router,
        fallback.router,
    ]
