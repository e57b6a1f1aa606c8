"""The operator's commands (ADMIN_IDS, private chat only): /councils, /council N with Pause / Resume / Hand the
chair over, /notify_chairs. To anyone else they are unknown commands and stale buttons (the fallback answers),
and nothing changes.

`paused_groups`: in the group of a council the operator paused, every command and button (but the vote's,
which the ballot box refuses itself: bot/runtime/ballot_box.py) is answered that the council is paused, and
nothing else is done there."""

from __future__ import annotations

import re
from typing import Any

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject, Filter
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.domain import CouncilCard
from bot.errors import KeneshError
from bot.i18n import group_text
from bot.ops import operator
from bot.ops.notices import edit_message
from bot.ui import operator as ui_operator
from bot.ui.callbacks import ID_LIMIT, CouncilsCb, NoticeAction, NoticeCb, OperatorAction, OperatorCb
from db.models import Council
from handlers.scope import sender

GROUPS = {ChatType.GROUP, ChatType.SUPERGROUP}
ANY_COMMAND = re.compile(r"^[A-Za-z0-9_]{1,32}$")


class IsOperator(Filter):
    """The sender is one of ADMIN_IDS."""

    async def __call__(self, event: Message | CallbackQuery, settings: Settings) -> bool:
        return event.from_user is not None and event.from_user.id in settings.admin_ids


class PausedCouncil(Filter):
    """The update comes from the group of a council the operator paused (one read by the group's chat id)."""

    async def __call__(self, event: Message | CallbackQuery, session: AsyncSession) -> bool | dict[str, Any]:
        chat = event.chat if isinstance(event, Message) else event.message.chat if event.message else None
        if chat is None or chat.type not in GROUPS:
            return False
        council = await operator.paused_council(session, chat.id)
        return {"council": council} if council is not None else False


# --- a paused council's group ---------------------------------------------------------------------------------

paused_groups = Router(name=f"{__name__}.paused_groups")
# Any command meant for this bot (none for another bot: "/start@other_bot" is not ours to answer).
paused_groups.message.filter(F.chat.type.in_(GROUPS), Command(ANY_COMMAND), PausedCouncil())
paused_groups.callback_query.filter(F.message.chat.type.in_(GROUPS), PausedCouncil())


@paused_groups.message()
async def command_in_paused_group(message: Message, council: Council) -> None:
    await message.reply(group_text(council.group_language, ui_operator.council_paused))


@paused_groups.callback_query()
async def press_in_paused_group(call: CallbackQuery) -> None:
    await call.answer(ui_operator.council_paused(), show_alert=True)


# --- the operator ------------------------------------------------------------------------------------------------

router = Router(name=__name__)
router.message.filter(IsOperator())  # in the private chat: get_routers() scopes it
router.callback_query.filter(IsOperator())


@router.message(Command("councils"))
async def show_councils(message: Message, session: AsyncSession, clock: Clock, settings: Settings) -> None:
    page = await operator.councils_page(
        session, 0, now=clock.now(), tz=settings.tz, warn_days=settings.watchdog_warn_days
    )
    await message.answer(ui_operator.councils_text(page, settings.tz), reply_markup=ui_operator.councils_keyboard(page))


@router.callback_query(CouncilsCb.filter())
async def turn_page(
    call: CallbackQuery, callback_data: CouncilsCb, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    page = await operator.councils_page(
        session, callback_data.page, now=clock.now(), tz=settings.tz, warn_days=settings.watchdog_warn_days
    )
    await call.answer()
    await edit_message(call.message, ui_operator.councils_text(page, settings.tz), ui_operator.councils_keyboard(page))


def _council_number(command: CommandObject) -> int:
    """/council 3: the number, bounded as a button's id is (a larger one could be no council's)."""
    text = (command.args or "").strip().lstrip("№#")
    if not text.isdigit():
        raise KeneshError(ui_operator.COUNCIL_USAGE)
    number = int(text)
    if not 1 <= number < ID_LIMIT:
        raise KeneshError(ui_operator.NO_SUCH_COUNCIL)
    return number


@router.message(Command("council"))
async def show_council(
    message: Message, command: CommandObject, bot: Bot, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    card = await operator.council_card(
        session, bot, _council_number(command), now=clock.now(), tz=settings.tz, warn_days=settings.watchdog_warn_days
    )
    await message.answer(ui_operator.card_text(card, settings.tz), reply_markup=ui_operator.card_keyboard(card))


async def _card(session: AsyncSession, bot: Bot, council_id: int, clock: Clock, settings: Settings) -> CouncilCard:
    return await operator.council_card(
        session, bot, council_id, now=clock.now(), tz=settings.tz, warn_days=settings.watchdog_warn_days
    )


@router.callback_query(OperatorCb.filter(F.action.in_({OperatorAction.CARD, OperatorAction.PAUSE})))
async def open_card(
    call: CallbackQuery, callback_data: OperatorCb, bot: Bot, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    card = await _card(session, bot, callback_data.council_id, clock, settings)
    await call.answer()
    if callback_data.action is OperatorAction.PAUSE and not card.summary.council.paused:
        await edit_message(
            call.message,
            ui_operator.pause_question(card, settings.tz),
            ui_operator.pause_keyboard(card.summary.council.id),
        )
        return
    await edit_message(call.message, ui_operator.card_text(card, settings.tz), ui_operator.card_keyboard(card))


@router.callback_query(OperatorCb.filter(F.action.in_({OperatorAction.PAUSE_CONFIRM, OperatorAction.RESUME})))
async def pause_or_resume(
    call: CallbackQuery, callback_data: OperatorCb, bot: Bot, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    if callback_data.action is OperatorAction.PAUSE_CONFIRM:
        await operator.pause_council(
            session,
            council_id=callback_data.council_id,
            operator_id=call.from_user.id,
            now=clock.now(),
            default_locale=settings.default_locale,
        )
        done = ui_operator.paused_done()
    else:
        await operator.resume_council(
            session,
            council_id=callback_data.council_id,
            operator_id=call.from_user.id,
            now=clock.now(),
            tz=settings.tz,
            default_locale=settings.default_locale,
            warn_days=settings.watchdog_warn_days,
        )
        done = ui_operator.resumed_done()
    await call.answer(done)
    card = await _card(session, bot, callback_data.council_id, clock, settings)
    await edit_message(call.message, ui_operator.card_done(card, settings.tz, done), ui_operator.card_keyboard(card))


@router.callback_query(OperatorCb.filter(F.action == OperatorAction.CHAIR))
async def chair_candidates(call: CallbackQuery, callback_data: OperatorCb, bot: Bot, session: AsyncSession) -> None:
    council, members, page, pages = await operator.chair_candidates(
        session, bot, callback_data.council_id, callback_data.page
    )
    await call.answer()
    await edit_message(
        call.message,
        ui_operator.candidates_text(council, members, page, pages),
        ui_operator.candidates_keyboard(council.id, members, page, pages),
    )


@router.callback_query(OperatorCb.filter(F.action == OperatorAction.CHAIR_PICK))
async def ask_to_hand_over(call: CallbackQuery, callback_data: OperatorCb, bot: Bot, session: AsyncSession) -> None:
    view = await operator.chair_candidate(session, bot, callback_data.council_id, callback_data.member_id)
    await call.answer()
    await edit_message(
        call.message,
        ui_operator.hand_over_question(view.council, view.member),
        ui_operator.hand_over_keyboard(view.council.id, view.member.id),
    )


@router.callback_query(OperatorCb.filter(F.action == OperatorAction.CHAIR_CONFIRM))
async def hand_over(
    call: CallbackQuery, callback_data: OperatorCb, bot: Bot, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    await operator.hand_over_chair(
        session,
        bot,
        council_id=callback_data.council_id,
        member_id=callback_data.member_id,
        operator_id=call.from_user.id,
        now=clock.now(),
        default_locale=settings.default_locale,
    )
    done = ui_operator.handed_over()
    await call.answer(done)
    card = await _card(session, bot, callback_data.council_id, clock, settings)
    await edit_message(call.message, ui_operator.card_done(card, settings.tz, done), ui_operator.card_keyboard(card))


@router.message(Command("notify_chairs"))
async def notify_chairs(message: Message, command: CommandObject, session: AsyncSession, clock: Clock) -> None:
    preview = await operator.draft_notice(
        session, operator_id=sender(message).id, text=command.args or "", now=clock.now()
    )
    await message.answer(
        ui_operator.notice_preview(preview), reply_markup=ui_operator.notice_keyboard(preview.notice_id)
    )


@router.callback_query(NoticeCb.filter())
async def send_or_cancel_notice(
    call: CallbackQuery, callback_data: NoticeCb, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    if callback_data.action is NoticeAction.SEND:
        notice = await operator.send_notice(
            session,
            notice_id=callback_data.notice_id,
            operator_id=call.from_user.id,
            now=clock.now(),
            default_locale=settings.default_locale,
        )
        await call.answer(ui_operator.notice_sent(notice.chairs))
        await edit_message(call.message, ui_operator.notice_sent_text(notice))
    else:
        notice = await operator.cancel_notice(session, notice_id=callback_data.notice_id, now=clock.now())
        await call.answer(ui_operator.notice_cancelled())
        await edit_message(call.message, ui_operator.notice_cancelled_text(notice))
