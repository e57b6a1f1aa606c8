"""The meeting itself: /open and attendance, /vote and /secretvote with their buttons, /close and protocols."""

from __future__ import annotations

import logging
import secrets
from functools import partial

from aiogram import Bot, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import SUPPORTED_LOCALES, Settings
from bot.errors import KeneshError
from bot.i18n import I18n, current_locale, locale_from_telegram
from bot.ops import access, groups, meeting_day, meetings, voting
from bot.ops.effects import BallotBox, VoteKeys
from bot.ops.notices import edit_markup, edit_message, send_private
from bot.rules import Counts
from bot.ui import common as ui_common
from bot.ui import meeting_day as ui_meeting_day
from bot.ui.callbacks import (
    CloseVoteCb,
    ConfirmCloseVoteCb,
    OutsideAgendaCb,
    PresentCb,
    ProtocolCb,
    RollCallCb,
    RollPageCb,
    VoteCb,
    VoteTimerCb,
)
from db.models import Council, GroupLanguage, Meeting, Vote
from handlers.scope import PRIVATE, chat_of, group_id, sender

log = logging.getLogger(__name__)

router = Router(name=__name__)

OUTSIDE_AGENDA = "outside_agenda"  # the asker's state: a decision waiting to be confirmed as outside the agenda


@router.message(Command("open"))
async def open_meeting(message: Message, bot: Bot, session: AsyncSession, clock: Clock, settings: Settings) -> None:
    council = await access.council_for_runner(session, sender(message).id, group_id(message))
    view = await meetings.open_meeting(
        session,
        council=council,
        user_id=sender(message).id,
        now=clock.now(),
        tz=settings.tz,
        default_locale=settings.default_locale,
    )
    seats = await meetings.presence(session, view.meeting)
    text = ui_meeting_day.attendance_post(council.group_language, seats)
    markup = ui_meeting_day.present_keyboard(view.meeting.id, council.group_language)
    try:
        sent = await bot.send_message(council.chat_id, text, reply_markup=markup)
    except TelegramAPIError as error:  # a 5xx, a timeout: nothing half made, and /open works again
        log.warning("Council %s: attendance message not posted: %s", council.id, error)
        await meetings.undo_open(session, view.meeting.id)
        raise KeneshError(ui_meeting_day.NOT_POSTED_OPEN) from None
    await meetings.set_attendance_message(session, view.meeting, sent.message_id, text=text, markup=markup)
    # The chair's private list: mark those in the room without a phone.
    roll = await meetings.roll_call(session, view.meeting)
    await send_private(
        bot,
        sender(message).id,
        ui_meeting_day.ask_roll_call(),
        reply_markup=ui_meeting_day.roll_call_keyboard(view.meeting.id, roll),
    )


@router.callback_query(PresentCb.filter())
async def present(call: CallbackQuery, callback_data: PresentCb, session: AsyncSession, clock: Clock) -> None:
    marked = await meetings.mark_present(
        session, meeting_id=callback_data.meeting_id, user_id=call.from_user.id, now=clock.now()
    )
    await call.answer(ui_meeting_day.marked_present(marked))


@router.callback_query(RollCallCb.filter())
async def roll_call(call: CallbackQuery, callback_data: RollCallCb, session: AsyncSession, clock: Clock) -> None:
    now_present = await meetings.toggle_presence(
        session,
        meeting_id=callback_data.meeting_id,
        member_id=callback_data.member_id,
        user_id=call.from_user.id,
        now=clock.now(),
    )
    await call.answer(ui_meeting_day.roll_call_marked(now_present))
    view = await meetings.meeting_view(session, callback_data.meeting_id)
    roll = await meetings.roll_call(session, view.meeting)
    page = ui_meeting_day.roll_call_page_of(roll, callback_data.member_id)
    await edit_markup(call.message, ui_meeting_day.roll_call_keyboard(view.meeting.id, roll, page))


@router.callback_query(RollPageCb.filter())
async def roll_call_page(call: CallbackQuery, callback_data: RollPageCb, session: AsyncSession) -> None:
    view = await meetings.meeting_view(session, callback_data.meeting_id, call.from_user.id)
    roll = await meetings.roll_call(session, view.meeting)
    await call.answer()
    # The same page pressed again is "message is not modified": edit_markup lets it pass.
    await edit_markup(call.message, ui_meeting_day.roll_call_keyboard(view.meeting.id, roll, callback_data.page))


@router.message(Command("vote", "secretvote"))
async def start_vote(
    message: Message,
    command: CommandObject,
    bot: Bot,
    session: AsyncSession,
    clock: Clock,
    state: FSMContext,
    vote_keys: VoteKeys,
) -> None:
    """`/vote 2 <decision>` or `/secretvote 2 <decision>`: one path, the ballot's kind named by the command."""
    secret = command.command == "secretvote"
    council = await access.council_for_runner(session, sender(message).id, group_id(message))
    try:
        new = await voting.start_vote(
            session,
            council=council,
            user_id=sender(message).id,
            text=command.args or "",
            secret=secret,
            keys=vote_keys,
            now=clock.now(),
        )
    except voting.OutsideAgenda as asking:  # no item number: confirmed as outside the agenda, or not voted
        token = secrets.token_hex(4)
        await state.update_data({OUTSIDE_AGENDA: {"token": token, "text": command.args or "", "secret": secret}})
        language = _group_language(message.chat.type, council.group_language)
        await message.reply(
            ui_meeting_day.for_chat(language, partial(ui_meeting_day.outside_agenda_question, asking.decision)),
            reply_markup=ui_meeting_day.outside_agenda_keyboard(asking.meeting_id, token, language),
        )
        return
    await _post_vote(bot, session, council, new.meeting, new.vote, vote_keys)
    if message.chat.type == ChatType.PRIVATE:
        await message.answer(ui_meeting_day.vote_posted())


def _group_language(chat_type: str, language: GroupLanguage) -> GroupLanguage | None:
    """Where a reply goes: the group reads the council's group language; a private chat, its reader's (None)."""
    return None if chat_type == ChatType.PRIVATE else language


async def _post_vote(
    bot: Bot, session: AsyncSession, council: Council, meeting: Meeting, vote: Vote, vote_keys: VoteKeys
) -> None:
    """The new vote's message in the group, with its buttons; not posted, the vote goes."""
    seats = await meetings.presence(session, meeting)
    titles = await voting.item_titles(session, vote)
    text = ui_meeting_day.vote_post(council.group_language, vote, Counts(0, 0, 0), {}, seats.present, None, titles)
    markup = ui_meeting_day.vote_keyboard(vote.id, council.group_language, vote.kind, vote.rating_scale)
    try:
        sent = await bot.send_message(council.chat_id, text, reply_markup=markup)
    except TelegramAPIError as error:  # no phantom vote: it goes, and /vote works again
        log.warning("Council %s: vote message not posted: %s", council.id, error)
        await voting.undo_vote(session, vote.id, vote_keys)
        raise KeneshError(ui_meeting_day.NOT_POSTED_VOTE) from None
    await voting.set_vote_message(session, vote, sent.message_id, text=text, markup=markup)


@router.message(Command("rate"))
async def rate_report(
    message: Message, command: CommandObject, bot: Bot, session: AsyncSession, clock: Clock, vote_keys: VoteKeys
) -> None:
    """`/rate 2`: the council rates the report heard on item 2 on the school's scale (cl. 3.1, 5)."""
    council = await access.council_for_runner(session, sender(message).id, group_id(message))
    new = await groups.start_rating(
        session, council=council, user_id=sender(message).id, text=command.args or "", now=clock.now()
    )
    await _post_vote(bot, session, council, new.meeting, new.vote, vote_keys)
    if message.chat.type == ChatType.PRIVATE:
        await message.answer(ui_meeting_day.vote_posted())


@router.callback_query(OutsideAgendaCb.filter())
async def vote_outside_agenda(
    call: CallbackQuery,
    callback_data: OutsideAgendaCb,
    bot: Bot,
    session: AsyncSession,
    clock: Clock,
    state: FSMContext,
    vote_keys: VoteKeys,
) -> None:
    """The asker confirms: the decision is put to the vote outside the agenda, once. A member who is not the
    chair or the secretary is told so (as the Close button tells them), not that the button is out of date."""
    place = chat_of(call).chat
    council = await access.council_for_runner(
        session, call.from_user.id, None if place.type == ChatType.PRIVATE else place.id
    )
    pending = (await state.get_data()).get(OUTSIDE_AGENDA)
    if not pending or pending.get("token") != callback_data.token:
        await call.answer(ui_common.button_out_of_date(), show_alert=True)
        return
    new = await voting.start_vote(
        session,
        council=council,
        user_id=call.from_user.id,
        text=pending["text"],
        secret=pending["secret"],
        keys=vote_keys,
        now=clock.now(),
        outside_agenda=True,
    )
    await state.update_data({OUTSIDE_AGENDA: None})
    await call.answer()
    confirmed = partial(ui_meeting_day.outside_agenda_confirmed, new.vote.decision)
    await edit_message(
        call.message, ui_meeting_day.for_chat(_group_language(place.type, council.group_language), confirmed)
    )
    await _post_vote(bot, session, council, new.meeting, new.vote, vote_keys)


# The vote button has a router of its own, included before every other (handlers/__init__.py): nothing reads the user
# row for it; the member's language comes back with the ballot.
presses = Router(name=f"{__name__}.presses")


@presses.callback_query(VoteCb.filter())
async def cast(call: CallbackQuery, callback_data: VoteCb, ballot_box: BallotBox, clock: Clock, i18n: I18n) -> None:
    """The hot path: the press joins a group commit and is answered once its ballot is committed; the tally
    message is edited later, on a timer (the ballot box touches it after the commit)."""
    result = await voting.cast_vote(
        ballot_box,
        vote_id=callback_data.vote_id,
        user_id=call.from_user.id,
        choice=callback_data.choice,
        now=clock.now(),
    )
    stored = result.language if result.language in SUPPORTED_LOCALES else None
    with i18n.use_locale(stored or locale_from_telegram(call.from_user, i18n.default_locale)):
        text = ui_meeting_day.ballot_saved(result.choice, result.changed)
    await call.answer(text)


@router.callback_query(CloseVoteCb.filter())
async def close_vote(
    call: CallbackQuery,
    callback_data: CloseVoteCb,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    vote_keys: VoteKeys,
) -> None:
    try:
        closed = await voting.close_vote(
            session,
            vote_id=callback_data.vote_id,
            user_id=call.from_user.id,
            keys=vote_keys,
            now=clock.now(),
            default_locale=settings.default_locale,
        )
    except voting.NoBallots as asking:  # the chair confirms closing a vote nobody voted in
        await call.answer(asking.render())
        place = chat_of(call)
        language = _group_language(place.chat.type, asking.group_language)
        await place.reply(
            ui_meeting_day.for_chat(language, asking.render),
            reply_markup=ui_meeting_day.confirm_close_vote_keyboard(callback_data.vote_id, language),
        )
        return
    await call.answer(ui_meeting_day.vote_closed(closed.outcome))


@router.callback_query(ConfirmCloseVoteCb.filter())
async def close_empty_vote(
    call: CallbackQuery,
    callback_data: ConfirmCloseVoteCb,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    vote_keys: VoteKeys,
) -> None:
    closed = await voting.close_vote(
        session,
        vote_id=callback_data.vote_id,
        user_id=call.from_user.id,
        keys=vote_keys,
        now=clock.now(),
        default_locale=settings.default_locale,
        confirmed_empty=True,
    )
    await call.answer(ui_meeting_day.vote_closed(closed.outcome))
    language = _group_language(chat_of(call).chat.type, closed.council.group_language)
    await edit_message(
        call.message, ui_meeting_day.for_chat(language, partial(ui_meeting_day.vote_closed, closed.outcome))
    )


@router.message(Command("heard"))
async def heard(message: Message, command: CommandObject, session: AsyncSession) -> None:
    council = await access.council_for_runner(session, sender(message).id, group_id(message))
    recorded = await meetings.record_heard(session, council=council, text=command.args or "")
    confirmation = partial(ui_meeting_day.heard_recorded, recorded.position, recorded.name)
    await message.answer(
        ui_meeting_day.for_chat(_group_language(message.chat.type, council.group_language), confirmation)
    )


@router.callback_query(VoteTimerCb.filter())
async def close_vote_in(call: CallbackQuery, callback_data: VoteTimerCb, session: AsyncSession, clock: Clock) -> None:
    """The chair's "close in 2, 5 or 10 minutes": stored, then the scheduler closes it."""
    await voting.set_close_timer(
        session,
        vote_id=callback_data.vote_id,
        user_id=call.from_user.id,
        minutes=callback_data.minutes,
        now=clock.now(),
    )
    await call.answer(ui_meeting_day.vote_timer_set(callback_data.minutes), show_alert=True)


@router.message(Command("close"))
async def close_meeting(
    message: Message, session: AsyncSession, clock: Clock, settings: Settings, vote_keys: VoteKeys
) -> None:
    council = await access.council_for_runner(session, sender(message).id, group_id(message))
    meeting = await meeting_day.close_meeting(
        session,
        council=council,
        user_id=sender(message).id,
        keys=vote_keys,
        now=clock.now(),
        tz=settings.tz,
        default_locale=settings.default_locale,
    )
    if message.chat.type == ChatType.PRIVATE:
        await message.answer(ui_meeting_day.meeting_closed(meeting))


@router.message(Command("protocols"), PRIVATE)
async def list_protocols(message: Message, session: AsyncSession, settings: Settings) -> None:
    listing = await meetings.meetings_of(session, sender(message).id)
    if not listing.past:
        await message.answer(ui_meeting_day.no_protocols())
        return
    await message.answer(
        ui_meeting_day.which_protocol(), reply_markup=ui_meeting_day.protocols_keyboard(listing.past, settings.tz)
    )


@router.callback_query(ProtocolCb.filter())
async def send_protocol(
    call: CallbackQuery, callback_data: ProtocolCb, bot: Bot, session: AsyncSession, settings: Settings
) -> None:
    view = await meetings.meeting_view(session, callback_data.meeting_id)
    if not await meetings.is_member_of(session, view.council.id, call.from_user.id):
        await call.answer(ui_meeting_day.not_a_member(), show_alert=True)
        return
    await call.answer(ui_common.sending())
    await meeting_day.send_protocol(bot, session, view.meeting.id, call.from_user.id, current_locale(), settings.tz)
