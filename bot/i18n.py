"""Languages: gettext catalogs, the reader's locale, and Babel date formats.

The gettext layer is aiogram's I18n, I18nMiddleware and gettext/lazy_gettext, kept to the same names and
behaviour, but on the standard library alone. aiogram's own (`aiogram.utils.i18n`) imports Babel's
`babel.support` for its lazy strings, which loads Babel's dates, numbers and pytz: about 1 MB resident in an
idle bot that has not formatted a date yet. Babel's date formats are loaded here on the first date formatted.
"""

from __future__ import annotations

import gettext as _gettext
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from aiogram import BaseMiddleware, Router
from aiogram.types import TelegramObject
from aiogram.types import User as TgUser
from aiogram.utils.mixins import ContextInstanceMixin

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
    """Build each .mo from its .po when missing or older: I18n below reads only compiled catalogs."""
    built = []
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        from babel.messages.mofile import write_mo  # only when a catalog is stale: not resident in the bot
        from babel.messages.pofile import read_po

        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        built.append(mo_path)
    if built:
        log.info("Compiled %d translation catalog(s)", len(built))
    return built


class I18n(ContextInstanceMixin["I18n"]):
    """The compiled catalogs (locales/<locale>/LC_MESSAGES/<domain>.mo) and the locale of the current update
    or job (a context variable: each update's task has its own). aiogram's I18n, the same methods."""

    def __init__(self, *, path: str | Path, default_locale: str = "ky", domain: str = DOMAIN) -> None:
        self.path = Path(path).resolve()
        self.default_locale = default_locale
        self.domain = domain
        self.ctx_locale: ContextVar[str] = ContextVar("kenesh_locale", default=default_locale)
        self.locales = self.find_locales()

    def find_locales(self) -> dict[str, _gettext.GNUTranslations]:
        found = {}
        for mo_path in sorted(self.path.glob(f"*/LC_MESSAGES/{self.domain}.mo")):
            with mo_path.open("rb") as mo_file:
                found[mo_path.parent.parent.name] = _gettext.GNUTranslations(mo_file)
        return found

    @property
    def available_locales(self) -> tuple[str, ...]:
        return tuple(self.locales)

    @property
    def current_locale(self) -> str:
        return self.ctx_locale.get()

    @current_locale.setter
    def current_locale(self, value: str) -> None:
        self.ctx_locale.set(value)

    @contextmanager
    def use_locale(self, locale: str) -> Iterator[None]:
        token = self.ctx_locale.set(locale)
        try:
            yield
        finally:
            self.ctx_locale.reset(token)

    @contextmanager
    def context(self) -> Iterator[I18n]:
        """This instance is the one gettext() uses (jobs outside an update enter it; the middleware does too)."""
        token = self.set_current(self)
        try:
            yield self
        finally:
            self.reset_current(token)

    def gettext(self, singular: str, plural: str | None = None, n: int = 1, locale: str | None = None) -> str:
        translations = self.locales.get(locale or self.current_locale)
        if translations is None:  # a locale without a catalog reads the source text
            return singular if plural is None or n == 1 else plural
        return translations.gettext(singular) if plural is None else translations.ngettext(singular, plural, n)

    def lazy_gettext(self, singular: str, plural: str | None = None, n: int = 1, locale: str | None = None) -> Lazy:
        return Lazy(self.gettext, singular, plural, n, locale)


class Lazy:
    """A text translated each time it is used, in the locale of that moment: lazy_gettext's result, for texts
    defined at import (refusals, filters). It behaves as the str it translates to (format, %, +, ==, in)."""

    __slots__ = ("_args", "_translate")

    def __init__(self, translate: Callable[..., str], *args: Any) -> None:
        self._translate = translate
        self._args = args

    @property
    def value(self) -> str:
        return self._translate(*self._args)

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Lazy({self._args[0]!r})"

    def __getattr__(self, name: str) -> Any:  # format, upper, startswith, ...
        if name.startswith("__"):  # copy and pickle probe for these before the slots are set
            raise AttributeError(name)
        return getattr(self.value, name)

    def __eq__(self, other: object) -> bool:
        return self.value == (other.value if isinstance(other, Lazy) else other)

    __hash__ = None  # type: ignore[assignment]  # its text changes with the locale: no set or dict key (as Babel's)

    def __lt__(self, other: object) -> bool:
        return self.value < (other.value if isinstance(other, Lazy) else other)  # type: ignore[operator]

    def __le__(self, other: object) -> bool:
        return self.value <= (other.value if isinstance(other, Lazy) else other)  # type: ignore[operator]

    def __gt__(self, other: object) -> bool:
        return self.value > (other.value if isinstance(other, Lazy) else other)  # type: ignore[operator]

    def __ge__(self, other: object) -> bool:
        return self.value >= (other.value if isinstance(other, Lazy) else other)  # type: ignore[operator]

    def __len__(self) -> int:
        return len(self.value)

    def __bool__(self) -> bool:
        return bool(self.value)

    def __contains__(self, part: str) -> bool:
        return part in self.value

    def __iter__(self) -> Iterator[str]:
        return iter(self.value)

    def __getitem__(self, key: int | slice) -> str:
        return self.value[key]

    def __add__(self, other: object) -> str:
        if isinstance(other, Lazy | str):
            return self.value + str(other)
        return NotImplemented

    def __radd__(self, other: object) -> str:
        if isinstance(other, str):
            return other + self.value
        return NotImplemented

    def __mul__(self, times: int) -> str:
        return self.value * times

    __rmul__ = __mul__

    def __mod__(self, values: Any) -> str:
        return str(self.value % values)


def gettext(singular: str, plural: str | None = None, n: int = 1, locale: str | None = None) -> str:
    """The text in the current locale (`_` in bot/ui/; `make extract` collects its msgids). Outside an update
    or a job's `i18n.context()` there is none: LookupError, as current_locale() raises."""
    return I18n.get_current(no_error=False).gettext(singular, plural, n, locale)


def lazy_gettext(singular: str, plural: str | None = None, n: int = 1, locale: str | None = None) -> Lazy:
    """The text, translated when used (`__` in operations and filters)."""
    return Lazy(gettext, singular, plural, n, locale)


class I18nMiddleware(BaseMiddleware):
    """Sets the update's locale (get_locale) and the I18n instance for every event of a router: aiogram's
    I18nMiddleware. Handlers receive `i18n` as an argument."""

    def __init__(self, i18n: I18n) -> None:
        self.i18n = i18n

    def setup(self, router: Router) -> I18nMiddleware:
        for name, observer in router.observers.items():
            if name != "update":
                observer.outer_middleware(self)
        return self

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        return self.i18n.default_locale

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        locale = await self.get_locale(event, data) or self.i18n.default_locale
        data["i18n"], data["i18n_middleware"] = self.i18n, self
        with self.i18n.context(), self.i18n.use_locale(locale):
            return await handler(event, data)


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
        if user is not None and user.language in SUPPORTED_LOCALES:
            return user.language
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
    from babel.dates import format_date  # loaded on the first date formatted (see the module's docstring)

    if isinstance(value, datetime) and tz is not None:
        value = value.astimezone(tz)
    return format_date(value, format="medium", locale=locale or current_locale())


def fmt_long_date(value: date, locale: str | None = None) -> str:
    from babel.dates import format_date

    return format_date(value, format="long", locale=locale or current_locale())


def fmt_datetime(value: datetime, tz: ZoneInfo, locale: str | None = None) -> str:
    from babel.dates import format_date, format_datetime

    locale = locale or current_locale()
    local = value.astimezone(tz)
    return f"{format_date(local, format='long', locale=locale)}, {format_datetime(local, 'HH:mm', locale=locale)}"
