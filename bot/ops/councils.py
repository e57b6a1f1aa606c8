"""A council in a group: created by /setup, found by its chat, kept when the group becomes a supergroup."""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot import agenda, rules
from bot.errors import KeneshError
from bot.i18n import lazy_gettext as __
from bot.ops import audit
from bot.text_input import clean_text
from db.models import Council, GroupLanguage, Member, MemberStatus, RatingScale, Role
from db.repo import change_if, reload
from db.repo import councils as councils_repo
from db.repo import members as members_repo

log = logging.getLogger(__name__)

JOIN_PREFIX = "join_"


def new_join_code() -> str:
    # 96 random bits, URL-safe: fits Telegram's 64-character start parameter and cannot be guessed.
    return secrets.token_urlsafe(12)


def join_link(bot_username: str, council: Council) -> str:
    return f"https://t.me/{bot_username}?start={JOIN_PREFIX}{council.join_code}"


@dataclass(frozen=True)
class SetupResult:
    council: Council
    created: bool


async def setup_council(
    session: AsyncSession,
    *,
    chat_id: int,
    title: str,
    chair_id: int,
    chair_name: str,
    chair_locale: str,
    now: datetime,
) -> SetupResult:
    """Create the council of this group with the sender as its chair; a second /setup changes nothing."""
    existing = await councils_repo.council_by_chat(session, chat_id)
    if existing is not None:
        return SetupResult(existing, created=False)
    chair = await members_repo.ensure_user(session, chair_id, now)
    if chair.language is None:
        chair.language = chair_locale  # from the Telegram app, until the chair chooses with /lang
    council = Council(
        chat_id=chat_id, title=clean_text(title)[:255], join_code=new_join_code(), chair_id=chair_id, created_at=now
    )
    session.add(council)
    await session.flush()
    # The chair is a member (cl. 4.2) from the start; their name and the regulation come when they
    # open the join link themselves.
    session.add(
        Member(
            council_id=council.id,
            user_id=chair_id,
            full_name=clean_text(chair_name).strip()[:128],
            role=Role.CHAIR,
            status=MemberStatus.APPROVED,
            applied_at=now,
            decided_at=now,
            decided_by=chair_id,
        )
    )
    await session.commit()
    log.info("Council %s created for chat %s, chair %s", council.id, chat_id, chair_id)
    return SetupResult(council, created=True)


async def council_of_group(session: AsyncSession, chat_id: int) -> Council | None:
    """The council a group chat belongs to, if one was set up there."""
    return await councils_repo.council_by_chat(session, chat_id)


async def migrate_council(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> bool:
    """A group upgraded to a supergroup gets a new chat id; the council follows it."""
    if await councils_repo.council_by_chat(session, new_chat_id) is not None:
        return False  # already followed (Telegram sends both migrate_to and migrate_from)
    moved = await councils_repo.move_council_chat(session, old_chat_id, new_chat_id)
    if moved:
        await session.commit()
        log.info("Council moved from chat %s to supergroup %s", old_chat_id, new_chat_id)
    return moved


async def set_group_language(
    session: AsyncSession, *, user_id: int, language: GroupLanguage, now: datetime
) -> Council | None:
    """The language(s) of the council's posts in its group: a setting of the council, the chair's to change.
    None when it is that language already: nothing is changed or recorded."""
    return await _choose(session, user_id, "group_language", language, audit.AuditAction.GROUP_LANGUAGE_SET, now)


async def set_rating_scale(session: AsyncSession, *, user_id: int, scale: RatingScale, now: datetime) -> Council | None:
    """The scale reports are rated on (cl. 3.1, 5): the chair's to choose. A rating vote open now keeps the
    scale it was opened with; the next one takes this. None when it is that scale already: nothing changes."""
    return await _choose(session, user_id, "rating_scale", scale, audit.AuditAction.RATING_SCALE_SET, now)


async def _choose(
    session: AsyncSession,
    user_id: int,
    setting: Literal["group_language", "rating_scale"],
    value: GroupLanguage | RatingScale,
    action: audit.AuditAction,
    now: datetime,
) -> Council | None:
    """One of /settings' choices, the chair's: recorded in /log with before and after; None when it is so
    already (the current button pressed), and then nothing is changed or recorded."""
    for council in await councils_repo.councils_chaired_by(session, user_id):
        before = getattr(council, setting)
        if before == value:
            return None
        audit.record(
            session,
            council_id=council.id,
            actor_id=user_id,
            action=action,
            obj_kind=audit.AuditObject.COUNCIL,
            obj_id=council.id,
            before=before,
            after=value,
            now=now,
        )
        setattr(council, setting, value)
        await session.commit()
        log.info("Council %s: %s set to %s", council.id, setting.replace("_", " "), value.value)
        return council
    raise KeneshError(__("Only the chair of this council can do this."))


async def set_trimesters(session: AsyncSession, *, user_id: int, text: str, now: datetime) -> Council:
    """cl. 7.4: the school's own trimester calendar, for the watchdog."""
    councils = await councils_repo.councils_chaired_by(session, user_id)
    if not councils:
        raise KeneshError(__("Only the chair of this council can do this."))
    try:
        spec = rules.parse_trimester_text(text)
    except ValueError:
        raise KeneshError(
            __("I could not read the trimesters. Write them like this: 01.09-30.11, 01.12-28.02, 01.03-31.05")
        ) from None
    council = councils[0]
    audit.record(
        session,
        council_id=council.id,
        actor_id=user_id,
        action=audit.AuditAction.TRIMESTERS_SET,
        obj_kind=audit.AuditObject.COUNCIL,
        obj_id=council.id,
        before=council.trimesters,
        after=spec,
        now=now,
    )
    council.trimesters = spec
    await session.commit()
    log.info("Council %s: trimesters set to %s", council.id, spec)
    return council


async def replace_join_link(
    session: AsyncSession, *, user_id: int, now: datetime, seen_code: str | None = None
) -> Council:
    """A new join link for the chair's council; the old one stops working at once (a leaked link, or a
    rejected applicant who may apply again only with a new link)."""
    councils = await councils_repo.councils_chaired_by(session, user_id)
    if not councils:
        raise KeneshError(__("Only the chair of this council can do this."))
    council = councils[0]
    old = seen_code or council.join_code
    # Pressed twice: the second press finds the link already replaced and replaces nothing.
    if not await change_if(session, Council, council.id, Council.join_code == old, join_code=new_join_code()):
        raise KeneshError(__("The join link has just been replaced. Send /settings to see the council's settings."))
    # No before/after: the code itself is a secret and stays out of the log.
    audit.record(
        session,
        council_id=council.id,
        actor_id=user_id,
        action=audit.AuditAction.JOIN_LINK_REPLACED,
        obj_kind=audit.AuditObject.COUNCIL,
        obj_id=council.id,
        now=now,
    )
    await session.commit()
    await reload(session, council)
    log.info("Council %s: join link replaced", council.id)
    return council


# --- the record of the school and the council (cl. 7.1, 4.1, 7.6) -------------------------------------------

SCHOOL, FOUNDING, CHAIR_ORDER, LAST_PEDCOUNCIL = "school", "founding", "chair_order", "last_pedcouncil"
_NUMBER_AND_DATE = re.compile(r"^\s*(?:№|No\.?)?\s*([\w./\-]{1,32})\s+(\S+)\s*$")


def parse_number_and_date(text: str, today: date) -> tuple[str, date]:
    """ "15 01.09.2026" (a protocol's or an order's number, then its date: bot.agenda.parse_day, a day that
    has been when the year is left out)."""
    match = _NUMBER_AND_DATE.match(clean_text(text))
    try:
        if not match:
            raise ValueError(text)
        return match.group(1), agenda.parse_day(match.group(2), today, past=True)
    except ValueError:
        raise KeneshError(__("Write the number and the date, for example: 15 01.09.2026")) from None


def parse_day(text: str, today: date) -> date:
    """The day of the last pedagogical council (bot.agenda.parse_day: the next such day without a year)."""
    try:
        return agenda.parse_day(clean_text(text), today)
    except ValueError:
        # The example is a date, not a deadline (a founding decision, an order, the last pedagogical council):
        # a fixed one that reads as an example in any year.
        raise KeneshError(__("I could not read the date. Write it like this: {date}"), date="01.09.2026") from None


def school_name(council: Council) -> str:
    """The school's name in the council's documents: as /settings records it, else the group's title."""
    return council.school_name or council.title


async def record(session: AsyncSession, *, user_id: int, field: str, text: str, now: datetime) -> Council:
    """/settings: the school's name ("-": the group's title again), the pedagogical council's decision that
    created the council (cl. 7.1), the director's order appointing the chair (cl. 4.1), the day of the school
    year's last pedagogical council (cl. 7.6: the report's draft comes two weeks before it)."""
    councils = await councils_repo.councils_chaired_by(session, user_id)
    if not councils:
        raise KeneshError(__("Only the chair of this council can do this."))
    council = councils[0]
    action, before, number, day = None, None, "", None
    # For a date typed without a year. `now` is UTC: the council's today is that day or the next (Asia), so a
    # day that has been may be up to the next day, and one to come is from UTC's day on.
    today = now.date()
    if field == SCHOOL:
        value = " ".join(clean_text(text).split())
        if not value or len(value) > 255:
            raise KeneshError(__("The text is too long: at most {limit} characters."), limit=255)
        council.school_name = None if value == "-" else value
    elif field == FOUNDING:
        number, day = parse_number_and_date(text, today + timedelta(days=1))
        action, before = audit.AuditAction.FOUNDING_SET, council.founding_protocol
        council.founding_protocol, council.founded_on = number, day
    elif field == CHAIR_ORDER:
        number, day = parse_number_and_date(text, today + timedelta(days=1))
        action, before = audit.AuditAction.CHAIR_ORDER_SET, council.chair_order_number
        council.chair_order_number, council.chair_order_date = number, day
    elif field == LAST_PEDCOUNCIL:
        council.last_pedcouncil_on = parse_day(text, today)
    else:
        raise KeneshError(__("Only the chair of this council can do this."))
    if action is not None:
        audit.record(
            session,
            council_id=council.id,
            actor_id=user_id,
            action=action,
            obj_kind=audit.AuditObject.COUNCIL,
            obj_id=council.id,
            before=before,
            after=f"{number} {day:%d.%m.%Y}" if day else number,
            now=now,
        )
    await session.commit()
    log.info("Council %s: %s recorded", council.id, field)
    return council
