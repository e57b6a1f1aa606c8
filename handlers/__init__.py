"""One aiogram Router per capability. Only the dispatcher assembly imports this package."""

from aiogram import Router


def get_routers() -> list[Router]:
    from handlers import (
        common,
        decisions,
        errors,
        fallback,
        group,
        log,
        materials,
        meeting_day,
        meetings,
        members,
        plan,
        registration,
        report,
    )

    # Order matters: specific routers first; fallback last catches what nobody handled.
    return [
        errors.router,
        meeting_day.router,
        plan.router,
        decisions.router,
        report.router,
        meetings.router,
        group.router,
        registration.router,
        members.router,
        common.router,
        materials.router,
        log.router,
        fallback.router,
    ]
