"""The year in figures for the teaching staff (cl. 7.6): /report, and /export for the school's records."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType

router = Router(name=__name__)
router.message.filter(F.chat.type == ChatType.PRIVATE)
