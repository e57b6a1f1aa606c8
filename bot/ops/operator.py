"""The operator's commands (ADMIN_IDS, in the private chat; issue 19 §3): the district's councils, a council
paused and resumed, the chair handed over when the chair has left, a message to every chair.

A paused council (SETTLED.md "A paused council") is held, not dropped: its group hears only that it is paused
(handlers/operator.py, and the vote press in bot/runtime/ballot_box.py); nobody acts for it (bot/ops/access.py);
its outbox rows wait (db/repo/outbox.py), its meeting reminders, vote timers and the closing of a meeting
left open are not planned or run (db/repo/meetings.py, db/repo/meeting_day.py, bot/ops/meetings.py) and its
cl. 7.4 warnings not judged (bot/ops/watchdog.py), all without recording them done. `resume_council` then
sends what is still due and tells the chair, in one message, what passed meanwhile.

Every action is a conditional update, so it happens once however often it is pressed, and is written to that
council's /log with the operator's Telegram id, in the transaction of the change.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from sqlalchemy.ext.asyncio import AsyncSession

from bot import rules
from bot.domain import CouncilCard, CouncilsPage, CouncilSummary, HeldWarning, NoticePreview, Resumed
from bot.errors import KeneshError
from bot.i18n import in_locale
from bot.ops import audit, effects, notices, plan, watchdog
from bot.ops import members as membership
from bot.ops.members import ChairView
from bot.ui import common as ui_common
from bot.ui import operator as ui_operator
from bot.ui.render import esc
from db.models import Council, MeetingStatus, Member, MemberStatus, OperatorNotice, Role
from db.repo import councils as councils_repo
from db.repo import meetings as meetings_repo
from db.repo import members as members_repo
from db.repo import operator as operator_repo
from db.repo import reload
from db.repo.outbox import Kind, enqueue

log = logging.getLogger(__name__)

PAGE = 8  # councils on one page of /councils (each entry at most ~400 characters: the page stays under 4096)
HELD_OR_ANNOUNCED = watchdog.HELD_OR_ANNOUNCED
LEFT = {ChatMemberStatus.LEFT, ChatMemberStatus.KICKED}


async def _council(session: AsyncSession, council_id: int) -> Council:
    council = await councils_repo.get_council(session, council_id)
    if council is None:  # deleted (`python -m bot delete-council`), or data the bot never made
        raise KeneshError(ui_operator.NO_SUCH_COUNCIL)
    return council


# --- what the operator sees -------------------------------------------------------------------------------


async def _summaries(
    session: AsyncSession, councils: Sequence[Council], *, now: datetime, tz: ZoneInfo, warn_days: tuple[int, ...]
) -> list[CouncilSummary]:
    """The councils' figures, one query per kind for all of them; the trimester warning as the daily check
    judges it (bot/ops/watchdog.py judge), without the warnings already sent: which warning applies today."""
    ids = [council.id for council in councils]
    if not ids:
        return []
    chairs = await operator_repo.chair_names(session, ids)
    counts = await operator_repo.member_counts(session, ids)
    last = await operator_repo.last_held(session, ids)
    following = await operator_repo.next_meetings(session, ids, now)
    today = now.astimezone(tz).date()
    trimesters = {council.id: rules.trimester_of(today, council.trimesters) for council in councils}
    running = [trimester for trimester in trimesters.values() if trimester is not None]
    meetings: dict[int, list] = defaultdict(list)
    if running:  # a day's margin each side for time zones, as the daily check takes
        since = datetime.combine(min(t.start for t in running) - timedelta(days=1), time(), tz)
        until = datetime.combine(max(t.end for t in running) + timedelta(days=2), time(), tz)
        for row in await operator_repo.meetings_between(session, ids, HELD_OR_ANNOUNCED, since, until):
            meetings[row.council_id].append(row)
    summaries = []
    for council in councils:
        verdict = watchdog.judge(council, trimesters[council.id], meetings[council.id], [], today, tz, warn_days)
        voting, participants = counts.get(council.id, (0, 0))
        summaries.append(
            CouncilSummary(
                council,
                chairs.get(council.id),
                voting,
                participants,
                last.get(council.id),
                following.get(council.id),
                verdict.trimester if verdict.stage is not None else None,
                verdict.stage,
            )
        )
    return summaries


async def councils_page(
    session: AsyncSession, page: int, *, now: datetime, tz: ZoneInfo, warn_days: tuple[int, ...]
) -> CouncilsPage:
    """/councils: every council, PAGE at a time, by number."""
    total = await operator_repo.count_councils(session)
    pages = max(1, math.ceil(total / PAGE))
    page = max(0, min(page, pages - 1))
    councils = await operator_repo.councils_page(session, PAGE, page * PAGE)
    return CouncilsPage(await _summaries(session, councils, now=now, tz=tz, warn_days=warn_days), page, pages, total)


async def chair_has_left(bot: Bot, council: Council) -> bool | None:
    """Whether the chair is no longer in the council's group, as Telegram says (getChatMember); None when
    Telegram cannot say (the bot is not in the group, the network). The bot sees no one leave in privacy
    mode, so it asks when it matters."""
    try:
        found = await bot.get_chat_member(council.chat_id, council.chair_id)
    except TelegramBadRequest as error:
        if "user not found" in error.message.lower() or "participant_id_invalid" in error.message.lower():
            return True  # never in the group, or gone with their account
        log.warning("Council %s: could not ask Telegram about its chair (%s)", council.id, error.message)
        return None
    except TelegramAPIError as error:
        log.warning("Council %s: could not ask Telegram about its chair (%s)", council.id, type(error).__name__)
        return None
    return found.status in LEFT


async def council_card(
    session: AsyncSession, bot: Bot, council_id: int, *, now: datetime, tz: ZoneInfo, warn_days: tuple[int, ...]
) -> CouncilCard:
    """/council N: one council, with what its buttons depend on (paused or not, whether the chair has left)."""
    council = await _council(session, council_id)
    (summary,) = await _summaries(session, [council], now=now, tz=tz, warn_days=warn_days)
    held = await operator_repo.held_posts(session, council.id)
    await session.commit()  # the reads end here: asking Telegram holds no transaction open
    return CouncilCard(summary, held, await chair_has_left(bot, council))


# --- pausing and resuming -----------------------------------------------------------------------------------


async def pause_council(
    session: AsyncSession, *, council_id: int, operator_id: int, now: datetime, default_locale: str
) -> Council:
    """The council paused, once: its meeting reminders are dropped here (planned again at resume), the rest is
    held where it is sent or planned. The chair is told privately (not held: the message is the council's
    news, not its business)."""
    council = await _council(session, council_id)
    if not await operator_repo.pause(session, council.id, operator_id, now):
        raise KeneshError(ui_operator.ALREADY_PAUSED)
    await reload(session, council)
    audit.record(
        session,
        council_id=council.id,
        actor_id=operator_id,
        action=audit.AuditAction.COUNCIL_PAUSED,
        obj_kind=audit.AuditObject.COUNCIL,
        obj_id=council.id,
        now=now,
    )
    for meeting in await meetings_repo.council_meetings(session, council.id, (MeetingStatus.ANNOUNCED,)):
        effects.reminders_dropped(session, meeting.id)
    await notices.to_person(
        session,
        council.chair_id,
        lambda: ui_operator.to_chair_paused(council),
        kind=Kind.PERSONAL,
        now=now,
        default_locale=default_locale,
    )
    await session.commit()
    log.info("Council %s paused by operator %s", council.id, operator_id)
    return council


async def _held_warnings(
    session: AsyncSession,
    council: Council,
    *,
    since: datetime,
    now: datetime,
    tz: ZoneInfo,
    default_locale: str,
    warn_days: tuple[int, ...],
) -> tuple[list[HeldWarning], bool]:
    """The cl. 7.4 warnings held while the council was paused, judged day by day as the daily check would have
    (bot/ops/watchdog.py judge); the one due today goes now (watchdog.warn, recorded as the daily check records
    it), the others passed. Returns those passed, and whether today's went."""
    today = now.astimezone(tz).date()
    recorded = await operator_repo.warnings_of(session, council.id)
    meetings = list(
        await operator_repo.meetings_between(
            session, [council.id], HELD_OR_ANNOUNCED, since - timedelta(days=400), now + timedelta(days=400)
        )
    )

    def verdict_on(day: date) -> watchdog.Verdict:  # the daily check's verdict for this council on that day
        trimester = rules.trimester_of(day, council.trimesters)
        sent = [w for w in recorded if trimester is not None and w.trimester_start == trimester.start]
        return watchdog.judge(council, trimester, meetings, sent, day, tz, warn_days)

    held: dict[tuple, HeldWarning] = {}
    day = since.astimezone(tz).date()
    while day < today:
        if (warning := verdict_on(day).warning()) is not None:
            trimester, stage = warning
            held.setdefault((trimester.start, stage), HeldWarning(trimester, stage, day))
        day += timedelta(days=1)
    verdict = verdict_on(today)
    warned = False
    if (warning := verdict.warning()) is not None:
        trimester, stage = warning
        days = (await plan.planned_by_council(session, [council.id], today)).get(council.id, {})
        planned = plan.planned_between(days, trimester.start, trimester.end, today)
        await watchdog.warn(session, verdict, today, now, default_locale, planned=planned)
        held.pop((trimester.start, stage), None)  # it goes now: not passed
        warned = True
    return sorted(held.values(), key=lambda w: w.day), warned


async def resume_council(
    session: AsyncSession,
    *,
    council_id: int,
    operator_id: int,
    now: datetime,
    tz: ZoneInfo,
    default_locale: str,
    warn_days: tuple[int, ...],
) -> Resumed:
    """The council resumed, once. What is still due goes: its held posts (the outbox sends them now), its
    meeting reminders planned again (one whose time passed goes now if its meeting is still ahead), its vote
    timers planned again (a vote whose time passed closes now), the trimester warning due today. What passed
    meanwhile (meetings whose start came, earlier trimester warnings) is listed to the chair in one message."""
    council = await _council(session, council_id)
    paused_at = council.paused_at
    if paused_at is None or not await operator_repo.resume(session, council.id, paused_at):
        raise KeneshError(ui_operator.NOT_PAUSED)
    await reload(session, council)
    audit.record(
        session,
        council_id=council.id,
        actor_id=operator_id,
        action=audit.AuditAction.COUNCIL_RESUMED,
        obj_kind=audit.AuditObject.COUNCIL,
        obj_id=council.id,
        now=now,
    )
    held_posts = await operator_repo.held_posts(session, council.id)
    announced = await meetings_repo.council_meetings(session, council.id, (MeetingStatus.ANNOUNCED,))
    for meeting in announced:
        effects.reminders_changed(session, meeting)
    for vote in await operator_repo.timed_votes_of(session, council.id):
        if vote.closes_at is not None:
            effects.vote_timer_set(session, vote.id, vote.closes_at)
    missed = [meeting for meeting in announced if paused_at <= meeting.starts_at <= now]
    passed, warned = await _held_warnings(
        session, council, since=paused_at, now=now, tz=tz, default_locale=default_locale, warn_days=warn_days
    )
    resumed = Resumed(council, paused_at, held_posts, missed, passed, warned)
    await notices.to_person(
        session,
        council.chair_id,
        lambda: ui_operator.to_chair_resumed(resumed, tz),
        kind=Kind.PERSONAL,
        now=now,
        default_locale=default_locale,
        council_id=council.id,
    )
    await session.commit()
    log.info(
        "Council %s resumed by operator %s: %d held post(s) go, %d meeting(s) missed, %d warning(s) passed",
        council.id,
        operator_id,
        held_posts,
        len(missed),
        len(passed),
    )
    return resumed


async def paused_council(session: AsyncSession, chat_id: int) -> Council | None:
    """This group's council, when the operator paused it: the group is told so, and nothing else is done
    there (handlers/operator.py)."""
    council = await councils_repo.council_by_chat(session, chat_id)
    return council if council is not None and council.paused else None


# --- the chair handed over when the chair has left ----------------------------------------------------------


async def _candidates(session: AsyncSession, council: Council) -> list[Member]:
    """The members the chair can go to: approved, with a vote, not the chair (as membership.transfer_chair
    takes them)."""
    return [
        member
        for member in await members_repo.approved_members(session, council.id)
        if member.role.votes and member.role is not Role.CHAIR and member.user_id != council.chair_id
    ]


async def _chair_gone(bot: Bot, council: Council) -> None:
    left = await chair_has_left(bot, council)
    if left is None:
        raise KeneshError(ui_operator.CHAIR_UNKNOWN)
    if not left:
        raise KeneshError(ui_operator.CHAIR_IN_GROUP)


async def chair_candidates(
    session: AsyncSession, bot: Bot, council_id: int, page: int
) -> tuple[Council, list[Member], int, int]:
    """A page of the members the operator can hand the chair to: only once the chair has left the group."""
    council = await _council(session, council_id)
    members = await _candidates(session, council)
    await session.commit()  # the reads end here
    await _chair_gone(bot, council)
    pages = max(1, math.ceil(len(members) / ui_operator.PICK_PAGE))
    page = max(0, min(page, pages - 1))
    shown = members[page * ui_operator.PICK_PAGE : (page + 1) * ui_operator.PICK_PAGE]
    return council, shown, page, pages


async def chair_candidate(session: AsyncSession, bot: Bot, council_id: int, member_id: int) -> ChairView:
    """The member the operator picked, checked before asking to confirm."""
    council = await _council(session, council_id)
    member = await members_repo.get_member(session, member_id)
    if member is None or member.council_id != council.id or member.status is not MemberStatus.APPROVED:
        raise KeneshError(ui_operator.NO_SUCH_MEMBER)
    if member.user_id == council.chair_id:
        raise KeneshError(ui_operator.ALREADY_CHAIR, name=esc(member.full_name))
    await session.commit()  # the reads end here
    await _chair_gone(bot, council)
    return ChairView(council, member)


async def hand_over_chair(
    session: AsyncSession,
    bot: Bot,
    *,
    council_id: int,
    member_id: int,
    operator_id: int,
    now: datetime,
    default_locale: str,
) -> ChairView:
    """The operator hands the chair to an approved member with a vote, only when the chair has left the group,
    by the chair's own path (bot/ops/members.py transfer_chair): once, the new chair told, the order pending."""
    view = await chair_candidate(session, bot, council_id, member_id)
    # Read again after asking Telegram: the conditional update hands over from the chair as it is now.
    await reload(session, view.council)
    if view.council.chair_id == view.member.user_id:
        raise KeneshError(ui_operator.ALREADY_CHAIR, name=esc(view.member.full_name))
    view = await membership.transfer_chair(
        session,
        view,
        from_user_id=view.council.chair_id,
        actor_id=operator_id,
        now=now,
        default_locale=default_locale,
    )
    log.info("Council %s: the operator %s handed the chair to member %s", view.council.id, operator_id, member_id)
    return view


# --- a message to every chair -------------------------------------------------------------------------------


def _chairs(councils: Sequence[Council]) -> dict[int, Council]:
    """One message per chair: a person who chairs two councils gets it once (under the first)."""
    chairs: dict[int, Council] = {}
    for council in councils:
        chairs.setdefault(council.chair_id, council)
    return chairs


async def draft_notice(session: AsyncSession, *, operator_id: int, text: str, now: datetime) -> NoticePreview:
    """/notify_chairs <text>: the message stored for its preview; nothing is sent until Send."""
    text = text.strip()
    if not text:
        raise KeneshError(ui_operator.NOTICE_USAGE)
    if len(text) > ui_operator.NOTICE_LIMIT:
        raise KeneshError(ui_operator.NOTICE_TOO_LONG, limit=ui_operator.NOTICE_LIMIT)
    notice = operator_repo.add_notice(session, OperatorNotice(text=text, created_by=operator_id, created_at=now))
    chairs = len(_chairs(await operator_repo.active_councils(session)))
    await session.commit()
    return NoticePreview(notice.id, text, chairs)


async def _open_notice(session: AsyncSession, notice_id: int) -> OperatorNotice:
    """The notice a Send or Cancel press names, still neither sent nor cancelled."""
    notice = await operator_repo.get_notice(session, notice_id)
    if notice is None:  # data the bot never made
        raise KeneshError(ui_common.BUTTON_OUT_OF_DATE)
    _still_open(notice)
    return notice


def _still_open(notice: OperatorNotice) -> None:
    if notice.sent_at is not None:
        raise KeneshError(ui_operator.NOTICE_SENT_ALREADY)
    if notice.cancelled_at is not None:
        raise KeneshError(ui_operator.NOTICE_CANCELLED_ALREADY)


async def _closed_meanwhile(session: AsyncSession, notice: OperatorNotice) -> KeneshError:
    """Another press sent or cancelled it between the read and the update: say which."""
    await reload(session, notice)
    await session.commit()
    try:
        _still_open(notice)
    except KeneshError as error:
        return error
    return KeneshError(ui_operator.NOTICE_SENT_ALREADY)


async def send_notice(
    session: AsyncSession, *, notice_id: int, operator_id: int, now: datetime, default_locale: str
) -> NoticePreview:
    """Send: one message per chair of the councils not paused, through the paced outbox, each in the chair's
    language, and a /log entry in each of those councils; once, however often pressed (the notice is marked
    sent in the transaction that queues them). The message and the number of chairs it went to."""
    notice = await _open_notice(session, notice_id)
    councils = await operator_repo.active_councils(session)
    chairs = _chairs(councils)
    if not await operator_repo.close_notice(session, notice.id, sent_at=now, chairs=len(chairs)):
        raise await _closed_meanwhile(session, notice)
    languages = await members_repo.chair_languages(session)
    for chair_id, council in chairs.items():
        text = in_locale(languages.get(chair_id) or default_locale, lambda: ui_operator.notice_to_chair(notice.text))
        enqueue(session, chat_id=chair_id, kind=Kind.PERSONAL, now=now, council_id=council.id, text=text)
    for council in councils:
        audit.record(
            session,
            council_id=council.id,
            actor_id=operator_id,
            action=audit.AuditAction.OPERATOR_NOTICE,
            obj_kind=audit.AuditObject.COUNCIL,
            obj_id=council.id,
            after=notice.text,
            now=now,
        )
    await session.commit()
    log.info("Operator %s: notice %s queued for %d chair(s)", operator_id, notice.id, len(chairs))
    return NoticePreview(notice.id, notice.text, len(chairs))


async def cancel_notice(session: AsyncSession, *, notice_id: int, now: datetime) -> NoticePreview:
    """Cancel: nothing is sent; the message, with no chair to get it."""
    notice = await _open_notice(session, notice_id)
    if not await operator_repo.close_notice(session, notice.id, cancelled_at=now):
        raise await _closed_meanwhile(session, notice)
    await session.commit()
    return NoticePreview(notice.id, notice.text, 0)
