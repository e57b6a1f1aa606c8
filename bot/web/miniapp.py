"""The Mini App on the instance's web server (issue 22): its page, two static files, its API and signed
downloads. Thin, as a handler is: read the request, ask bot/ops/miniapp.py, render with bot/ui/miniapp.py.

Every API request carries Telegram's init data (`Authorization: tma <initData>`), checked each time: no cookie
(Telegram Web opens the page in a third-party frame), no session on the server. Parameters travel in the JSON
body, so no address names a person or holds what they typed, and the access log has nothing to leak. The
Content-Security-Policy allows this server alone, and framing by Telegram's web clients only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import BufferedInputFile
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import SUPPORTED_LOCALES, Settings
from bot.domain import Place, Reader
from bot.errors import KeneshError
from bot.i18n import I18n
from bot.ops import miniapp
from bot.ops.materials import Archive, send_material
from bot.ui import common as ui_common
from bot.ui import miniapp as ui_miniapp
from db.engine import reading_sessionmaker
from db.repo import materials as materials_repo

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 4096  # an API request's JSON body: ids, a language and a search of at most 100 characters
# Telegram's web clients frame the page (https://core.telegram.org/bots/webapps): they alone may.
FRAME_ANCESTORS = "https://web.telegram.org https://webk.telegram.org https://webz.telegram.org"
CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        f"frame-ancestors {FRAME_ANCESTORS}",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
NO_STORE = {**HEADERS, "Cache-Control": "no-store"}
TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
# aiohttp compresses a body over 4 KB in a thread of its own; a page's fragment (at most a few hundred KB, a
# couple of milliseconds to compress) is compressed on the spot instead: the hop to a thread and back cost more
# than the compressing on a busy machine.
INLINE_GZIP = 1024 * 1024


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str


def _assets() -> tuple[dict[str, Asset], str]:
    """The static files, read once, and one version for their addresses (a new release is fetched anew)."""
    assets = {
        path.name: Asset(path.read_bytes(), TYPES[path.suffix])
        for path in sorted(STATIC.iterdir())
        if path.suffix in TYPES
    }
    digest = hashlib.sha256(b"".join(asset.body for asset in assets.values())).hexdigest()[:12]
    return assets, digest


class BadRequest(Exception):
    """Not a request the page's script sends."""


View = Callable[[AsyncSession, Reader, Place, dict[str, Any]], Awaitable[str]]


class MiniApp:
    """The Mini App's request handlers, with what they need."""

    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        i18n: I18n,
        settings: Settings,
        bot: Bot,
        clock: Clock,
        archive: Archive,
    ) -> None:
        self.sessionmaker, self.i18n, self.settings, self.bot, self.clock = sessionmaker, i18n, settings, bot, clock
        self.readers = reading_sessionmaker(sessionmaker)  # the pages and downloads only read
        self.archive = archive
        self.assets, self.version = _assets()
        with i18n.context():
            self.shell = ui_miniapp.shell(self.version).encode()
        self.views: dict[str, View] = {
            "year": self.year,
            "meetings": self.meetings,
            "meeting": self.meeting,
            "decisions": self.decisions,
            "materials": self.materials,
            "members": self.members,
        }

    # -- the page and its files ------------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.Response:
        response = web.Response(
            body=self.shell, content_type="text/html", charset="utf-8", headers=NO_STORE, zlib_executor_size=INLINE_GZIP
        )
        response.enable_compression()
        return response

    async def static(self, request: web.Request) -> web.Response:
        asset = self.assets.get(request.match_info["name"])
        if asset is None:
            raise web.HTTPNotFound()
        # Its address carries the version (?v=...): a new release has new addresses, so keep it a year.
        cache = "public, max-age=31536000, immutable" if request.query.get("v") == self.version else "no-cache"
        headers = {**HEADERS, "Cache-Control": cache}
        response = web.Response(
            body=asset.body, content_type=asset.content_type, headers=headers, zlib_executor_size=INLINE_GZIP
        )
        response.enable_compression()
        return response

    # -- the API: one view per request, for the reader Telegram vouches for ------------------------------------

    async def api(self, request: web.Request) -> web.Response:
        name = request.match_info["view"]
        try:
            body = await _body(request)
        except BadRequest:
            return self._html(ui_miniapp.notice(self._text(None, ui_common.something_went_wrong)), 400)
        asked = body.get("lang") if body.get("lang") in SUPPORTED_LOCALES else None
        init_data = request.headers.get("Authorization", "").removeprefix("tma ").strip()
        reads = name != "send"  # sending a material may record its Telegram file id
        with self.i18n.context():
            async with (self.readers if reads else self.sessionmaker)() as session:
                try:
                    reader = await miniapp.reader_of(
                        session,
                        init_data,
                        token=self.settings.token(),
                        now=self.clock.now(),
                        max_age=self.settings.miniapp_max_age,
                        default_locale=self.settings.default_locale,
                        asked_locale=asked,
                    )
                except miniapp.Refused as refused:
                    log.info("Mini App: %s refused (%s)", name, refused.status)
                    locale = miniapp.refusal_locale(init_data, asked, self.settings.default_locale)
                    return self._html(ui_miniapp.refusal(self._text(locale, refused.render), locale), refused.status)
                with self.i18n.use_locale(reader.locale):
                    return await self._answer(session, reader, name, body)

    async def _answer(self, session: AsyncSession, reader: Reader, name: str, body: dict[str, Any]) -> web.Response:
        try:
            council_id = _int(body, "council") if body.get("council") is not None else None
            place = None if name == "pick" else miniapp.choose_place(reader, council_id)
            if place is None:
                return self._html(ui_miniapp.council_picker(reader))
            if name == "link":
                return await self.link(session, reader, place, body)
            if name == "send":
                return self._html(await self.send(session, reader, place, body))
            view = self.views.get(name)
            if view is None:
                raise web.HTTPNotFound()
            return self._html(await view(session, reader, place, body))
        except miniapp.Refused as refused:
            log.info("Mini App: %s refused for user %s (%s)", name, reader.user_id, refused.status)
            return self._html(ui_miniapp.refusal(refused.render(), reader.locale), refused.status)
        except KeneshError as error:
            return self._html(ui_miniapp.notice(error.render()), 404)
        except BadRequest:
            return self._html(ui_miniapp.notice(ui_common.something_went_wrong()), 400)

    def _text(self, locale: str | None, render: Callable[[], str]) -> str:
        with self.i18n.context(), self.i18n.use_locale(locale or self.settings.default_locale):
            return render()

    @staticmethod
    def _html(fragment: str, status: int = 200) -> web.Response:
        response = web.Response(
            text=fragment, status=status, content_type="text/html", headers=NO_STORE, zlib_executor_size=INLINE_GZIP
        )
        response.enable_compression()
        return response

    def _frame(self, reader: Reader, place: Place, page: str, body: str) -> str:
        return ui_miniapp.frame(reader, place.council, page, body)

    @property
    def _today(self) -> date:
        return self.clock.now().astimezone(self.settings.tz).date()

    async def year(self, session: AsyncSession, reader: Reader, place: Place, body: dict[str, Any]) -> str:
        view = await miniapp.year_view(
            session, place.council, today=self._today, tz=self.settings.tz, warn_days=self.settings.watchdog_warn_days
        )
        return self._frame(reader, place, "year", ui_miniapp.year_page(view, self.settings.tz))

    async def meetings(self, session: AsyncSession, reader: Reader, place: Place, body: dict[str, Any]) -> str:
        view = await miniapp.meetings_view(session, place.council, today=self._today, tz=self.settings.tz)
        return self._frame(reader, place, "meetings", ui_miniapp.meetings_page(view, self.settings.tz))

    async def meeting(self, session: AsyncSession, reader: Reader, place: Place, body: dict[str, Any]) -> str:
        detail = await miniapp.meeting_detail(session, place, _int(body, "meeting"), reader.locale)
        return self._frame(reader, place, "meetings", ui_miniapp.meeting_page(detail, self.settings.tz))

    async def decisions(self, session: AsyncSession, reader: Reader, place: Place, body: dict[str, Any]) -> str:
        view = await miniapp.decisions_view(session, reader, place, today=self._today, every_done=_every(body))
        page = ui_miniapp.decisions_page(view, reader.user_id, self.settings.tz)
        return self._frame(reader, place, "decisions", page)

    async def materials(self, session: AsyncSession, reader: Reader, place: Place, body: dict[str, Any]) -> str:
        words = body.get("q") or ""
        if not isinstance(words, str):
            raise BadRequest()
        view = await miniapp.materials_view(session, place, words, every=_every(body))
        return self._frame(reader, place, "materials", ui_miniapp.materials_page(view, self.settings.tz))

    async def members(self, session: AsyncSession, reader: Reader, place: Place, body: dict[str, Any]) -> str:
        view = await miniapp.members_view(session, reader, place, today=self._today, tz=self.settings.tz)
        return self._frame(reader, place, "members", ui_miniapp.members_page(view, self.settings.tz))

    # -- files: downloaded by the Telegram client, or sent to the reader's chat ------------------------------------

    async def _file(
        self, session: AsyncSession, reader: Reader, place: Place, kind: miniapp.FileKind, object_id: int
    ) -> tuple[str, int]:
        """The file asked for, checked as the chat checks it; its name and size."""
        if kind is miniapp.FileKind.PROTOCOL:
            name, document = await miniapp.protocol_file(
                session, place.council.id, object_id, reader.locale, self.settings.tz
            )
            return name, len(document)
        material = await miniapp.material_file(session, reader, place, object_id)
        return material.file_name, material.size

    async def link(self, session: AsyncSession, reader: Reader, place: Place, body: dict[str, Any]) -> web.Response:
        """A download link for Telegram.WebApp.downloadFile: the client fetches it itself, without init data."""
        kind, object_id = _kind(body), _int(body, "id")
        name, _size = await self._file(session, reader, place, kind, object_id)
        url = miniapp.file_link(self.settings.token(), kind, object_id, place.council.id, self.clock.now())
        return web.json_response({"url": url, "name": name}, headers=NO_STORE)

    async def send(self, session: AsyncSession, reader: Reader, place: Place, body: dict[str, Any]) -> str:
        """Where the client cannot download: the bot sends the file to the reader's chat, as /protocols and
        /bank do (the protocol's .docx as issued; the material by its Telegram file id or from the archive)."""
        kind, object_id = _kind(body), _int(body, "id")
        try:
            if kind is miniapp.FileKind.PROTOCOL:
                name, document = await miniapp.protocol_file(
                    session, place.council.id, object_id, reader.locale, self.settings.tz
                )
                await self.bot.send_document(reader.user_id, BufferedInputFile(document, filename=name))
            else:
                material = await miniapp.material_file(session, reader, place, object_id)
                await send_material(self.bot, session, self.archive, material, reader.user_id)
        except TelegramForbiddenError:
            return ui_miniapp.notice(ui_miniapp.open_chat_first())
        except TelegramAPIError as error:
            log.warning("Mini App: a %s could not be sent to user %s: %s", kind.value, reader.user_id, error)
            return ui_miniapp.notice(ui_common.something_went_wrong())
        log.info("Mini App: %s %s sent to user %s", kind.value, object_id, reader.user_id)
        return ui_miniapp.notice(ui_miniapp.file_sent())

    async def download(self, request: web.Request) -> web.Response:
        """A signed download link (`miniapp.file_link`): the file's bytes as stored, the .docx as issued."""
        info = request.match_info
        try:
            kind = miniapp.FileKind(info["kind"])
            council_id, object_id, expires = int(info["council"]), int(info["id"]), int(info["expires"])
        except ValueError:
            raise web.HTTPNotFound() from None
        now = self.clock.now()
        with self.i18n.context():
            try:
                miniapp.check_link(self.settings.token(), kind, object_id, council_id, expires, info["signature"], now)
            except miniapp.Refused as refused:
                text = self._text(None, refused.render)
                return web.Response(text=text, status=refused.status, headers=NO_STORE)
            async with self.readers() as session:
                name, content = await self._bytes(session, kind, council_id, object_id)
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        headers = {**NO_STORE, "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}"}
        return web.Response(body=content, content_type=content_type, headers=headers)

    async def _bytes(
        self, session: AsyncSession, kind: miniapp.FileKind, council_id: int, object_id: int
    ) -> tuple[str, bytes]:
        try:
            if kind is miniapp.FileKind.PROTOCOL:
                return await miniapp.protocol_file(
                    session, council_id, object_id, self.settings.default_locale, self.settings.tz
                )
        except KeneshError:
            raise web.HTTPNotFound() from None
        material = await materials_repo.get_material(session, object_id)
        if material is None or material.council_id != council_id:
            raise web.HTTPNotFound()
        return material.file_name, self.archive.read(material.stored_name)


async def _body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object; its length said first (fetch() always says it) and small."""
    if request.content_length is None or request.content_length > MAX_BODY:
        raise BadRequest()
    raw = await request.read()
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise BadRequest() from None
    if not isinstance(body, dict):
        raise BadRequest()
    return body


def _int(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**53:
        raise BadRequest()
    return value


def _every(body: dict[str, Any]) -> bool:
    """A long list's second request (the page's "more" button): all of it, not the newest few."""
    every = body.get("all", False)
    if not isinstance(every, bool):
        raise BadRequest()
    return every


def _kind(body: dict[str, Any]) -> miniapp.FileKind:
    try:
        return miniapp.FileKind(str(body.get("kind")))
    except ValueError:
        raise BadRequest() from None


def install_miniapp(
    app: web.Application,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    i18n: I18n,
    settings: Settings,
    bot: Bot,
    clock: Clock,
    archive: Archive | None = None,
) -> MiniApp:
    """The Mini App's routes under MINIAPP_URL's path: the page, static/, api/<view> and file/... downloads."""
    handlers = MiniApp(
        sessionmaker=sessionmaker,
        i18n=i18n,
        settings=settings,
        bot=bot,
        clock=clock,
        archive=archive or Archive(settings.storage_dir),
    )
    path = settings.miniapp_path
    app.router.add_get(path, handlers.page)
    app.router.add_get(path + "static/{name}", handlers.static)
    app.router.add_post(path + "api/{view}", handlers.api)
    app.router.add_get(path + "file/{kind}/{council}/{id}/{expires}/{signature}", handlers.download)
    return handlers
