"""One notice rule for everything added to an announced agenda (cl. 7.5, issue 18 §5).

Every path that sets or changes a meeting's agenda — /agenda in one message, its preview's Publish, the
step-by-step wizard, /agenda from the annual plan, a material put on an agenda, the plan put on an agenda and a
moved meeting — asks `bot.rules.agenda_may_change`: at least 7 full days ahead, counted in the council's time
zone. Each path is driven at 7 days (accepted) and 6 (refused, nothing changed), and once more with the rule
told to refuse everything: a path that went around the function would still be accepted there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from bot import rules
from db.models import AgendaItem, Material, MaterialState, Meeting, MeetingStatus, Plan, Vote
from tests.conftest import BISHKEK, NOW, seed_council

PDF = b"%PDF-1.4 a methodical development " * 80
WAIT = timedelta(days=2)  # between a path's first step and its decisive one
DECISIVE = NOW + WAIT  # 27 November 2026, 10:00 in Bishkek


@pytest.fixture
async def council(flow):
    council = await seed_council(flow, members=5)
    await flow.say(council.chair, council.chair, "/start")
    return council


def move_to(flow, when: datetime) -> None:
    flow.clock.advance(when - flow.clock.now())


async def announce(flow, council, day: date) -> Meeting:
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day:%d.%m.%Y} 15:00\n1. Маселе")
    await flow.press(council.chair, preview, "Опубликовать")
    (meeting,) = await flow.rows(Meeting, Meeting.status == MeetingStatus.ANNOUNCED)
    return meeting


async def submit_material(flow, council) -> None:
    teacher = council.people[2]
    await flow.feed(flow.api.document_update(teacher, PDF, "dev.pdf"))
    await flow.say(teacher, teacher, "Долбоорлоо ыкмасы")
    await flow.press(teacher, flow.api.last_to(teacher.id), "План урока")
    await flow.say(teacher, teacher, "Математика")
    await flow.press(teacher, flow.api.last_to(teacher.id), "Пропустить")


@dataclass
class Path:
    """A way an agenda is set or changed: `prepare` at NOW, then the clock goes to DECISIVE and `decide` takes
    the step the rule must judge; `changed` says, from the rows, whether the agenda was set or changed."""

    prepare: Callable[..., Awaitable[None]]
    decide: Callable[..., Awaitable[list]]
    changed: Callable[..., Awaitable[bool]]
    announced_again: tuple[str, str] | None = None  # what everyone is told when it is accepted (ru, ky)


# --- /agenda in one message -----------------------------------------------------------------------------


async def nothing(flow, council, day):
    pass


async def agenda_in_one_message(flow, council, day):
    return await flow.say(council.chair, council.chair, f"/agenda {day:%d.%m.%Y} 15:00 Кабинет 12\n1. Маселе")


async def a_draft_exists(flow, council):
    return len(await flow.rows(Meeting, Meeting.status == MeetingStatus.DRAFT)) == 1


# --- the preview's Publish --------------------------------------------------------------------------------


async def preview(flow, council, day):
    (council.preview,) = await agenda_in_one_message(flow, council, day)


async def publish(flow, council, day):
    before = len(flow.api.outbox)
    await flow.press(council.chair, council.preview, "Опубликовать")
    return flow.api.outbox[before:]


async def it_is_announced(flow, council):
    return len(await flow.rows(Meeting, Meeting.status == MeetingStatus.ANNOUNCED)) == 1


# --- the step-by-step wizard ------------------------------------------------------------------------------


async def wizard_date(flow, council, day):
    await flow.say(council.chair, council.chair, "/agenda")
    (ask_items,) = await flow.say(council.chair, council.chair, f"{day:%d.%m.%Y} 15:00 Актовый зал")
    assert "повестку" in ask_items.text


async def wizard_items(flow, council, day):
    return await flow.say(council.chair, council.chair, "Мектептин методикалык темасы\nОкуу пландары")


# --- /agenda from the annual plan --------------------------------------------------------------------------


async def plan_offered(flow, council, day):
    sent = await flow.say(council.chair, council.chair, f"/plan {day:%d.%m.%Y} Окуу пландары — Осмонова Г.")
    await flow.press(council.chair, sent[-1], "Сохранить")
    offer = (await flow.say(council.chair, council.chair, "/agenda"))[-1]
    await flow.press(council.chair, offer, f"Взять из плана: {day:%d.%m.%Y}")


async def plan_time(flow, council, day):
    return await flow.say(council.chair, council.chair, "15:00 Кабинет 12")


# --- a material put on an announced agenda ----------------------------------------------------------------


async def material_and_meeting(flow, council, day):
    await announce(flow, council, day)
    await submit_material(flow, council)


async def material_on_agenda(flow, council, day):
    card = next(m for m in flow.api.sent_to(council.chair.id) if m.text.startswith("Материал №1"))
    await flow.press(council.chair, card, "Поставить в повестку")
    before = len(flow.api.outbox)
    await flow.press(council.chair, flow.api.last_to(council.chair.id), f"{day.day} ")
    return flow.api.outbox[before:]


async def material_is_an_item(flow, council):
    (material,) = await flow.rows(Material)
    items = await flow.rows(AgendaItem, AgendaItem.material_id == material.id)
    return material.state is MaterialState.ON_AGENDA and len(items) == 1


# --- the annual plan put on an announced agenda -----------------------------------------------------------


async def plan_and_meeting(flow, council, day):
    await announce(flow, council, day)
    sent = await flow.say(council.chair, council.chair, "/plan 15.10.2026 Окуу жылынын башталышы")
    await flow.press(council.chair, sent[-1], "Сохранить")


async def plan_on_agenda(flow, council, day):
    (shown,) = await flow.say(council.chair, council.chair, "/plan")
    await flow.press(council.chair, shown, "повестку")
    before = len(flow.api.outbox)
    await flow.press(council.chair, flow.api.last_to(council.chair.id), f"{day.day} ")
    return flow.api.outbox[before:]


async def plan_is_an_item(flow, council):
    (plan,) = await flow.rows(Plan)
    items = await flow.rows(AgendaItem, AgendaItem.position == 2)
    return plan.meeting_id is not None and plan.item_position == 2 and len(items) == 1


# --- a moved meeting --------------------------------------------------------------------------------------


async def meeting_far_ahead(flow, council, day):
    await announce(flow, council, (NOW + timedelta(days=20)).date())


async def move(flow, council, day):
    (listing,) = await flow.say(council.chair, council.chair, "/meetings")
    await flow.press(council.chair, listing, "Перенести")
    return await flow.say(council.chair, council.chair, f"{day:%d.%m.%Y} 15:00")


async def it_is_moved(flow, council):
    (meeting,) = await flow.rows(Meeting)
    return meeting.starts_at.astimezone(BISHKEK).date() != (NOW + timedelta(days=20)).date()


CHANGED = ("Повестка дня изменена.", "Күн тартиби өзгөрдү.")
MOVED = ("Заседание методического совета перенесено.", "Методикалык кеңештин отуруму башка күнгө жылдырылды.")
PATHS = {
    "/agenda": Path(nothing, agenda_in_one_message, a_draft_exists),
    "Publish": Path(preview, publish, it_is_announced),
    "wizard": Path(wizard_date, wizard_items, a_draft_exists),
    "/agenda from the plan": Path(plan_offered, plan_time, a_draft_exists),
    "material": Path(material_and_meeting, material_on_agenda, material_is_an_item, CHANGED),
    "plan": Path(plan_and_meeting, plan_on_agenda, plan_is_an_item, CHANGED),
    "move": Path(meeting_far_ahead, move, it_is_moved, MOVED),
}


def refused(sent: list, flow, council) -> bool:
    """The chair was told why (cl. 7.5), in a message or a button's alert."""
    texts = [m.text for m in sent] + [a.get("text", "") for a in flow.api.answers.values()]
    return any("п. 7.5" in text for text in texts)


async def run(flow, council, path: Path, day: date) -> list:
    await path.prepare(flow, council, day)
    move_to(flow, DECISIVE)
    return await path.decide(flow, council, day)


@pytest.mark.parametrize("name", PATHS)
async def test_seven_full_days_ahead_the_agenda_changes_and_is_announced(flow, council, name):
    path = PATHS[name]
    sent = await run(flow, council, path, (DECISIVE + timedelta(days=7)).date())
    assert await path.changed(flow, council)
    assert not refused(sent, flow, council)
    if path.announced_again:
        ru, ky = path.announced_again
        (post,) = [m for m in sent if m.chat_id == council.group.id]
        assert ru in post.text and ky in post.text and "1. Маселе" in post.text  # both languages
        for person in council.people[1:]:  # and every member, in their own language
            (told,) = [m for m in sent if m.chat_id == person.id]
            assert (ky if person.language_code == "ky" else ru) in told.text


@pytest.mark.parametrize("name", PATHS)
async def test_six_days_ahead_the_agenda_does_not_change(flow, council, name):
    path = PATHS[name]
    day = (DECISIVE + timedelta(days=6)).date()
    await path.prepare(flow, council, day)
    meetings_before = [(m.id, m.status, m.starts_at) for m in await flow.rows(Meeting)]
    items_before = [(i.meeting_id, i.position, i.title) for i in await flow.rows(AgendaItem)]
    move_to(flow, DECISIVE)
    group_before = len(flow.api.sent_to(council.group.id))
    sent = await path.decide(flow, council, day)
    assert refused(sent, flow, council)
    assert not await path.changed(flow, council)
    assert [(m.id, m.status, m.starts_at) for m in await flow.rows(Meeting)] == meetings_before
    assert [(i.meeting_id, i.position, i.title) for i in await flow.rows(AgendaItem)] == items_before
    assert len(flow.api.sent_to(council.group.id)) == group_before  # nothing announced


@pytest.mark.parametrize("name", PATHS)
async def test_every_path_asks_the_one_rule(flow, council, name, monkeypatch):
    """Ten days ahead every path would be accepted; told to refuse, the rule refuses it on every path."""
    path = PATHS[name]
    day = (DECISIVE + timedelta(days=10)).date()
    await path.prepare(flow, council, day)
    move_to(flow, DECISIVE)
    asked = []

    def refuse(starts_at: datetime, now: datetime, tz) -> bool:
        asked.append(starts_at.astimezone(BISHKEK).date())
        return False

    monkeypatch.setattr(rules, "agenda_may_change", refuse)
    sent = await path.decide(flow, council, day)
    assert day in asked
    assert refused(sent, flow, council)
    assert not await path.changed(flow, council)


async def test_the_days_are_counted_in_the_councils_time_zone(flow, council):
    """00:30 on 26 November in Bishkek is still 25 November in UTC: the meeting of 2 December is six days away
    in Bishkek (refused), though seven in UTC; 3 December is seven (accepted)."""
    move_to(flow, datetime(2026, 11, 26, 0, 30, tzinfo=BISHKEK))
    (reply,) = await flow.say(council.chair, council.chair, "/agenda 02.12.2026 15:00\n1. Маселе")
    assert "не менее чем за 7 дней" in reply.text and "3 декабря 2026" in reply.text
    assert await flow.rows(Meeting) == []
    (preview,) = await flow.say(council.chair, council.chair, "/agenda 03.12.2026 08:00\n1. Маселе")
    assert preview.text.startswith("Предпросмотр.")


async def test_the_plan_goes_on_an_agenda_once_and_the_members_are_told(flow, council):
    await plan_and_meeting(flow, council, (NOW + timedelta(days=9)).date())
    (shown,) = await flow.say(council.chair, council.chair, "/plan")
    await flow.press(council.chair, shown, "повестку")
    choose = flow.api.last_to(council.chair.id)
    data = choose.button("4 ")["callback_data"]
    await flow.press_data(council.chair, choose, data)
    again = await flow.press_data(council.chair, choose, data)  # a double tap
    assert again["text"] == "Годовой план уже внесён в повестку этого заседания."
    items = sorted(await flow.rows(AgendaItem), key=lambda i: i.position)
    assert [i.position for i in items] == [1, 2]
    assert items[1].title.startswith("Годовой план (циклограмма)")
    changed = [m for m in flow.api.sent_to(council.group.id) if "Повестка дня изменена" in m.text]
    assert len(changed) == 1 and "2. Годовой план" in changed[0].text


# --- /vote without an item: outside the agenda, confirmed ------------------------------------------------


@pytest.fixture
async def open_meeting(flow, council):
    meeting = await announce(flow, council, (NOW + timedelta(days=8)).date())
    move_to(flow, meeting.starts_at)
    await flow.say(council.chair, council.group, "/open")
    attendance = next(m for m in flow.api.sent_to(council.group.id) if "Присутствую" in str(m.reply_markup))
    for person in council.people:
        await flow.press(person, attendance, "Присутствую")
    return council


async def test_a_vote_without_an_item_waits_for_the_chairs_confirmation(flow, open_meeting):
    council = open_meeting
    sent = await flow.say(council.chair, council.group, "/vote Кошумча <маселе>")
    (question,) = sent
    assert question.chat_id == council.group.id
    assert "Этого решения нет в повестке дня." in question.text and "Кошумча &lt;маселе&gt;" in question.html
    assert [b["text"] for b in question.buttons] == [
        "Күн тартибинен тышкары добушка коюу / Голосовать вне повестки дня"
    ]
    assert await flow.rows(Vote) == []  # nothing is put to the vote before the confirmation

    confirm = question.button("вне повестки")["callback_data"]
    member = council.people[1]
    # A member is told who may confirm it, in their language, not that the button is out of date.
    answer = await flow.press_data(member, question, confirm)  # reads Kyrgyz
    assert answer["text"] == "Муну кеңештин төрагасы же катчысы гана жасай алат."
    answer = await flow.press_data(council.people[2], question, confirm)  # reads Russian
    assert answer["text"] == "Это может сделать только председатель или секретарь совета."
    assert await flow.rows(Vote) == []

    before = len(flow.api.sent_to(council.group.id))
    await flow.press(council.chair, question, "вне повестки")
    assert question.text.startswith("Күн тартибинен тышкары добушка коюлду:")  # the group reads both
    assert "\n\nПоставлено на голосование вне повестки дня:" in question.text
    (vote,) = await flow.rows(Vote)
    assert vote.item_position is None and vote.decision == "Кошумча <маселе>"
    (post,) = flow.api.sent_to(council.group.id)[before:]
    assert "Добуш берүү (күн тартибинен тышкары)" in post.text and "Голосование вне повестки дня" in post.text
    again = await flow.press_data(council.chair, question, confirm)  # pressed twice: one vote
    assert again["text"] in {"Эта кнопка устарела.", "Бул баскыч эскирип калган."}
    assert len(await flow.rows(Vote)) == 1

    for person in council.people:
        await flow.press(person, post, "Макул")
    await flow.press(council.chair, post, "Добушту жабуу")
    sent = await flow.say(council.chair, council.group, "/close")
    protocol = "\n".join(m.text for m in sent if m.chat_id == council.group.id and m.method == "sendMessage")
    assert "Күн тартибинен тышкары чечимдер\nТоктом кылынды: Кошумча <маселе>" in protocol
    assert "Решения вне повестки дня\nПостановили: Кошумча <маселе>" in protocol
    assert "1. Маселе\nРешение на голосование не ставилось." in protocol


async def test_a_motion_outside_the_agenda_not_adopted_is_recorded_as_proposed(flow, open_meeting):
    council = open_meeting
    (question,) = await flow.say(council.chair, council.group, "/vote Кошумча маселе")
    await flow.press(council.chair, question, "вне повестки")
    post = flow.api.last_to(council.group.id)
    for person, choice in zip(council.people, ["Макул", "Макул", "Каршы", "Каршы", "Калыс"], strict=True):
        await flow.press(person, post, choice)
    sent = await flow.say(council.chair, council.group, "/close")
    protocol = "\n".join(m.text for m in sent if m.chat_id == council.group.id and m.method == "sendMessage")
    assert "Күн тартибинен тышкары чечимдер\nСунушталды: Кошумча маселе\nДобуш берүү: макул 2" in protocol
    assert "Решения вне повестки дня\nПредлагалось: Кошумча маселе\nГолосование: за 2" in protocol
    assert "Кабыл алынган жок." in protocol and "Не принято." in protocol
    assert "Токтом кылынды" not in protocol and "Постановили" not in protocol


async def test_the_chairs_replies_in_a_bilingual_group_are_in_both_languages(flow):
    """A Kyrgyz-reading chair in a group that reads both: /heard's confirmation and the outside-the-agenda
    question, its button and its confirmation are group posts, in Kyrgyz and Russian like every other."""
    council = await seed_council(flow, members=5, chair_locale="ky")
    await flow.say(council.chair, council.chair, "/start")
    day = (NOW + timedelta(days=8)).date()
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day:%d.%m.%Y} 15:00\n1. Маселе")
    await flow.press(council.chair, preview, "Жарыялоо")
    (meeting,) = await flow.rows(Meeting, Meeting.status == MeetingStatus.ANNOUNCED)
    move_to(flow, meeting.starts_at)
    await flow.say(council.chair, council.group, "/open")
    (done,) = await flow.say(council.chair, council.group, "/heard 1 Асанова Б.")
    assert "Протоколго жазылды. 1-маселе боюнча угулду — Асанова Б." in done.text
    assert "Записано в протокол. По вопросу 1 слушали — Асанова Б." in done.text

    (question,) = await flow.say(council.chair, council.group, "/vote Кошумча маселе")
    assert "Этого решения нет в повестке дня." in question.text
    assert "Бул чечим күн тартибинде жок." in question.text
    assert [b["text"] for b in question.buttons] == [
        "Күн тартибинен тышкары добушка коюу / Голосовать вне повестки дня"
    ]
    await flow.press(council.chair, question, "вне повестки")
    assert "Күн тартибинен тышкары добушка коюлду:" in question.text
    assert "Поставлено на голосование вне повестки дня:" in question.text
    # In private the chair reads their own language only.
    (private,) = await flow.say(council.chair, council.chair, "/heard 1 Асанова Б.")
    assert private.text == "Протоколго жазылды. 1-маселе боюнча угулду — Асанова Б."


async def test_a_vote_on_an_item_needs_no_confirmation(flow, open_meeting):
    council = open_meeting
    sent = await flow.say(council.chair, council.group, "/vote 1 Бекитүү")
    (post,) = sent
    assert "Голосование по вопросу 1" in post.text
    (vote,) = await flow.rows(Vote)
    assert vote.item_position == 1


async def test_a_secret_ballot_outside_the_agenda_confirmed_in_private(flow, open_meeting):
    council = open_meeting
    (question,) = await flow.say(council.chair, council.chair, "/secretvote Шайлоо")
    assert question.chat_id == council.chair.id
    await flow.press(council.chair, question, "вне повестки")
    (vote,) = await flow.rows(Vote)
    assert vote.secret and vote.item_position is None
    post = flow.api.last_to(council.group.id)
    assert "Тайное голосование вне повестки дня" in post.text
