"""One aiogram Router per capability. Only the dispatcher assembly imports this package."""

from aiogram import Router


def get_routers() -> list[Router]:
    from handlers import common, errors, fallback, group, log, materials, meetings, members, registration, session

    # Order matters: specific routers first; fallback last catches what nobody handled.
    return [
        errors.router,
        session.router,
        meetings.router,
        group.router,
        registration.router,
        members.router,
        common.router,
        materials.router,
        log.router,
        fallback.router,
    ]
