"""Expert reviews of materials: the chair asks a member; the member reads the file and answers the short form."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.ops import materials, reviews
from bot.ops.materials import Archive
from bot.ops.notices import edit_message
from bot.ui import common as ui_common
from bot.ui import reviews as ui_reviews
from bot.ui.callbacks import ExpertCb, ReviewAction, ReviewCb
from db.models import ReviewVerdict
from handlers.scope import TYPED, chat_of, text_of

log = logging.getLogger(__name__)

router = Router(name=__name__)


class ReviewInput(StatesGroup):
    comment = State()
    named = State()


# --- the chair asks --------------------------------------------------------------------------------------------


@router.callback_query(ExpertCb.filter(F.member_id == 0))
async def choose_reviewer(call: CallbackQuery, callback_data: ExpertCb, session: AsyncSession) -> None:
    found = await reviews.reviewer_choices(session, callback_data.material_id, call.from_user.id)
    await call.answer()
    await edit_message(
        call.message,
        ui_reviews.choose_reviewer(found.material, found.asked),
        ui_reviews.reviewers_keyboard(found.material.id, found.people),
    )


@router.callback_query(ExpertCb.filter(F.member_id != 0))
async def ask_review(
    call: CallbackQuery,
    callback_data: ExpertCb,
    bot: Bot,
    session: AsyncSession,
    archive: Archive,
    clock: Clock,
    settings: Settings,
) -> None:
    material, reviewer, _review = await reviews.ask_review(
        session,
        material_id=callback_data.material_id,
        member_id=callback_data.member_id,
        user_id=call.from_user.id,
        now=clock.now(),
        default_locale=settings.default_locale,
    )
    await call.answer(ui_common.saved())
    await edit_message(call.message, ui_reviews.review_asked(material, reviewer.full_name))
    try:  # the file itself now; the form follows from the outbox, and its button sends the file again
        await materials.send_material(bot, session, archive, material, reviewer.user_id)
    except TelegramAPIError as error:  # not started the bot yet: the form's button sends it later
        log.warning("Material %s: file not sent to reviewer %s: %s", material.id, reviewer.id, error)


# --- the reviewer answers ---------------------------------------------------------------------------------------


@router.callback_query(ReviewCb.filter(F.action == ReviewAction.FILE))
async def review_file(
    call: CallbackQuery, callback_data: ReviewCb, bot: Bot, session: AsyncSession, archive: Archive
) -> None:
    _review, material = await reviews.for_reviewer(session, callback_data.review_id, call.from_user.id)
    await call.answer(ui_common.sending())
    await materials.send_material(bot, session, archive, material, call.from_user.id)


@router.callback_query(ReviewCb.filter(F.action == ReviewAction.VERDICT))
async def got_verdict(call: CallbackQuery, callback_data: ReviewCb, session: AsyncSession, state: FSMContext) -> None:
    review, _material = await reviews.for_reviewer(session, callback_data.review_id, call.from_user.id)
    verdict = callback_data.verdict or ReviewVerdict.REVISE
    await state.set_state(ReviewInput.comment)
    await state.set_data({"review_id": review.id, "verdict": verdict.value})
    await call.answer()
    await chat_of(call).answer(ui_reviews.ask_review_comment(verdict))


@router.message(ReviewInput.comment, TYPED)
async def got_review_comment(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    await state.update_data(comment=text_of(message))
    await state.set_state(ReviewInput.named)
    await message.answer(ui_reviews.ask_named(), reply_markup=ui_reviews.named_keyboard(data["review_id"]))


@router.callback_query(ReviewInput.named, ReviewCb.filter(F.action.in_({ReviewAction.NAMED, ReviewAction.ANONYMOUS})))
async def give_review(
    call: CallbackQuery,
    callback_data: ReviewCb,
    session: AsyncSession,
    state: FSMContext,
    clock: Clock,
    settings: Settings,
) -> None:
    data = await state.get_data()
    await reviews.give_review(
        session,
        review_id=data["review_id"],
        user_id=call.from_user.id,
        verdict=ReviewVerdict(data["verdict"]),
        comment=data.get("comment"),
        named=callback_data.action is ReviewAction.NAMED,
        now=clock.now(),
        default_locale=settings.default_locale,
    )
    await state.clear()
    await call.answer(ui_common.saved())
    await edit_message(call.message, ui_reviews.review_saved())
