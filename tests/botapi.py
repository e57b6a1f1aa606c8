"""A Bot API stand-in: an aiohttp server on loopback that answers like Telegram where bots usually break.

The bot under test talks to it over HTTP (aiogram with `TelegramAPIServer.from_base`), exactly as it would
talk to api.telegram.org. Tests drive people through it (messages, button presses, documents, the bot being
added to a group) and read back what the bot sent. It refuses what Telegram refuses:

- malformed HTML (unknown or unclosed tags, a bare `<` or `&`): 400 "can't parse entities";
- text over 4096 characters after entity parsing: 400 "message is too long";
- callback data over 64 bytes: 400 "BUTTON_DATA_INVALID";
- an edit that changes nothing: 400 "message is not modified";
- and on request, 429 with `retry_after`, or 5xx, for the next calls of a method;
- and, when a test sets `api.limits = Limits()`, Telegram's limits on messages: about one a second to a chat
  (a burst of 3 allowed), 20 a minute to a group, 30 a second to all chats together; 429 with `retry_after`
  beyond (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).

Updates reach the bot by getUpdates (long polling) or, once the bot has called setWebhook, POSTed to the
webhook URLs with their secret token, as Telegram does. Several instances each set their own URL (standing in
for one address behind a load balancer) and the updates are spread over them in turn.
"""

from __future__ import annotations

import asyncio
import html
import io
import itertools
import json
import math
import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

LIMIT = 4096
CALLBACK_LIMIT = 64
BOT_USERNAME = "kenesh_test_bot"


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def bad_request(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


# --- Telegram's HTML, as https://core.telegram.org/bots/api#html-style describes it -------------------

_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^>]*)?)>|<|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|&")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def parse_html(text: str) -> str:
    """The visible text of an HTML message, or ApiError as Telegram gives it."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        out.append(text[pos : match.start()])
        pos = match.end()
        token = match.group(0)
        if token == "<":
            raise bad_request(f"can't parse entities: unsupported start tag at byte offset {match.start()}")
        if token == "&":
            raise bad_request(f"can't parse entities: character '&' is reserved at byte offset {match.start()}")
        if token.startswith("&"):
            name = match.group(4)
            if name.startswith("#"):
                out.append(html.unescape(token))
            elif name in _ENTITIES:
                out.append(_ENTITIES[name])
            else:
                raise bad_request(f"can't parse entities: unsupported HTML entity &{name};")
            continue
        closing, tag = match.group(1), match.group(2).lower()
        if tag not in _TAGS:
            raise bad_request(f'can\'t parse entities: unsupported start tag "{tag}" at byte offset {match.start()}')
        if closing:
            if not stack or stack[-1] != tag:
                raise bad_request(f'can\'t parse entities: unmatched end tag "{tag}" at byte offset {match.start()}')
            stack.pop()
        else:
            stack.append(tag)
    if stack:
        raise bad_request(f"can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\"")
    out.append(text[pos:])
    return "".join(out)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_web_app(web_app: dict) -> None:
    """A Mini App's address: https only (plain http on loopback stands in for the tests' own server)."""
    if not re.match(r"^(https://|http://127\.0\.0\.1[:/])", web_app.get("url", "")):
        raise bad_request("BUTTON_URL_INVALID")


def check_markup(markup: dict | None, private: bool = True) -> None:
    if not markup:
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise bad_request("text buttons are unallowed in the inline keyboard")
            if "callback_data" in button:
                data = button["callback_data"].encode()
                if not 1 <= len(data) <= CALLBACK_LIMIT:
                    raise bad_request("BUTTON_DATA_INVALID")
            elif "url" in button:
                if not re.match(r"^(https?|tg)://", button["url"]):
                    raise bad_request("BUTTON_URL_INVALID")
            elif "web_app" in button:
                # https://core.telegram.org/bots/api#inlinekeyboardbutton: "Available only in private chats"
                if not private:
                    raise bad_request("BUTTON_TYPE_INVALID")
                check_web_app(button["web_app"])


# --- the people and chats a test uses ------------------------------------------------------------------


@dataclass
class Person:
    id: int
    first_name: str
    last_name: str | None = None
    language_code: str | None = "ru"
    username: str | None = None

    def as_user(self) -> dict:
        user = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "language_code", "username"):
            if getattr(self, key):
                user[key] = getattr(self, key)
        return user

    @property
    def private_chat(self) -> dict:
        return {"id": self.id, "type": "private", "first_name": self.first_name}


@dataclass
class Group:
    id: int
    title: str
    admins: set[int] = field(default_factory=set)
    creator: int | None = None
    type: str = "group"
    left: set[int] = field(default_factory=set)  # people who have left the group (getChatMember says "left")

    @property
    def chat(self) -> dict:
        return {"id": self.id, "type": self.type, "title": self.title}


@dataclass
class Sent:
    """A message the bot has in a chat, as the stand-in keeps it."""

    chat_id: int
    message_id: int
    html: str
    text: str
    reply_markup: dict | None
    method: str
    document: dict | None = None
    photo: dict | None = None  # the largest size of a photo: file_id, width, height
    deleted: bool = False
    pinned: bool = False
    edits: int = 0
    edit_times: list[float] = field(default_factory=list)  # time.monotonic() of each accepted edit
    at: float = field(default_factory=time.monotonic)  # when it was sent

    @property
    def buttons(self) -> list[dict]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def button(self, text_part: str) -> dict:
        for button in self.buttons:
            if text_part.lower() in button["text"].lower():
                return button
        raise AssertionError(f"no button with {text_part!r} in {[b['text'] for b in self.buttons]}")


# What Telegram's limits count as a message (edits, answers to button presses and chat actions are not).
MESSAGE_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup", "copyMessage", "forwardMessage", "sendPoll"}
)


@dataclass
class Limits:
    """Telegram's limits on messages, as the stand-in enforces them once a test sets `api.limits`: a chat is a
    token bucket (a burst of 3, then one a second), as Telegram lets short bursts through; a group gets at most
    20 in any minute, and all chats together at most 30 in any second. Beyond: 429 with retry_after, and the
    message is not sent."""

    chat_burst: int = 3
    chat_per_second: float = 1.0
    group_per_minute: int = 20
    per_second: int = 30
    _chats: dict[int, tuple[float, float]] = field(default_factory=dict)  # chat -> (tokens, when)
    _groups: dict[int, deque[float]] = field(default_factory=dict)  # group -> times of its last minute
    _recent: deque[float] = field(default_factory=deque)  # times of the messages of the last second

    def check(self, chat_id: int, now: float) -> float:
        """0 when a message to chat_id may go now (it is counted), else the seconds to wait."""
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.per_second:
            return self._recent[0] + 1.0 - now
        minute = self._groups.setdefault(chat_id, deque()) if chat_id < 0 else deque()
        while minute and now - minute[0] >= 60.0:
            minute.popleft()
        if len(minute) >= self.group_per_minute:
            return minute[0] + 60.0 - now
        tokens, then = self._chats.get(chat_id, (self.chat_burst, now))
        tokens = min(self.chat_burst, tokens + (now - then) * self.chat_per_second)
        if tokens < 1:
            return (1 - tokens) / self.chat_per_second
        self._chats[chat_id] = (tokens - 1, now)
        if chat_id < 0:
            minute.append(now)
        self._recent.append(now)
        return 0.0


@dataclass
class Fault:
    method: str
    code: int
    times: int
    retry_after: int | None = None


class BotAPI:
    """In-process state plus the aiohttp app that serves it."""

    def __init__(self) -> None:
        self.bot_id = 0
        self.updates: list[dict] = []
        self.update_ids = itertools.count(1)
        self.message_ids: dict[int, itertools.count] = {}
        self.messages: dict[tuple[int, int], Sent] = {}
        self.outbox: list[Sent] = []  # every message the bot sent, in order
        self.calls: list[tuple[str, dict]] = []  # every request, accepted or refused
        self.errors: list[tuple[str, int, str]] = []  # every refusal: method, code, description
        self.answers: dict[str, dict] = {}  # callback query id -> answerCallbackQuery params
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.menu_buttons: dict[int | None, dict] = {}  # chat id (None: every private chat) -> MenuButton
        self.chats: dict[int, dict] = {}
        self.groups: dict[int, Group] = {}
        self.files: dict[str, tuple[bytes, str]] = {}
        self.faults: list[Fault] = []
        self.limits: Limits | None = None  # Telegram's limits on messages, when a test sets them
        self.file_sizes: dict[str, int] = {}  # what Telegram says a file weighs (getFile refuses > 20 MB)
        self.started: set[int] = set()  # people who have opened the private chat with the bot
        self.blocked: set[int] = set()  # people who blocked the bot
        self.slow: dict[int, float] = {}  # chat id -> seconds Telegram takes to answer a call about that chat
        self.changed = asyncio.Condition()
        self.runner: web.AppRunner | None = None
        self.base_url = ""
        self._query_ids = itertools.count(1)
        self.closing = False
        self.webhooks: dict[str, str] = {}  # webhook URL -> its secret token, in the order they were set
        self.deliveries: list[tuple[str, int, int]] = []  # webhook URL, update_id, HTTP status
        self._turn = itertools.count()
        self._posting: set[asyncio.Task] = set()
        self._client = None

    # -- server lifecycle --------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        self.closing = True  # ends pending long polls now instead of at their timeout
        await self._notify()
        for task in list(self._posting):
            task.cancel()
        if self._client is not None:
            await self._client.close()
        if self.runner:
            await self.runner.cleanup()

    # -- what tests do -----------------------------------------------------------------------------------

    def fail(self, method: str, code: int, times: int = 1, retry_after: int | None = None) -> None:
        """The next `times` calls of `method` get this error (429 carries retry_after)."""
        self.faults.append(Fault(method, code, times, retry_after))

    def group(self, chat_id: int, title: str, admins: set[int] | None = None, creator: int | None = None) -> Group:
        group = Group(chat_id, title, set(admins or ()), creator)
        self.groups[chat_id] = group
        self.chats[chat_id] = group.chat
        return group

    def person(
        self, user_id: int, first_name: str, last_name: str | None = None, language_code: str | None = "ru"
    ) -> Person:
        person = Person(user_id, first_name, last_name, language_code)
        self.chats[user_id] = person.private_chat
        return person

    def message_update(self, person: Person, chat: dict, text: str, **extra: Any) -> dict:
        if chat["type"] == "private":
            self.started.add(person.id)
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": chat,
            "from": person.as_user(),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        message.update(extra)
        return {"update_id": next(self.update_ids), "message": message}

    def document_update(
        self,
        person: Person,
        content: bytes,
        file_name: str,
        size: int | None = None,
        mime_type: str = "application/octet-stream",
    ) -> dict:
        """A person sends a file to the bot privately; `size` may claim more than the bytes (a 25 MB file)."""
        self.started.add(person.id)
        file_id = f"user{len(self.files) + 1}"
        self.files[file_id] = (content, f"documents/{file_id}")
        message = {
            "message_id": self._next_message_id(person.id),
            "date": int(time.time()),
            "chat": person.private_chat,
            "from": person.as_user(),
            "document": {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": size if size is not None else len(content),
            },
        }
        self.file_sizes[file_id] = size if size is not None else len(content)
        return {"update_id": next(self.update_ids), "message": message}

    def service_update(self, person: Person, chat: dict, **fields: Any) -> dict:
        message = {
            "message_id": self._next_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": chat,
            "from": person.as_user(),
            **fields,
        }
        return {"update_id": next(self.update_ids), "message": message}

    def callback_update(self, person: Person, message: Sent, data: str) -> dict:
        query_id = str(next(self._query_ids))
        return {
            "update_id": next(self.update_ids),
            "callback_query": {
                "id": query_id,
                "from": person.as_user(),
                "chat_instance": str(message.chat_id),
                "data": data,
                "message": self._message_object(message),
            },
        }

    def bot_added_update(self, person: Person, group: Group) -> dict:
        bot_user = self._bot_user()
        return {
            "update_id": next(self.update_ids),
            "my_chat_member": {
                "chat": group.chat,
                "from": person.as_user(),
                "date": int(time.time()),
                "old_chat_member": {"status": "left", "user": bot_user},
                "new_chat_member": {"status": "member", "user": bot_user},
            },
        }

    async def push(self, update: dict) -> dict:
        """Queue an update for getUpdates (the real process polls it), or POST it to a webhook when set."""
        if self.webhooks:
            task = asyncio.create_task(self._post_update(update))
            self._posting.add(task)
            task.add_done_callback(self._posting.discard)
            return update
        self.updates.append(update)
        await self._notify()
        return update

    async def _post_update(self, update: dict) -> None:
        """Deliver to the next webhook in turn; like Telegram, try again (the next one) until it is taken."""
        import aiohttp

        if self._client is None:
            self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        for attempt in range(40):
            urls = list(self.webhooks)
            url = urls[next(self._turn) % len(urls)]
            headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhooks[url]}
            try:
                async with self._client.post(url, json=update, headers=headers) as response:
                    status = response.status
                    await response.read()
            except (aiohttp.ClientError, TimeoutError):
                status = 0
            self.deliveries.append((url, update["update_id"], status))
            await self._notify()
            if status == 200:
                return
            await asyncio.sleep(min(0.2 * (attempt + 1), 2.0))

    def deliveries_to(self, url: str) -> int:
        return sum(1 for target, _, status in self.deliveries if target == url and status == 200)

    def sent_to(self, chat_id: int) -> list[Sent]:
        return [m for m in self.outbox if m.chat_id == chat_id]

    def last_to(self, chat_id: int) -> Sent:
        sent = self.sent_to(chat_id)
        assert sent, f"nothing was sent to {chat_id}"
        return sent[-1]

    async def wait_for(self, predicate, within: float = 10.0):
        """Wait until predicate() is truthy (checked after every request the bot makes); return its value."""
        deadline = asyncio.get_running_loop().time() + within
        async with self.changed:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    last = [m.text[:80] for m in self.outbox[-5:]]
                    raise AssertionError(f"timed out waiting; the bot last sent: {last}")
                try:
                    await asyncio.wait_for(self.changed.wait(), remaining)
                except TimeoutError:
                    pass

    async def wait_sent(self, chat_id: int, count_before: int, within: float = 10.0) -> Sent:
        """The first message sent to chat_id after there were `count_before` there."""
        await self.wait_for(lambda: len(self.sent_to(chat_id)) > count_before, within)
        return self.sent_to(chat_id)[count_before]

    # -- the HTTP side -----------------------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    def _next_message_id(self, chat_id: int) -> int:
        return next(self.message_ids.setdefault(chat_id, itertools.count(1)))

    def _bot_user(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Kenesh", "username": BOT_USERNAME}

    def _message_object(self, sent: Sent) -> dict:
        message = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": self.chats.get(sent.chat_id, {"id": sent.chat_id, "type": "private", "first_name": "?"}),
            "from": self._bot_user(),
        }
        if sent.photo:
            message["photo"] = [sent.photo]
            if sent.text:
                message["caption"] = sent.text
        elif sent.document:
            message["document"] = sent.document
            if sent.text:
                message["caption"] = sent.text
        else:
            message["text"] = sent.text
        if sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        return message

    async def _params(self, request: web.Request) -> tuple[dict, dict]:
        params: dict[str, Any] = {}
        files: dict[str, tuple[bytes, str]] = {}
        if request.content_type == "application/json":
            params = await request.json()
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = (value.file.read(), value.filename)
                else:
                    params[key] = value
        for key in ("reply_markup", "commands", "scope", "allowed_updates", "menu_button"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params, files

    async def _handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        self.bot_id = int(token.split(":")[0])
        params, files = await self._params(request)
        self.calls.append((method, params))
        await self._notify()  # a test may be waiting for this call itself (e.g. the first getUpdates)
        if self.slow and (delay := self.slow.get(_int_or_none(params.get("chat_id")) or 0)):
            await asyncio.sleep(delay)
        try:
            self._inject_fault(method)
            self._enforce_limits(method, params)
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = await handler(params, files)
        except ApiError as error:
            self.errors.append((method, error.code, error.description))
            body: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
            if error.parameters:
                body["parameters"] = error.parameters
            await self._notify()
            return web.json_response(body, status=error.code)
        await self._notify()
        return web.json_response({"ok": True, "result": result})

    def _inject_fault(self, method: str) -> None:
        for fault in self.faults:
            if fault.method == method and fault.times > 0:
                fault.times -= 1
                if fault.code == 429:
                    raise ApiError(
                        429,
                        f"Too Many Requests: retry after {fault.retry_after or 1}",
                        {"retry_after": fault.retry_after or 1},
                    )
                raise ApiError(fault.code, "Internal Server Error" if fault.code >= 500 else "Forbidden")

    def _enforce_limits(self, method: str, params: dict) -> None:
        if self.limits is None or method not in MESSAGE_METHODS or "chat_id" not in params:
            return
        wait = self.limits.check(int(params["chat_id"]), time.monotonic())
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    def refused_429(self, method: str | None = None) -> int:
        """How many calls (of `method`) were answered 429."""
        return sum(1 for name, code, _ in self.errors if code == 429 and method in (None, name))

    async def _download(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        for fault in self.faults:  # fail("download", 502): the file server fails, as Telegram's sometimes does
            if fault.method == "download" and fault.times > 0:
                fault.times -= 1
                return web.json_response({"ok": False, "error_code": fault.code}, status=fault.code)
        for content, file_path in self.files.values():
            if file_path == path:
                return web.Response(body=content)
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    # -- methods -----------------------------------------------------------------------------------------

    async def _m_getMe(self, params: dict, files: dict) -> dict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_deleteWebhook(self, params: dict, files: dict) -> bool:
        return True

    async def _m_setWebhook(self, params: dict, files: dict) -> bool:
        url = params.get("url", "")
        if not url.startswith(("https://", "http://127.0.0.1")):
            raise bad_request("bad webhook: HTTPS url must be provided for webhook")
        self.webhooks[url] = params.get("secret_token", "")
        return True

    async def _m_getUpdates(self, params: dict, files: dict) -> list[dict]:
        offset = int(params.get("offset", 0) or 0)
        timeout = float(params.get("timeout", 0) or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        deadline = asyncio.get_running_loop().time() + timeout
        while not self.updates and not self.closing:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return []
            async with self.changed:
                try:
                    await asyncio.wait_for(self.changed.wait(), min(remaining, 0.5))
                except TimeoutError:
                    pass
        return self.updates[: int(params.get("limit", 100) or 100)]

    def _chat_id(self, params: dict) -> int:
        chat_id = int(params["chat_id"])
        if chat_id not in self.chats:
            raise bad_request("chat not found")
        if chat_id < 0 and chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        if chat_id > 0 and chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id > 0 and chat_id not in self.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat_id

    def _text(self, params: dict, key: str = "text") -> tuple[str, str]:
        raw = params.get(key, "")
        visible = parse_html(raw) if params.get("parse_mode") == "HTML" else raw
        if key == "text" and not visible.strip():
            raise bad_request("message text is empty")
        limit = LIMIT if key == "text" else 1024
        if utf16_len(visible) > limit:
            raise bad_request("message is too long" if key == "text" else "message caption is too long")
        return raw, visible

    def _store(
        self,
        chat_id: int,
        raw: str,
        visible: str,
        markup: dict | None,
        method: str,
        document: dict | None = None,
        photo: dict | None = None,
    ) -> Sent:
        sent = Sent(chat_id, self._next_message_id(chat_id), raw, visible, markup, method, document, photo)
        self.messages[(chat_id, sent.message_id)] = sent
        self.outbox.append(sent)
        return sent

    async def _m_sendMessage(self, params: dict, files: dict) -> dict:
        chat_id = self._chat_id(params)
        raw, visible = self._text(params)
        check_markup(params.get("reply_markup"), private=chat_id > 0)
        return self._message_object(self._store(chat_id, raw, visible, params.get("reply_markup"), "sendMessage"))

    async def _m_sendDocument(self, params: dict, files: dict) -> dict:
        chat_id = self._chat_id(params)
        raw, visible = self._text(params, "caption") if params.get("caption") else ("", "")
        check_markup(params.get("reply_markup"), private=chat_id > 0)
        document = params.get("document", "")
        if document.startswith("attach://"):
            content, filename = files[document.removeprefix("attach://")]
        elif document in self.files:
            content, filename = self.files[document][0], self.files[document][1].rsplit("/", 1)[-1]
        else:
            raise bad_request("wrong file identifier/HTTP URL specified")
        file_id = f"doc{len(self.files) + 1}"
        self.files[file_id] = (content, f"documents/{file_id}_{filename}")
        doc = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": filename, "file_size": len(content)}
        return self._message_object(self._store(chat_id, raw, visible, params.get("reply_markup"), "sendDocument", doc))

    async def _m_sendPhoto(self, params: dict, files: dict) -> dict:
        """As Telegram: an image up to 10 MB whose width and height add up to at most 10000, at most 20 times
        as wide as high (or the reverse); kept like a document, its sizes as `photo`."""
        from PIL import Image, UnidentifiedImageError

        chat_id = self._chat_id(params)
        raw, visible = self._text(params, "caption") if params.get("caption") else ("", "")
        check_markup(params.get("reply_markup"))
        photo = params.get("photo", "")
        if not photo.startswith("attach://"):
            raise bad_request("wrong file identifier/HTTP URL specified")
        content, filename = files[photo.removeprefix("attach://")]
        try:
            width, height = Image.open(io.BytesIO(content)).size
        except UnidentifiedImageError:
            raise bad_request("IMAGE_PROCESS_FAILED") from None
        if len(content) > 10 * 1024 * 1024 or width + height > 10000 or max(width, height) > 20 * min(width, height):
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        file_id = f"photo{len(self.files) + 1}"
        self.files[file_id] = (content, f"photos/{file_id}_{filename}")
        size = {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": width, "height": height}
        sent = self._store(chat_id, raw, visible, params.get("reply_markup"), "sendPhoto", photo=size)
        return self._message_object(sent)

    def _find(self, params: dict) -> Sent:
        key = (int(params["chat_id"]), int(params["message_id"]))
        sent = self.messages.get(key)
        if sent is None or sent.deleted:
            raise bad_request("message to edit not found")
        return sent

    async def _m_editMessageText(self, params: dict, files: dict) -> dict:
        sent = self._find(params)
        raw, visible = self._text(params)
        markup = params.get("reply_markup")
        check_markup(markup, private=sent.chat_id > 0)
        if raw == sent.html and markup == sent.reply_markup:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        sent.html, sent.text, sent.reply_markup = raw, visible, markup
        sent.edits += 1
        sent.edit_times.append(time.monotonic())
        return self._message_object(sent)

    async def _m_editMessageReplyMarkup(self, params: dict, files: dict) -> dict:
        sent = self._find(params)
        markup = params.get("reply_markup")
        check_markup(markup, private=sent.chat_id > 0)
        if markup == sent.reply_markup or (not markup and not sent.reply_markup):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        sent.reply_markup = markup or None
        sent.edits += 1
        return self._message_object(sent)

    async def _m_deleteMessage(self, params: dict, files: dict) -> bool:
        self._find(params).deleted = True
        return True

    async def _m_pinChatMessage(self, params: dict, files: dict) -> bool:
        self._find(params).pinned = True
        return True

    async def _m_unpinChatMessage(self, params: dict, files: dict) -> bool:
        if "message_id" in params:
            self._find(params).pinned = False
        return True

    async def _m_answerCallbackQuery(self, params: dict, files: dict) -> bool:
        query_id = params["callback_query_id"]
        if query_id in self.answers:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        if len(params.get("text", "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self.answers[query_id] = params
        return True

    async def _m_getChatMember(self, params: dict, files: dict) -> dict:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        group = self.groups.get(chat_id)
        if group is None:
            raise bad_request("chat not found")
        user = {"id": user_id, "is_bot": False, "first_name": "User"}
        if user_id in group.left:
            return {"status": "left", "user": user}
        if user_id == group.creator:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if user_id in group.admins:
            rights = dict.fromkeys(
                [
                    "can_be_edited",
                    "is_anonymous",
                    "can_manage_chat",
                    "can_delete_messages",
                    "can_manage_video_chats",
                    "can_restrict_members",
                    "can_promote_members",
                    "can_change_info",
                    "can_invite_users",
                    "can_post_stories",
                    "can_edit_stories",
                    "can_delete_stories",
                    "can_send_welcome_messages",
                ],
                False,
            )
            return {"status": "administrator", "user": user, **rights, "can_manage_chat": True}
        return {"status": "member", "user": user}

    async def _m_setMyCommands(self, params: dict, files: dict) -> bool:
        for command in params["commands"]:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command["command"]) or not 1 <= len(command["description"]) <= 256:
                raise bad_request("BOT_COMMAND_INVALID")
        scope = (params.get("scope") or {}).get("type", "default")
        if scope == "chat":  # one chat's own menu (the operators'): keyed by that chat
            scope = f"chat:{params['scope']['chat_id']}"
        self.commands[(scope, params.get("language_code", ""))] = params["commands"]
        return True

    async def _m_setChatMenuButton(self, params: dict, files: dict) -> bool:
        button = params.get("menu_button") or {"type": "default"}
        if button.get("type") == "web_app":
            if not button.get("text"):
                raise bad_request("text is empty")
            check_web_app(button.get("web_app") or {})
        elif button.get("type") not in ("default", "commands"):
            raise bad_request("menu button type is invalid")
        chat_id = params.get("chat_id")
        self.menu_buttons[int(chat_id) if chat_id is not None else None] = button
        return True

    async def _m_getChatMenuButton(self, params: dict, files: dict) -> dict:
        chat_id = params.get("chat_id")
        chat = int(chat_id) if chat_id is not None else None
        return self.menu_buttons.get(chat, self.menu_buttons.get(None, {"type": "default"}))

    async def _m_deleteMyCommands(self, params: dict, files: dict) -> bool:
        return True

    async def _m_sendChatAction(self, params: dict, files: dict) -> bool:
        return True

    async def _m_getFile(self, params: dict, files: dict) -> dict:
        file_id = params["file_id"]
        if file_id not in self.files:
            raise bad_request("invalid file_id")
        content, path = self.files[file_id]
        if self.file_sizes.get(file_id, len(content)) > 20 * 1024 * 1024:
            raise bad_request("file is too big")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(content), "file_path": path}


def _int_or_none(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
