"""The Mini App from the chat and over HTTP (issue 22): /year and the menu button, who the page refuses, the
files it hands out, and what it leaves in logs and headers. The pages themselves, in a real browser, are
tests/browser/."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

import pytest

from bot.app import set_menu_button
from db.models import IssuedProtocol, Material, Meeting, MeetingStatus
from tests.conftest import TOKEN
from tests.miniapp import DOCX, PDF, hold_a_year, init_data, miniapp_server

OTHER_TOKEN = "654321:ANOTHER-bot-token-entirely"


@pytest.fixture
async def year(flow):
    return await hold_a_year(flow)


@pytest.fixture
async def server(flow):
    async with miniapp_server(flow) as server:
        yield server


async def test_year_opens_the_app_in_private_and_links_to_the_private_chat_from_the_group(flow, year, server):
    member = year.member
    (answer,) = await flow.say(member, member, "/year")
    assert answer.text.startswith("Кеңештин окуу жылы бир карашта")
    (button,) = answer.buttons
    assert button == {"text": "Кеңештин окуу жылын ачуу", "web_app": {"url": server.url}}

    (in_group,) = await flow.say(member, year.group, "/year")
    (link,) = in_group.buttons
    assert "web_app" not in link  # Telegram refuses web_app buttons in groups (the stand-in too)
    assert link["url"] == "https://t.me/kenesh_test_bot?start=year"
    (again,) = await flow.say(member, member, "/start year")  # where that link leads
    assert again.buttons == [button]


async def test_year_without_the_app_lists_the_commands_and_refuses_a_stranger(flow, year):
    (answer,) = await flow.say(year.chair, year.chair, "/year")
    assert answer.text.startswith("Год совета\n/plan") and "/decisions" in answer.text
    assert answer.reply_markup is None
    stranger = flow.api.person(777, "Айбек", language_code="ky")
    (refused,) = await flow.say(stranger, stranger, "/year")
    assert refused.text.startswith("Сиз азырынча кеңештин мүчөсү эмессиз")


async def test_the_menu_button_opens_the_app_when_it_is_set(flow, server):
    i18n = flow.dp["i18n"]
    await set_menu_button(flow.bot, i18n, flow.settings)
    assert flow.api.menu_buttons[None] == {"type": "web_app", "text": "Окуу жылы", "web_app": {"url": server.url}}
    flow.settings.miniapp_url = None
    await set_menu_button(flow.bot, i18n, flow.settings)
    assert flow.api.menu_buttons[None] == {"type": "default"}


async def test_forged_expired_and_missing_init_data_are_refused(flow, year, server):
    now = flow.clock.now()
    title = year.group.title
    for init, status, words in (
        (init_data(OTHER_TOKEN, year.chair, now), 401, "не прошли проверку"),  # another bot's signature
        (init_data(TOKEN, year.chair, now).replace("AAH10", "AAH11"), 401, "не прошли проверку"),  # changed
        (init_data(TOKEN, year.chair, now - timedelta(seconds=3601)), 401, "открыта слишком давно"),
        ("", 401, "не прошли проверку"),
        (None, 401, "не прошли проверку"),
    ):
        code, body, _headers = await server.api("year", init, {"lang": "ru"})
        assert (code, words in body, title in body) == (status, True, False)
    code, body, _headers = await server.api("year", init_data(TOKEN, year.chair, now - timedelta(seconds=3599)))
    assert code == 200 and title in body


async def test_another_councils_member_sees_only_their_own(flow, year, server):
    other_group = flow.api.group(-200, "Мектеп №9", admins={year.chair.id})
    await flow.say(year.chair, other_group, "/setup")  # our chair sets up a second council: in two councils now
    other = await flow.council(other_group.id)
    stranger = flow.api.person(300, "Нургүл", "Асанова", "ky")
    async with flow.sessionmaker() as session:
        from db.models import Member, MemberStatus, Role, User

        session.add(User(id=stranger.id, language="ky", created_at=flow.clock.now()))
        await session.flush()
        session.add(
            Member(
                council_id=other.id,
                user_id=stranger.id,
                full_name="Асанова Нургүл",
                role=Role.TEACHER,
                status=MemberStatus.APPROVED,
                applied_at=flow.clock.now(),
            )
        )
        await session.commit()
    init = init_data(TOKEN, stranger, flow.clock.now())
    council = await flow.council(year.group.id)
    for view, body in (("year", {"council": council.id}), ("meeting", {"council": council.id, "meeting": 1})):
        code, text, _headers = await server.api(view, init, body)
        assert code == 403 and "Сиз бул кеңештин мүчөсү эмессиз" in text and "Фамилия" not in text
    code, text, _headers = await server.api("meeting", init, {"meeting": 1})  # their own council: not its meeting
    assert code == 404 and "Бул отурум эми жок" in text and "Биринчи" not in text

    chair = init_data(TOKEN, year.chair, flow.clock.now())  # in two councils: asked to pick one
    code, text, _headers = await server.api("year", chair)
    assert code == 200 and 'data-view="pick"' in text
    assert re.findall(r'data-council-pick="(\d+)"', text) == [str(council.id), str(other.id)]


async def test_the_protocol_and_a_material_as_a_signed_download_and_sent_to_the_chat(flow, year, server):
    member = year.member
    init = init_data(TOKEN, member, flow.clock.now())
    (first,) = await flow.rows(Meeting, Meeting.protocol_number == 1)
    (issued,) = await flow.rows(IssuedProtocol, IssuedProtocol.meeting_id == first.id)
    code, text, _headers = await server.api("link", init, {"kind": "protocol", "id": first.id})
    link = json.loads(text)
    assert code == 200 and link["name"] == issued.filename and str(member.id) not in link["url"]
    async with server.client.get(server.url + link["url"]) as response:
        assert response.status == 200
        assert await response.read() == issued.document  # byte for byte as issued at the close
        assert "attachment" in response.headers["Content-Disposition"]
    tampered = re.sub(r"/(\d+)/(\d+)/", lambda m: f"/{m.group(1)}/{int(m.group(2)) + 1}/", link["url"], count=1)
    async with server.client.get(server.url + tampered) as response:
        assert response.status == 403
    flow.clock.advance(timedelta(minutes=11))  # links live ten minutes
    async with server.client.get(server.url + link["url"]) as response:
        assert response.status == 403
        assert (await response.text()).startswith("Бул жүктөө шилтемесинин мөөнөтү бүттү")
    flow.clock.advance(timedelta(minutes=-11))

    before = len(flow.api.sent_to(member.id))
    code, text, _headers = await server.api("send", init, {"kind": "protocol", "id": first.id})
    assert code == 200 and "Бот менен чатыңызга жөнөтүлдү" in text
    (document,) = flow.api.sent_to(member.id)[before:]
    assert flow.api.files[document.document["file_id"]][0] == issued.document

    approved, returned = sorted(await flow.rows(Material), key=lambda m: m.state != "approved")
    code, text, _headers = await server.api("send", init, {"kind": "material", "id": approved.id})
    assert code == 200 and flow.api.files[flow.api.last_to(member.id).document["file_id"]][0] == PDF
    code, text, _headers = await server.api("send", init, {"kind": "material", "id": returned.id})
    assert code == 404 and "банкта жок" in text  # not in the bank: a member may not have it
    assert flow.api.files[flow.api.last_to(member.id).document["file_id"]][0] != DOCX


async def test_no_cookie_a_strict_policy_and_nothing_personal_in_the_log(flow, year, server, caplog):
    caplog.set_level(logging.INFO)
    init = init_data(TOKEN, year.chair, flow.clock.now())
    async with server.client.get(server.url) as response:
        page = await response.text()
        policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert "frame-ancestors https://web.telegram.org" in policy
    assert "http" not in page.replace('href="static', "").split("<body")[0]  # nothing loaded from elsewhere
    for view, body in (("year", {}), ("materials", {"q": "Функционалдык"}), ("members", {})):
        code, text, headers = await server.api(view, init, body)
        assert code == 200 and "Set-Cookie" not in headers and headers["Cache-Control"] == "no-store"
    await server.api("year", init_data(OTHER_TOKEN, year.chair, flow.clock.now()))
    logged = "\n".join(record.getMessage() for record in caplog.records if record.levelno >= logging.INFO)
    for secret in ("Гүлнара", "Осмонова", "Функционалдык", "hash=", "auth_date", TOKEN.split(":")[1]):
        assert secret not in logged


async def test_a_closed_meeting_shows_its_protocol_as_stored(flow, year, server):
    init = init_data(TOKEN, year.chair, flow.clock.now())
    (second,) = await flow.rows(Meeting, Meeting.protocol_number == 2)
    assert second.status is MeetingStatus.CLOSED
    code, text, _headers = await server.api("meeting", init, {"meeting": second.id, "lang": "ru"})
    assert code == 200
    assert "Присутствовали: 6 из 10" in text and "Отсутствовали: 4" in text
    assert "ПРОТОКОЛ №2 заседания методического совета" in text
    assert "нет кворума" in text
