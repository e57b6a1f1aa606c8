"""The Mini App from the chat and over HTTP (issue 22): /year and the menu button, who the page refuses, the
files it hands out, and what it leaves in logs and headers. The pages themselves, in a real browser, are
tests/browser/."""

from __future__ import annotations

import json
import logging
import re
from datetime import date, datetime, timedelta

import pytest

from bot.app import set_menu_button
from bot.ops.miniapp import BANK_SHOWN, DONE_SHOWN
from db.models import (
    Council,
    FollowUp,
    FollowUpState,
    IssuedProtocol,
    Material,
    MaterialKind,
    MaterialState,
    Meeting,
    MeetingStatus,
    Member,
    MemberStatus,
    Outcome,
    Role,
    User,
    Vote,
    WatchdogWarning,
)
from tests.conftest import BISHKEK, TOKEN
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


async def add_done_decisions(flow, year, count: int, *, own: int) -> None:
    """`count` more decisions of the first meeting, adopted and reported done a day apart from 5 December 2026
    on, as many as a long year gathers: the `own` oldest by the Kyrgyz member, the others by the chair."""
    (first,) = await flow.rows(Meeting, Meeting.protocol_number == 1)
    council = await flow.council(year.group.id)
    members = {m.user_id: m.id for m in await flow.rows(Member, Member.council_id == council.id)}
    reported = datetime(2026, 12, 5, 12, tzinfo=BISHKEK)
    async with flow.sessionmaker() as session:
        for n in range(1, count + 1):
            vote = Vote(
                meeting_id=first.id,
                item_position=1,
                decision=f"Чечим №{n}",
                is_open=False,
                opened_at=first.starts_at,
                closed_at=first.starts_at,
                members_total=10,
                present_total=8,
                votes_for=8,
                votes_against=0,
                votes_abstain=0,
                outcome=Outcome.ADOPTED,
            )
            session.add(vote)
            await session.flush()
            session.add(
                FollowUp(
                    vote_id=vote.id,
                    council_id=council.id,
                    member_id=members[(year.member if n <= own else year.chair).id],
                    due_on=date(2027, 1, 10),
                    state=FollowUpState.DONE,
                    assigned_by=year.chair.id,
                    assigned_at=first.starts_at,
                    done_at=reported + timedelta(days=n),
                    report=f"Отчёт №{n}",
                )
            )
        await session.commit()


def done_section(page: str) -> tuple[list[str], str]:
    """The done decisions a page shows, in order, and what follows their list (the button for the others)."""
    (section,) = re.findall(r'<section class="group ok">(.*?)</section>', page)
    cards, after = section.split("</ul>")
    return re.findall(r'<p class="decision">(Чечим №\d+)</p>', cards), after


async def test_the_decisions_page_shows_the_latest_done_and_the_readers_own_and_the_rest_on_request(flow, year, server):
    await add_done_decisions(flow, year, 25, own=2)
    latest = [f"Чечим №{n}" for n in range(25, 25 - DONE_SHOWN, -1)]  # the latest done first
    member = init_data(TOKEN, year.member, flow.clock.now())
    code, page, _headers = await server.api("decisions", member)
    assert code == 200 and "Аткарылды: 25" in page and "Аткарылып жатат: 1" in page  # the open one too
    shown, after = done_section(page)
    assert shown == [*latest, "Чечим №2", "Чечим №1"]  # and all of the member's own, for "only mine"
    assert page.count("decision-card mine") == 3  # those two and the open one
    assert '<button type="button" class="more" data-more="all">Аткарылган дагы 3 чечимди көрсөтүү</button>' in after

    chair = init_data(TOKEN, year.chair, flow.clock.now())
    code, page, _headers = await server.api("decisions", chair, {"lang": "ru"})
    shown, after = done_section(page)
    assert shown == [*latest, "Чечим №5", "Чечим №4", "Чечим №3"]  # the chair's own
    assert "Показать ещё 2 исполненных решения" in after

    code, page, _headers = await server.api("decisions", member, {"all": True})  # the second request
    shown, after = done_section(page)
    assert code == 200 and shown == [f"Чечим №{n}" for n in range(25, 0, -1)] and "data-more" not in after
    assert "Отчет: Отчёт №1" in page

    code, page, _headers = await server.api("decisions", member, {"all": "yes"})
    assert code == 400 and "Чечим" not in page


async def test_the_secretary_sees_the_years_figures_and_the_log_a_teacher_does_not(flow, year, server):
    secretary, teacher = year.people[3], year.teacher
    async with flow.sessionmaker() as session:  # as the chair names one from /members (tests/flows/test_members)
        council = await session.get(Council, (await flow.council(year.group.id)).id)
        council.secretary_id = secretary.id
        await session.commit()
    code, page, _headers = await server.api("members", init_data(TOKEN, secretary, flow.clock.now()))
    assert code == 200 and page.count('<svg class="chart"') == 2 and '<ul class="plain log">' in page
    assert "катчы" in page  # the roster says who the secretary is
    code, page, _headers = await server.api("members", init_data(TOKEN, teacher, flow.clock.now()))
    assert code == 200 and "<svg" not in page and "plain log" not in page


async def test_the_year_shows_a_missed_day_and_the_trimester_warnings_sent_and_standing(flow, year, server):
    flow.clock.advance(datetime(2027, 5, 10, 9, tzinfo=BISHKEK) - flow.clock.now())  # 14 days to announce
    await flow.scheduler.watchdog_check()
    await flow.delivery.drain()
    (warning,) = await flow.rows(WatchdogWarning)
    assert warning.sent_on == date(2027, 5, 10)
    code, page, _headers = await server.api("year", init_data(TOKEN, year.chair, flow.clock.now()), {"lang": "ru"})
    assert code == 200
    third = page.split("<article")[-1]  # the third trimester: 18 March planned, no meeting announced
    assert "Пропущено: не объявлено за неделю" in third
    assert "Предупреждение (п. 7.4 положения) от 10 мая 2027" in third  # the one sent
    assert '<p class="alert"><b>Предупреждение (положение, п. 7.4).</b>' in third  # the one that stands today
    assert "Проведено · протокол №1" in page and "Проведено · протокол №2" in page


async def test_a_participant_sees_the_council_an_applicant_or_a_removed_member_does_not(flow, year, server):
    council = await flow.council(year.group.id)
    people = {
        MemberStatus.APPROVED: flow.api.person(501, "Айгүл", "Садыкова", "ru"),  # a participant without a vote
        MemberStatus.PENDING: flow.api.person(502, "Бакыт", "Жумабаев", "ru"),
        MemberStatus.REMOVED: flow.api.person(503, "Чолпон", "Токтогулова", "ru"),
    }
    async with flow.sessionmaker() as session:
        for status, person in people.items():
            session.add(User(id=person.id, language="ru", created_at=flow.clock.now()))
            await session.flush()
            session.add(
                Member(
                    council_id=council.id,
                    user_id=person.id,
                    full_name=f"{person.last_name} {person.first_name}",
                    role=Role.PARTICIPANT if status is MemberStatus.APPROVED else Role.TEACHER,
                    status=status,
                    applied_at=flow.clock.now(),
                )
            )
        await session.commit()
    init = init_data(TOKEN, people[MemberStatus.APPROVED], flow.clock.now())
    code, page, _headers = await server.api("members", init)
    assert code == 200 and year.group.title in page and "Участники без права голоса" in page
    for status in (MemberStatus.PENDING, MemberStatus.REMOVED):
        code, page, _headers = await server.api("year", init_data(TOKEN, people[status], flow.clock.now()))
        assert code == 403 and "Вы пока не член совета" in page and year.group.title not in page


async def test_the_bank_shows_its_newest_and_the_rest_on_request_a_search_too(flow, year, server):
    council = await flow.council(year.group.id)
    (author,) = await flow.rows(Member, Member.user_id == year.teacher.id)
    approved = flow.clock.now()
    async with flow.sessionmaker() as session:  # a long year's bank: 35 more materials, approved a day apart
        for n in range(1, 36):
            session.add(
                Material(
                    council_id=council.id,
                    author_id=author.id,
                    title=f"Бөлүм №{n}",
                    kind=MaterialKind.LESSON_PLAN,
                    subject="Математика",
                    state=MaterialState.APPROVED,
                    file_name=f"bolum_{n}.docx",
                    stored_name=f"{n:064x}.docx",
                    size=40_000,
                    sha256=f"{n:064x}",
                    created_at=approved,
                    updated_at=approved + timedelta(days=n),
                )
            )
        await session.commit()

    def titles(page: str) -> list[str]:
        bank = page.split("<h2>", 2)[1]  # the bank, before "My submissions"
        return re.findall(r'<p class="title">№\d+ ([^<]+)</p>', bank)

    member = init_data(TOKEN, year.member, flow.clock.now())
    code, page, _headers = await server.api("materials", member)
    newest = [f"Бөлүм №{n}" for n in range(35, 35 - BANK_SHOWN, -1)]
    assert code == 200 and titles(page) == newest and "Дагы 6 материалды көрсөтүү" in page
    code, page, _headers = await server.api("materials", member, {"all": True})  # the second request
    assert titles(page) == [f"Бөлүм №{n}" for n in range(35, 0, -1)] + ["Функционалдык сабаттуулук"]
    assert "data-more" not in page

    chair = init_data(TOKEN, year.chair, flow.clock.now())
    code, page, _headers = await server.api("materials", chair, {"q": "бөлүм", "lang": "ru"})
    assert titles(page) == newest and "Найдено по запросу «бөлүм»: 35" in page
    assert "Показать ещё 5 материалов" in page
    code, page, _headers = await server.api("materials", chair, {"q": "бөлүм", "all": True})
    assert len(titles(page)) == 35 and "data-more" not in page
