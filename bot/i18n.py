"""Languages: what is Kenesh's own on top of aiogram's gettext layer.

The gettext layer is aiogram's (`aiogram.utils.i18n`: I18n, I18nMiddleware, gettext, lazy_gettext, with
Babel's lazy strings), re-exported here so bot/ and handlers/ import it from one place:
https://docs.aiogram.dev/en/latest/utils/i18n.html. Kenesh adds the catalogs compiled at start, the reader's
locale (their stored language, then their Telegram app's), the group's texts in one or both languages, and
Babel's date formats.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from datetime import date, datetime, time
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from aiogram.types import TelegramObject
from aiogram.types import User as TgUser
from aiogram.utils.i18n import I18n, I18nMiddleware
from aiogram.utils.i18n import gettext as gettext  # `_` in bot/ui/ (make extract's keyword)
from aiogram.utils.i18n import lazy_gettext as lazy_gettext  # `__` for texts defined at import
from babel import Locale
from babel.dates import format_date, format_time
from sqlalchemy import inspect

from bot.config import SUPPORTED_LOCALES
from db.models import GroupLanguage, User

log = logging.getLogger(__name__)

T = TypeVar("T")

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
LANGUAGE_NAMES = {"ky": "Кыргызча", "ru": "Русский"}
# The council's group language (a GroupLanguage value), named in its own languages.
GROUP_LANGUAGE_NAMES = {"both": "Кыргызча + Русский", "ky": "Кыргызча", "ru": "Русский"}


def compile_catalogs(locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Build each .mo from its .po when missing or older: aiogram's I18n reads only compiled catalogs."""
    built = []
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        from babel.messages.mofile import write_mo  # only when a catalog is stale
        from babel.messages.pofile import read_po

        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        built.append(mo_path)
    if built:
        log.info("Compiled %d translation catalog(s)", len(built))
    return built


def create_i18n(default_locale: str) -> I18n:
    compile_catalogs()
    return I18n(path=LOCALES_DIR, default_locale=default_locale, domain=DOMAIN)


def locale_from_telegram(user: TgUser | None, default: str) -> str:
    """ky or ru from the Telegram app's language; anything else gets the deployment's default."""
    code = (user.language_code or "").lower() if user else ""
    language = code.split("-")[0]
    return language if language in SUPPORTED_LOCALES else default


class KeneshI18nMiddleware(I18nMiddleware):
    """The member's chosen language first (loaded by the user middleware), then their Telegram app's."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("user")
        # Read as loaded, never loaded again: on the error path the update's session has rolled back and
        # closed, and a refresh there would fail before the error router could answer.
        language = inspect(user).dict.get("language") if user is not None else None
        if language in SUPPORTED_LOCALES:
            return str(language)
        return locale_from_telegram(data.get("event_from_user"), self.i18n.default_locale)


def current_locale() -> str:
    """The locale of the update (or job) being handled: the I18n middleware or `i18n.context()` set it."""
    return I18n.get_current(no_error=False).current_locale


def in_locale(locale: str, render: Callable[[], T]) -> T:
    """Whatever `render` builds (a text, a keyboard, a list of commands), with gettext in `locale`."""
    i18n = I18n.get_current(no_error=False)
    with i18n.use_locale(locale):
        return render()


def group_locales(language: GroupLanguage | str) -> tuple[str, ...]:
    """The locales the council's group reads: Kyrgyz, Russian, or both (Kyrgyz first, the state language)."""
    language = GroupLanguage(language)
    return ("ky", "ru") if language is GroupLanguage.BOTH else (language.value,)


def group_text(language: GroupLanguage | str, render: Callable[[], str]) -> str:
    """A text for the council's group, in each language it reads (group_locales), one after the other."""
    return "\n\n".join(in_locale(locale, render) for locale in group_locales(language))


def fmt_date(value: date | datetime, tz: ZoneInfo | None = None, locale: str | None = None) -> str:
    if isinstance(value, datetime):
        value = (value.astimezone(tz) if tz is not None else value).date()
    return _format_date(value, "medium", locale or current_locale())


def fmt_long_date(value: date, locale: str | None = None) -> str:
    if isinstance(value, datetime):
        value = value.date()
    return _format_date(value, "long", locale or current_locale())


def fmt_day_month(day: int, month: int, locale: str | None = None) -> str:
    """A day and a month without a year, as the reader's language writes them ("31 февраля", "31-февраль"),
    for any day number: naming a date that does not exist (a person typed 31.02)."""
    babel_locale = _babel_locale(locale or current_locale())
    pattern = str(babel_locale.datetime_skeletons["MMMMd"].pattern)
    name = str(babel_locale.months["format"]["wide"][month])
    return pattern.replace("MMMM", "\0").replace("d", str(day)).replace("\0", name).replace("'", "")


def fmt_time(value: datetime, tz: ZoneInfo, locale: str | None = None) -> str:
    """The time of day ("15:02") in the council's time zone."""
    local = value.astimezone(tz)
    return _format_time(local.hour, local.minute, locale or current_locale())


def fmt_datetime(value: datetime, tz: ZoneInfo, locale: str | None = None) -> str:
    locale = locale or current_locale()
    local = value.astimezone(tz)
    return f"{_format_date(local.date(), 'long', locale)}, {_format_time(local.hour, local.minute, locale)}"


# Babel takes some 50 µs a date (it parses the locale's name each time); a page of the Mini App names a year's
# dates by the hundred, mostly the same few dozen. The same date in the same locale reads the same while the bot
# runs, so each is formatted once (a bounded cache: the dates of a few years).


@lru_cache(maxsize=8)
def _babel_locale(locale: str) -> Locale:
    return Locale.parse(locale)


@lru_cache(maxsize=4096)
def _format_date(value: date, format: str, locale: str) -> str:
    return format_date(value, format=format, locale=_babel_locale(locale))


@lru_cache(maxsize=2048)
def _format_time(hour: int, minute: int, locale: str) -> str:
    return format_time(time(hour, minute), "HH:mm", locale=_babel_locale(locale))


K = TypeVar("K", bound=Hashable)


def per_locale(render: Callable[[K], str]) -> Callable[[K], str]:
    """A label that depends on its argument and the locale alone (an enum member's name), translated once per
    locale: a list of hundreds asks for the same few labels hundreds of times."""
    cache: dict[tuple[str, K], str] = {}

    @wraps(render)
    def label(value: K) -> str:
        key = (current_locale(), value)
        text = cache.get(key)
        if text is None:
            text = cache[key] = render(value)
        return text

    return label
