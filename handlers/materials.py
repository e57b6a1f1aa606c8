"""Methodical materials: a file sent to the bot, four short questions, the chair's review, and /bank."""

from __future__ import annotations

import io
import logging
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, MaybeInaccessibleMessageUnion, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.ops import materials
from bot.ops.materials import Archive, Upload
from bot.ops.notices import edit_message
from bot.text_input import clean_text
from bot.ui import common as ui_common
from bot.ui import materials as ui_materials
from bot.ui import meetings as ui_meetings
from bot.ui import reviews as ui_reviews
from bot.ui.callbacks import AgendaPickCb, BankCb, KindCb, MaterialAction, MaterialCb, StepCb
from db.models import MaterialKind, MaterialState
from handlers.scope import TYPED, chat_of, sender, text_of

log = logging.getLogger(__name__)

router = Router(name=__name__)

DECISIONS = {
    MaterialAction.APPROVE: MaterialState.APPROVED,
    MaterialAction.RETURN: MaterialState.RETURNED,
    MaterialAction.REJECT: MaterialState.REJECTED,
}


class Submission(StatesGroup):
    which = State()  # an author with a returned material: its new version, or a new material?
    file = State()
    title = State()
    kind = State()
    subject = State()
    description = State()


class Review(StatesGroup):
    comment = State()


async def _receive(
    message: Message, bot: Bot, session: AsyncSession, settings: Settings, archive: Archive, clock: Clock, *, held: bool
) -> Upload:
    """Check, download and keep the file in the message: in the quarantine while its dialog runs (held), or
    in the archive; nothing is stored if any step refuses."""
    if message.document:
        name, size, file_id = message.document.file_name or "file", message.document.file_size, message.document.file_id
    elif message.photo:  # a photo of a paper document: Telegram sends sizes; the largest one is the original
        photo = message.photo[-1]
        name, size, file_id = f"photo_{message.message_id}.jpg", photo.file_size, photo.file_id
    else:
        raise ValueError(f"Message {message.message_id} has no file: its handler is missing F.document | F.photo")
    name, extension = await materials.admit_file(
        session,
        archive,
        user_id=sender(message).id,
        file_name=name,
        size=size,
        now=clock.now(),
        tz=settings.tz,
        max_mb=settings.max_file_mb,
        per_day=settings.max_submissions_per_day,
        archive_mb=settings.max_archive_mb,
    )
    buffer = io.BytesIO()
    await bot.download(file_id, destination=buffer)
    return materials.archive_file(
        archive, buffer.getvalue(), file_name=name, extension=extension, file_id=file_id, held=held
    )


@router.message(Command("submit"))
async def submit_command(message: Message, session: AsyncSession, state: FSMContext) -> None:
    await materials.author_in(session, sender(message).id)
    returned = await materials.returned_of(session, sender(message).id)
    if returned:
        await state.set_state(Submission.which)
        await message.answer(
            ui_materials.which_submission(), reply_markup=ui_materials.which_submission_keyboard(returned)
        )
        return
    await state.set_state(Submission.file)
    await message.answer(ui_materials.ask_file())


@router.callback_query(Submission.which, StepCb.filter(F.step == "new"))
async def new_material(call: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(Submission.file)
    await call.answer()
    await chat_of(call).answer(ui_materials.ask_file())


@router.message(Submission.which, ~F.text.startswith("/"))
async def file_before_choosing(message: Message, session: AsyncSession) -> None:
    """The file (or text) came before the answer to "new version or new material?": ask again, keep nothing."""
    returned = await materials.returned_of(session, sender(message).id)
    await message.answer(ui_materials.choose_first(), reply_markup=ui_materials.which_submission_keyboard(returned))


@router.message(Submission.file, ~F.document, ~F.photo, ~F.text.startswith("/"))
async def not_a_file(message: Message) -> None:
    """Text (or a sticker, a voice message) while the step waits for the file: say what it waits for."""
    await message.answer(ui_materials.file_expected())


@router.callback_query(MaterialCb.filter(F.action == MaterialAction.VERSION))
async def choose_version(call: CallbackQuery, callback_data: MaterialCb, state: FSMContext) -> None:
    await state.set_state(Submission.file)
    await state.set_data({"version_of": callback_data.material_id})
    await call.answer()
    await chat_of(call).answer(ui_materials.ask_version_file(callback_data.material_id))


@router.message(F.document | F.photo, StateFilter(None, Submission.file))
async def got_file(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
    archive: Archive,
    clock: Clock,
) -> None:
    data = await state.get_data()
    upload = await _receive(message, bot, session, settings, archive, clock, held=not data.get("version_of"))
    received = await materials.receive_file(
        session,
        archive,
        user_id=sender(message).id,
        upload=upload,
        version_of=data.get("version_of"),
        now=clock.now(),
        default_locale=settings.default_locale,
    )
    if received.version is not None:
        await state.clear()
        await message.answer(ui_materials.version_saved(received.version))
    elif received.duplicate is not None:
        await state.clear()
        await message.answer(ui_materials.already_submitted(received.duplicate))
    elif received.duplicate_hidden:
        await state.clear()
        await message.answer(ui_materials.already_submitted_by_someone())
    else:
        await state.set_state(Submission.title)
        await state.set_data({"held_id": received.held_id, "file_name": upload.file_name})
        await message.answer(ui_materials.ask_title(), reply_markup=ui_materials.title_keyboard(upload.file_name))


@router.message(F.document | F.photo)
async def file_at_the_wrong_time(message: Message) -> None:
    await message.answer(ui_materials.finish_step_first())


@router.message(Command("cancel"), StateFilter(Submission, Review))
async def cancel(message: Message, state: FSMContext, session: AsyncSession, archive: Archive) -> None:
    held_id = (await state.get_data()).get("held_id")
    if held_id:
        await materials.discard_held(session, archive, held_id=held_id, user_id=sender(message).id)
    await state.clear()
    await message.answer(ui_common.nothing_changed())


async def _ask_kind(message: MaybeInaccessibleMessageUnion, state: FSMContext, title: str) -> None:
    await state.update_data(title=title[: materials.MAX_TITLE])
    await state.set_state(Submission.kind)
    await message.answer(ui_materials.ask_kind(), reply_markup=ui_materials.kind_keyboard())


@router.message(Submission.title, TYPED)
async def got_title(message: Message, state: FSMContext) -> None:
    await _ask_kind(message, state, clean_text(text_of(message)).strip())


@router.callback_query(Submission.title, StepCb.filter(F.step == "title"))
async def title_from_file(call: CallbackQuery, state: FSMContext) -> None:
    data = await state.get_data()
    name = data["file_name"]
    await call.answer()
    await _ask_kind(chat_of(call), state, name.rsplit(".", 1)[0] or name)


@router.callback_query(Submission.kind, KindCb.filter())
async def got_kind(call: CallbackQuery, callback_data: KindCb, state: FSMContext) -> None:
    await state.update_data(kind=callback_data.kind.value)
    await state.set_state(Submission.subject)
    await call.answer()
    await chat_of(call).answer(ui_materials.ask_subject())


@router.message(Submission.subject, TYPED)
async def got_subject(message: Message, state: FSMContext) -> None:
    await state.update_data(subject=clean_text(text_of(message)).strip()[: materials.MAX_SUBJECT])
    await state.set_state(Submission.description)
    await message.answer(ui_materials.ask_description(), reply_markup=ui_materials.skip_keyboard())


async def _finish(
    message: MaybeInaccessibleMessageUnion,
    state: FSMContext,
    session: AsyncSession,
    user_id: int,
    description: str | None,
    clock: Clock,
    settings: Settings,
    archive: Archive,
) -> None:
    data = await state.get_data()
    material = await materials.submit(
        session,
        user_id=user_id,
        held_id=data["held_id"],
        archive=archive,
        title=data["title"],
        kind=MaterialKind(data["kind"]),
        subject=data["subject"],
        description=description,
        now=clock.now(),
        default_locale=settings.default_locale,
    )
    await state.clear()
    await message.answer(ui_materials.submitted(material))


@router.message(Submission.description, TYPED)
async def got_description(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, settings: Settings, archive: Archive
) -> None:
    await _finish(message, state, session, sender(message).id, text_of(message).strip(), clock, settings, archive)


@router.callback_query(Submission.description, StepCb.filter(F.step == "skip"))
async def skip_description(
    call: CallbackQuery, state: FSMContext, session: AsyncSession, clock: Clock, settings: Settings, archive: Archive
) -> None:
    await _finish(chat_of(call), state, session, call.from_user.id, None, clock, settings, archive)
    await call.answer(ui_common.saved())


# --- review --------------------------------------------------------------------------------------------------


@router.message(Command("materials"))
async def list_materials(message: Message, session: AsyncSession) -> None:
    council, found = await materials.by_state(session, sender(message).id)
    if not found:
        await message.answer(ui_materials.no_materials())
        return
    await message.answer(ui_materials.materials_list(found), reply_markup=ui_materials.materials_list_keyboard(found))


@router.callback_query(MaterialCb.filter(F.action == MaterialAction.OPEN))
async def open_material(
    call: CallbackQuery, callback_data: MaterialCb, session: AsyncSession, settings: Settings
) -> None:
    material, author, _council = await materials.reviewable(session, callback_data.material_id, call.from_user.id)
    association = await materials.association_name(session, material)
    lines = await materials.review_lines(session, material)
    await call.answer()
    await edit_message(
        call.message,
        ui_reviews.card_with_reviews(material, author.full_name, association, lines, settings.tz),
        ui_materials.review_keyboard(material),
    )


@router.callback_query(MaterialCb.filter(F.action.in_(set(DECISIONS))))
async def ask_comment(call: CallbackQuery, callback_data: MaterialCb, session: AsyncSession, state: FSMContext) -> None:
    material, _author, _council = await materials.undecided(session, callback_data.material_id, call.from_user.id)
    await state.set_state(Review.comment)
    await state.set_data({"material_id": material.id, "decision": DECISIONS[callback_data.action].value})
    await call.answer()
    await chat_of(call).answer(
        ui_materials.ask_comment(),
        reply_markup=ui_materials.no_comment_keyboard(),
    )


async def _decide(
    message: MaybeInaccessibleMessageUnion,
    state: FSMContext,
    session: AsyncSession,
    user_id: int,
    comment: str | None,
    clock: Clock,
    settings: Settings,
) -> None:
    data = await state.get_data()
    reviewed = await materials.decide(
        session,
        material_id=data["material_id"],
        user_id=user_id,
        state=MaterialState(data["decision"]),
        comment=comment,
        now=clock.now(),
        default_locale=settings.default_locale,
    )
    await state.clear()
    await message.answer(ui_materials.decided(reviewed.material, reviewed.author.full_name))


@router.message(Review.comment, TYPED)
async def got_comment(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    await _decide(message, state, session, sender(message).id, text_of(message), clock, settings)


@router.callback_query(Review.comment, StepCb.filter(F.step == "nocomment"))
async def no_comment(
    call: CallbackQuery, state: FSMContext, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    await _decide(chat_of(call), state, session, call.from_user.id, None, clock, settings)
    await call.answer(ui_common.saved())


@router.callback_query(MaterialCb.filter(F.action == MaterialAction.AGENDA))
async def choose_meeting(
    call: CallbackQuery, callback_data: MaterialCb, session: AsyncSession, settings: Settings
) -> None:
    meetings = await materials.agenda_choices(session, callback_data.material_id, call.from_user.id)
    await call.answer()
    await chat_of(call).answer(
        ui_meetings.ask_agenda_meeting(),
        reply_markup=ui_materials.agenda_pick_keyboard(callback_data.material_id, meetings, settings.tz),
    )


@router.callback_query(AgendaPickCb.filter())
async def put_on_agenda(
    call: CallbackQuery, callback_data: AgendaPickCb, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    material, meeting = await materials.put_on_agenda(
        session,
        material_id=callback_data.material_id,
        meeting_id=callback_data.meeting_id,
        user_id=call.from_user.id,
        now=clock.now(),
        tz=settings.tz,
        default_locale=settings.default_locale,
    )
    await call.answer(ui_common.saved())
    await edit_message(call.message, ui_materials.put_on_agenda(material, meeting, settings.tz))


# --- the bank --------------------------------------------------------------------------------------------------


async def _bank_page(
    session: AsyncSession, user_id: int, words: str, page: int, tz: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup | None]:
    found = await materials.bank_page(session, user_id, words, page)
    if not found.shown:
        return ui_materials.bank_empty(words), None
    return (
        ui_materials.bank_page(found.shown, words, found.page, found.pages, tz, found.associations),
        ui_materials.bank_page_keyboard(found.shown, found.page, found.pages),
    )


@router.message(Command("bank"))
async def show_bank(
    message: Message, command: CommandObject, session: AsyncSession, state: FSMContext, settings: Settings
) -> None:
    words = (command.args or "").strip()[:100]
    await state.update_data(bank_words=words)  # the page buttons carry only the page number (64 bytes)
    text, markup = await _bank_page(session, sender(message).id, words, 0, settings.tz)
    await message.answer(text, reply_markup=markup)


@router.callback_query(BankCb.filter())
async def bank_page(
    call: CallbackQuery, callback_data: BankCb, session: AsyncSession, state: FSMContext, settings: Settings
) -> None:
    words = (await state.get_data()).get("bank_words", "")
    text, markup = await _bank_page(session, call.from_user.id, words, callback_data.page, settings.tz)
    await call.answer()
    await edit_message(call.message, text, markup)


@router.callback_query(MaterialCb.filter(F.action == MaterialAction.FILE))
async def send_file(
    call: CallbackQuery, callback_data: MaterialCb, bot: Bot, session: AsyncSession, archive: Archive
) -> None:
    material = await materials.for_download(session, callback_data.material_id, call.from_user.id)
    await call.answer(ui_common.sending())
    await materials.send_material(bot, session, archive, material, call.from_user.id)
