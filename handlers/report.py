"""The year in figures for the teaching staff (cl. 7.6): /report, and /export for the school's records."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.enums import ChatAction
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.ops import report
from bot.ui import report as ui_report
from handlers.scope import sender

router = Router(name=__name__)


@router.message(Command("report"))
async def year_report(
    message: Message, command: CommandObject, bot: Bot, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    if report.wants_docx(command.args)[1]:  # `/report 2026-2027 docx`: the 7.6 report's draft
        year, document = await report.annual_docx_for(
            session, user_id=sender(message).id, args=command.args, now=clock.now(), tz=settings.tz
        )
        await message.answer_document(
            BufferedInputFile(document, filename=ui_report.annual_filename(year)),
            caption=ui_report.annual_caption(year),
        )
        return
    built = await report.report_for(
        session, user_id=sender(message).id, args=command.args, now=clock.now(), tz=settings.tz
    )
    await bot.send_chat_action(message.chat.id, ChatAction.UPLOAD_DOCUMENT)
    await message.answer(ui_report.report_text(built))
    await message.answer_document(
        BufferedInputFile(ui_report.report_xlsx(built), filename=ui_report.report_filename(built, "xlsx"))
    )
    # A photo, so the chart shows in the chat at once; the .png itself is in /export.
    await message.answer_photo(
        BufferedInputFile(ui_report.report_chart(built), filename=ui_report.report_filename(built, "png")),
        caption=ui_report.chart_caption(),
    )


@router.message(Command("export"))
async def export(
    message: Message, command: CommandObject, session: AsyncSession, clock: Clock, settings: Settings
) -> None:
    built, archive = await report.export_for(
        session, user_id=sender(message).id, args=command.args, now=clock.now(), tz=settings.tz
    )
    await message.answer_document(
        BufferedInputFile(archive, filename=ui_report.export_filename(built.school_year)),
        caption=ui_report.export_caption(built.school_year),
    )
