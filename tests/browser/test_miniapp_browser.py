"""The council's year in the Mini App, opened as people open it (issue 22): a Kyrgyz member and a Russian chair,
in Telegram's light and dark themes, on a 360 px phone; every page checked against the database of a flow that
held two meetings; the protocol's .docx byte for byte; forged, expired and other-council init data refused.
Screenshots of every page in both languages and both themes are written under the test's tmp_path."""

from __future__ import annotations

import json
from datetime import date, timedelta
from urllib.parse import quote, urlencode

import pytest

from bot.app import set_menu_button
from bot.i18n import create_i18n, fmt_long_date
from bot.ops.miniapp import DONE_SHOWN
from db.models import (
    Attendance,
    AuditEntry,
    IssuedProtocol,
    Meeting,
    MeetingStatus,
    Member,
    MemberStatus,
    PlanEntry,
    ProtocolPart,
    Role,
    RosterEntry,
    User,
    Vote,
)
from tests.botapi import parse_html
from tests.conftest import BISHKEK, TOKEN
from tests.miniapp import PDF, RESPONSIBLE, hold_a_year, init_data, miniapp_server

pytestmark = pytest.mark.browser

LIGHT = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#707579",
    "link_color": "#3390ec",
    "button_color": "#3390ec",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#f4f4f5",
}
DARK = {
    "bg_color": "#212121",
    "text_color": "#ffffff",
    "hint_color": "#aaaaaa",
    "link_color": "#8774e1",
    "button_color": "#8774e1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#181818",
}
PAGES = ("year", "meetings", "decisions", "materials", "members")
# Telegram.WebApp.downloadFile as a client that has it (Bot API 8.0) offers it: the spy keeps what was asked.
DOWNLOAD_SPY = (
    "window.Telegram = {WebApp: {downloadFile: function (p) { (window.asked = window.asked || []).push(p); }}};"
)


@pytest.fixture
async def year(flow):
    return await hold_a_year(flow)


@pytest.fixture
async def server(flow):
    async with miniapp_server(flow) as server:
        yield server


def words(text: str) -> str:
    return " ".join(text.split())


class Phone:
    """One person's Mini App in a 360 px wide page, opened the way Telegram opens it: the page's address with
    the launch parameters in its fragment (tgWebAppData, tgWebAppThemeParams, tgWebAppVersion)."""

    def __init__(self, page, errors: list[str]) -> None:
        self.page, self.errors = page, errors

    @classmethod
    async def open(cls, browser, url: str, init: str | None, theme: dict, *, spy: bool = False) -> Phone:
        context = await browser.new_context(viewport={"width": 360, "height": 760}, device_scale_factor=1)
        page = await context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        if spy:
            await page.add_init_script(DOWNLOAD_SPY)
        fragment = {"tgWebAppVersion": "8.0", "tgWebAppPlatform": "android", "tgWebAppThemeParams": json.dumps(theme)}
        if init is not None:
            fragment = {"tgWebAppData": init, **fragment}
        await page.goto(f"{url}#{urlencode(fragment, quote_via=quote)}")
        await page.wait_for_selector("#app > .view, #app > .alert")
        return cls(page, errors)

    async def tab(self, name: str) -> None:
        await self.page.click(f'button.tab[data-page="{name}"]')
        await self.page.wait_for_selector(f'.view[data-view="{name}"]')

    async def language(self, locale: str) -> None:
        await self.page.click(f'button.lang[data-lang="{locale}"]')
        await self.page.wait_for_selector(f'.view[data-lang="{locale}"]')

    async def text(self, selector: str = "#app") -> str:
        return words(await self.page.inner_text(selector))

    async def texts(self, selector: str) -> list[str]:
        return [words(t) for t in await self.page.locator(selector).all_inner_texts()]

    async def fits(self) -> bool:
        """No horizontal scroll on the phone: nothing wider than the screen."""
        return await self.page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
            " && document.body.scrollWidth <= document.body.clientWidth"
        )

    async def background(self) -> str:
        return await self.page.evaluate("getComputedStyle(document.body).backgroundColor")

    async def shoot(self, folder, name: str) -> None:
        folder.mkdir(exist_ok=True)
        await self.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


async def expected_year(flow, locale: str) -> list[str]:
    """Each planned day as the Year page must show it, from the database: held with the protocol number of the
    meeting closed that day, else to be announced by a week before it."""
    held = {
        m.starts_at.astimezone(BISHKEK).date(): m.protocol_number
        for m in await flow.rows(Meeting, Meeting.status == MeetingStatus.CLOSED)
    }
    lines = []
    for entry in await flow.rows(PlanEntry):
        if entry.day in held:
            state = ("Өткөрүлдү · протокол №{}" if locale == "ky" else "Проведено · протокол №{}").format(
                held[entry.day]
            )
        else:
            last = fmt_long_date(entry.day - timedelta(days=7), locale)
            state = f"Жарыялоонун акыркы күнү: {last}" if locale == "ky" else f"Объявить до {last}"
        who = f" — {entry.responsible}" if entry.responsible else ""
        lines.append(words(f"{fmt_long_date(entry.day, locale)} {state} {entry.topic}{who}"))
    return lines


async def test_a_kyrgyz_member_and_a_russian_chair_open_every_page(flow, year, server, browser, tmp_path):
    create_i18n("ky")  # Babel's dates for the expectations below
    await set_menu_button(flow.bot, flow.dp["i18n"], flow.settings)
    url = flow.api.menu_buttons[None]["web_app"]["url"]  # opened from the menu button, as in Telegram
    shots = tmp_path / "screenshots"
    (first,) = await flow.rows(Meeting, Meeting.protocol_number == 1)
    for person, locale, other, theme, dark in (
        (year.member, "ky", "ru", LIGHT, False),
        (year.chair, "ru", "ky", DARK, True),
    ):
        phone = await Phone.open(browser, url, init_data(TOKEN, person, flow.clock.now()), theme)
        assert await phone.background() == ("rgb(33, 33, 33)" if dark else "rgb(255, 255, 255)")
        days = await phone.texts(".day:not(.unplanned)")
        assert days == await expected_year(flow, locale)
        for shown in (locale, other):
            if shown != locale:
                await phone.language(shown)
            for page in PAGES:
                await phone.tab(page)
                assert await phone.fits(), f"{page} in {shown} scrolls sideways"
                await phone.shoot(shots, f"{shown}-{'dark' if dark else 'light'}-{page}")
            await phone.tab("meetings")
            await phone.page.click(f'button[data-meeting="{first.id}"]')
            await phone.page.wait_for_selector(".protocol")
            assert await phone.fits()
            await phone.shoot(shots, f"{shown}-{'dark' if dark else 'light'}-meeting")
            await check_meeting(flow, phone, first, shown)
        await phone.language(locale)
        await check_decisions(flow, phone, person, year, locale)
        await check_members(flow, phone, runs=person is year.chair, locale=locale)
        await check_bank(phone, locale)
        assert phone.errors == []  # no script error, no refused resource (a CSP violation is logged as one)
    assert len(list(shots.glob("*.png"))) == 2 * 2 * (len(PAGES) + 1)


async def check_meeting(flow, phone: Phone, meeting: Meeting, locale: str) -> None:
    """The meeting's attendance from its frozen roster, each vote's result, the protocol as stored."""
    roster = {e.member_id: e.full_name for e in await flow.rows(RosterEntry, RosterEntry.meeting_id == meeting.id)}
    marked = {a.member_id for a in await flow.rows(Attendance, Attendance.meeting_id == meeting.id)}
    present = sorted(name for member_id, name in roster.items() if member_id in marked)
    absent = sorted(name for member_id, name in roster.items() if member_id not in marked)
    names = await phone.page.locator(".attendance ul.names").all()
    assert [words(t) for t in await names[0].all_inner_texts()] == [" ".join(present)]
    assert [await n.inner_text() for n in await names[1].locator("li").all()] == absent
    votes = await flow.rows(Vote, Vote.meeting_id == meeting.id)
    shown = await phone.texts(".vote .decision")
    assert shown == [v.decision for v in sorted(votes, key=lambda v: v.id)]
    outcomes = await phone.texts(".vote .marks")
    for vote, line in zip(sorted(votes, key=lambda v: v.id), outcomes, strict=True):
        counts = f"{vote.votes_for}, " if locale == "ky" else f"за {vote.votes_for},"
        assert counts in line
    parts = await flow.rows(ProtocolPart, ProtocolPart.meeting_id == meeting.id, ProtocolPart.locale == locale)
    expected = [words(parse_html(p.text)) for p in sorted(parts, key=lambda p: p.position)]
    assert await phone.texts(".protocol .part") == expected  # as issued: the stored text, nothing rendered anew


async def check_decisions(flow, phone: Phone, person, year, locale: str) -> None:
    await phone.tab("decisions")
    (card,) = await phone.texts(".decision-card")
    due = words(fmt_long_date(date(2027, 2, 15), locale))
    assert "Ачык сабактар" in card and RESPONSIBLE in card and due in card
    heading = "Аткарылып жатат: 1" if locale == "ky" else "В работе: 1"
    assert heading in await phone.text(".group.info h3")
    await phone.page.check('input[data-filter="mine"]')
    mine = person is year.member
    assert await phone.page.is_visible(".decision-card") is mine
    assert await phone.page.is_visible(".none-mine") is not mine


async def check_members(flow, phone: Phone, *, runs: bool, locale: str) -> None:
    await phone.tab("members")
    council_members = await flow.rows(Member, Member.status == MemberStatus.APPROVED)
    names = await phone.texts(".person .name")
    assert sorted(names) == sorted(m.full_name for m in council_members)
    confirmed = [m for m in council_members if m.regulation_confirmed_at]
    assert len(confirmed) == len(council_members) - 1  # one member has not confirmed yet: the page says so
    unconfirmed = (
        "жобо менен таанышканы ырастала элек" if locale == "ky" else "ознакомление с положением не подтверждено"
    )
    assert (await phone.text()).count(unconfirmed) == 1
    if not runs:
        assert await phone.page.locator("svg.chart, .log").count() == 0
        return
    closed = await flow.rows(Meeting, Meeting.status == MeetingStatus.CLOSED)
    bars = await phone.page.locator("svg.chart rect.present, svg.chart rect.short").count()
    assert bars == len(closed) == 2
    assert await phone.page.locator("svg.chart rect.short").count() == 1  # 6 of 10: short of the quorum
    legend = await phone.text(".legend")
    assert ("аткарылып жатат: 1" if locale == "ky" else "в работе: 1") in legend
    entries = await flow.rows(AuditEntry)
    assert await phone.page.locator(".log li").count() == min(30, len(entries))


async def check_bank(phone: Phone, locale: str) -> None:
    """The bank has the approved material only; found by the kind's name in either language."""
    await phone.tab("materials")
    assert await phone.texts(".material .title") == ["№2 Функционалдык сабаттуулук"]
    for query, found in (("ПЛАН УРОКА", 1), ("сабактын планы", 1), ("Бөлчөктөр", 0)):
        await phone.page.fill('input[name="q"]', query)
        await phone.page.click(".search button")
        await phone.page.wait_for_selector(f'.search input[value="{query}"]')
        assert len(await phone.texts("ul.plain .material .file")) == found, query


async def test_the_other_done_decisions_come_with_one_more_request_where_the_reader_was(flow, year, server, browser):
    """A long year's Decisions page: the latest done and the reader's own; the button brings the others in the
    page's second request, the reader left where they were; "only mine" needs none of them."""
    from tests.flows.test_miniapp import add_done_decisions

    await add_done_decisions(flow, year, 30, own=2)
    phone = await Phone.open(browser, server.url, init_data(TOKEN, year.member, flow.clock.now()), LIGHT)
    asked: list[str] = []
    phone.page.on("request", lambda request: asked.append(request.url.split("/app/")[-1]))
    await phone.tab("decisions")
    done = phone.page.locator(".group.ok .decision-card")
    assert await done.count() == DONE_SHOWN + 2
    await phone.page.check('input[data-filter="mine"]')
    assert not await phone.page.is_visible("button.more")  # all the reader's own are here already
    assert len(await phone.texts(".decision-card:visible")) == 3  # those two and the open one
    await phone.page.uncheck('input[data-filter="mine"]')
    more = phone.page.locator("button.more")
    assert await phone.text("button.more") == "Аткарылган дагы 8 чечимди көрсөтүү"
    await more.scroll_into_view_if_needed()
    place = await phone.page.evaluate("window.scrollY")
    assert place > 0
    await more.click()
    await done.nth(29).wait_for()
    assert await phone.page.evaluate("window.scrollY") == place  # the page grew below the reader
    assert await phone.page.locator("button.more").count() == 0 and await phone.fits()
    assert asked == ["api/decisions", "api/decisions"]  # the page, then the others: two requests
    assert phone.errors == []


async def test_the_protocol_and_a_material_download_byte_for_byte(flow, year, server, browser):
    (first,) = await flow.rows(Meeting, Meeting.protocol_number == 1)
    (issued,) = await flow.rows(IssuedProtocol, IssuedProtocol.meeting_id == first.id)
    init = init_data(TOKEN, year.member, flow.clock.now())

    # A client with Telegram.WebApp.downloadFile: it is given a short-lived link, and fetches the file itself.
    phone = await Phone.open(browser, server.url, init, LIGHT, spy=True)
    await phone.tab("meetings")
    await phone.page.click(f'button[data-meeting="{first.id}"]')
    button = phone.page.locator("button.file")
    assert (await button.inner_text()).startswith(f"{issued.filename} жүктөп алуу")
    await button.click()
    await phone.page.wait_for_function("() => window.asked && window.asked.length === 1")
    (asked,) = await phone.page.evaluate("window.asked")
    assert asked["file_name"] == issued.filename and str(year.member.id) not in asked["url"]
    async with server.client.get(asked["url"]) as response:
        assert await response.read() == issued.document

    # A client without it (or a plain browser): the bot sends the document to the reader's chat.
    phone = await Phone.open(browser, server.url, init, LIGHT)
    await phone.tab("meetings")
    await phone.page.click(f'button[data-meeting="{first.id}"]')
    before = len(flow.api.sent_to(year.member.id))
    await phone.page.click("button.file")
    await phone.page.wait_for_selector(".notice")
    assert await phone.text(".notice") == "Бот менен чатыңызга жөнөтүлдү."
    (sent,) = flow.api.sent_to(year.member.id)[before:]
    assert sent.document["file_name"] == issued.filename
    assert flow.api.files[sent.document["file_id"]][0] == issued.document
    await phone.tab("materials")
    await phone.page.click("button.file")
    await phone.page.wait_for_selector(".notice")
    assert flow.api.files[flow.api.last_to(year.member.id).document["file_id"]][0] == PDF


async def test_the_teacher_sees_their_submissions_and_why_one_came_back(flow, year, server, browser):
    phone = await Phone.open(browser, server.url, init_data(TOKEN, year.teacher, flow.clock.now()), DARK)
    await phone.tab("materials")
    mine = await phone.texts("h2 ~ ul.plain:last-of-type .material")
    assert mine[0].startswith("№2 Функционалдык сабаттуулук включён в банк")
    assert mine[1].startswith("№1 Бөлчөктөр_5-класс возвращён на доработку")
    assert "Комментарий: Мисалдарды кошуңуз" in mine[1]
    assert await phone.fits()


async def test_forged_expired_other_council_and_outside_telegram_are_refused(flow, year, server, browser):
    now = flow.clock.now()
    title = year.group.title
    for init, words_shown in (
        (init_data("654321:ANOTHER-bot-token-entirely", year.chair, now), "не прошли проверку"),
        (init_data(TOKEN, year.chair, now - timedelta(hours=2)), "открыта слишком давно"),
    ):
        phone = await Phone.open(browser, server.url, init, LIGHT)
        shown = await phone.text()
        assert words_shown in shown and title not in shown and "Фамилия" not in shown

    other_group = flow.api.group(-300, "Мектеп №9", admins={400})
    stranger = flow.api.person(400, "Нургүл", "Асанова", "ky")
    await flow.say(stranger, other_group, "/setup")  # the chair of another council, in it alone
    async with flow.sessionmaker() as session:
        user = await session.get(User, stranger.id)
        assert user is not None and user.language == "ky"
    (ours,) = [c for c in await flow.rows(Member, Member.user_id == year.chair.id, Member.role == Role.CHAIR)]
    init = init_data(TOKEN, stranger, now)
    phone = await Phone.open(browser, server.url, init, DARK)
    assert await phone.text("h1") == "Мектеп №9"  # their own council
    answer = await phone.page.evaluate(
        """async ([init, council]) => {
            const response = await fetch('api/year', {method: 'POST', body: JSON.stringify({council}),
                headers: {'Authorization': 'tma ' + init, 'Content-Type': 'application/json'}});
            return [response.status, await response.text()];
        }""",
        [init, ours.council_id],
    )
    assert answer[0] == 403 and "Сиз бул кеңештин мүчөсү эмессиз" in answer[1] and title not in answer[1]

    phone = await Phone.open(browser, server.url, None, LIGHT)  # opened in a browser, not from Telegram
    assert "Telegram" in await phone.text() and title not in await phone.text()
