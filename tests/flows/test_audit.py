"""Who did what (issue 8, point 8): each change to the record leaves exactly one log entry; /log shows them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from db.models import AuditAction, AuditEntry, AuditObject, Material, Meeting, Member, SealedBallot
from tests.conftest import BISHKEK, NOW, seed_council
from tests.flows.test_materials import submit

AGENDA = "\n1. Мектептин методикалык темасы — Осмонова Г.\n2. Окуу топторунун иш пландары"
CHAIR_NAME = "Гүлнара Осмонова"  # from /setup: the chair's Telegram name
NOT_RUNNER_RU = "Это может сделать только председатель или секретарь совета."


def day(offset: int) -> str:
    return (NOW + timedelta(days=offset)).strftime("%d.%m.%Y")


class Log:
    """The audit table read as a stream: what each step added."""

    def __init__(self, flow) -> None:
        self.flow, self.seen = flow, 0

    async def new(self) -> list[AuditEntry]:
        rows = sorted(await self.flow.rows(AuditEntry, AuditEntry.id > self.seen), key=lambda e: e.id)
        if rows:
            self.seen = rows[-1].id
        return rows

    async def one(self, action: AuditAction, actor_id: int, obj_kind: AuditObject, obj_id: int | None) -> AuditEntry:
        entries = await self.new()
        assert [(e.action, e.actor_id, e.obj_kind, e.obj_id) for e in entries] == [(action, actor_id, obj_kind, obj_id)]
        assert entries[0].at == self.flow.clock.now()
        return entries[0]

    async def nothing(self) -> None:
        assert await self.new() == []


async def _member(flow, user_id: int) -> Member:
    (member,) = await flow.rows(Member, Member.user_id == user_id)
    return member


async def _press_exactly(flow, person, message, text: str) -> dict:
    """A button with exactly this text: "Русский" is also a part of "Кыргызча + Русский". A group language's
    button is named by the language after its label ("Сообщения в группе: Русский", ✓ on the current one)."""
    (button,) = [b for b in message.buttons if b["text"] == text or b["text"].endswith(f"в группе: {text}")]
    return await flow.press_data(person, message, button["callback_data"])


async def _card(flow, chair, name: str):
    (listing,) = await flow.say(chair, chair, "/members")
    await flow.press(chair, listing, name)
    return listing


async def test_the_chairs_decisions_over_members_each_leave_one_entry(flow):
    council = await seed_council(flow, members=5)
    chair, people = council.chair, council.people
    await flow.say(chair, chair, "/start")
    log = Log(flow)
    await log.new()

    anna = flow.api.person(21, "Анна", "Петрова", "ru")
    ivan = flow.api.person(24, "Иван", "Иванов", "ru")
    await flow.register(anna, council.join_code, "ru", "Петрова Анна", "учитель")
    anna_application = flow.api.last_to(chair.id)
    await flow.register(ivan, council.join_code, "ru", "Иванов Иван", "учитель")
    ivan_application = flow.api.last_to(chair.id)
    await log.nothing()  # applying is the applicant's own step, not a change to the record by the chair

    await flow.press(chair, anna_application, "Утвердить")
    entry = await log.one(AuditAction.MEMBER_APPROVED, chair.id, AuditObject.MEMBER, (await _member(flow, 21)).id)
    assert (entry.actor_name, entry.obj_name, entry.council_id) == (CHAIR_NAME, "Петрова Анна", council.id)
    await flow.press(chair, ivan_application, "Отклонить")
    await log.one(AuditAction.MEMBER_REJECTED, chair.id, AuditObject.MEMBER, (await _member(flow, 24)).id)

    target = await _member(flow, people[1].id)
    card = await _card(flow, chair, target.full_name)
    await flow.press(chair, card, "Номер приказа")
    await flow.say(chair, chair, "№15")
    entry = await log.one(AuditAction.ORDER_NUMBER_SET, chair.id, AuditObject.MEMBER, target.id)
    assert (entry.before, entry.after) == (None, "15")
    await flow.press(chair, card, "Номер приказа")
    (refused,) = await flow.say(chair, chair, "15 от 1 сентября")
    assert refused.text.startswith("Пришлите только номер приказа")
    await log.nothing()  # refused: nothing changed, nothing logged
    await flow.say(chair, chair, "16/2")
    entry = await log.one(AuditAction.ORDER_NUMBER_SET, chair.id, AuditObject.MEMBER, target.id)
    assert (entry.before, entry.after) == ("15", "16/2")

    card = await _card(flow, chair, target.full_name)
    await flow.press(chair, card, "Назначить секретарём")
    await log.one(AuditAction.SECRETARY_NAMED, chair.id, AuditObject.MEMBER, target.id)

    removed = await _member(flow, people[2].id)
    card = await _card(flow, chair, removed.full_name)
    await flow.press(chair, card, "Исключить из совета")
    await log.nothing()  # only asked to confirm
    await flow.press(chair, card, "Да, исключить")
    await log.one(AuditAction.MEMBER_REMOVED, chair.id, AuditObject.MEMBER, removed.id)

    heir = await _member(flow, people[3].id)
    card = await _card(flow, chair, heir.full_name)
    await flow.press(chair, card, "Передать полномочия председателя")
    await flow.press(chair, card, "Да, передать")
    entry = await log.one(AuditAction.CHAIR_HANDED_OVER, chair.id, AuditObject.MEMBER, heir.id)
    assert entry.obj_name == heir.full_name


async def test_publish_move_and_cancel_each_leave_one_entry(flow):
    council = await seed_council(flow, members=3)
    chair = council.chair
    log = Log(flow)
    await log.new()
    (preview,) = await flow.say(chair, chair, f"/agenda {day(8)} 15:00 Кабинет 12{AGENDA}")
    await log.nothing()  # a draft is not yet on record
    await flow.press(chair, preview, "Опубликовать")
    (meeting,) = await flow.rows(Meeting)
    await log.one(AuditAction.MEETING_PUBLISHED, chair.id, AuditObject.MEETING, meeting.id)

    (listing,) = await flow.say(chair, chair, "/meetings")
    await flow.press(chair, listing, "Перенести")
    await flow.say(chair, chair, f"{day(5)} 15:00")  # refused by the 7-day rule
    await log.nothing()
    await flow.say(chair, chair, f"{day(12)} 10:00")
    entry = await log.one(AuditAction.MEETING_MOVED, chair.id, AuditObject.MEETING, meeting.id)
    assert datetime.fromisoformat(entry.before) == datetime(2026, 12, 3, 15, 0, tzinfo=BISHKEK)
    assert datetime.fromisoformat(entry.after) == datetime(2026, 12, 7, 10, 0, tzinfo=BISHKEK)

    (listing,) = await flow.say(chair, chair, "/meetings")
    await flow.press(chair, listing, "Отменить заседание")
    await flow.press(chair, listing, "Нет")
    await log.nothing()
    await flow.press(chair, listing, "Отменить заседание")
    await flow.press(chair, listing, "Да, отменить")
    await log.one(AuditAction.MEETING_CANCELLED, chair.id, AuditObject.MEETING, meeting.id)


@pytest.fixture
async def meeting(flow):
    """A 10-member council (plus one participant) whose meeting, announced 8 days ahead, is today."""
    council = await seed_council(flow, members=10, participants=1)
    await flow.say(council.chair, council.chair, "/start")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day(8)} 15:00 Кабинет 12{AGENDA}")
    await flow.press(council.chair, preview, "Опубликовать")
    flow.clock.advance(timedelta(days=8, hours=5))
    council.voters = council.people[:-1]
    return council


async def test_the_meeting_day_each_change_leaves_one_entry_and_no_ballot_is_logged(flow, meeting):
    chair, group, voters = meeting.chair, meeting.group, meeting.voters
    (record,) = await flow.rows(Meeting)
    log = Log(flow)
    await log.new()

    await flow.say(chair, group, "/open")
    await log.one(AuditAction.MEETING_OPENED, chair.id, AuditObject.MEETING, record.id)
    attendance = next(m for m in flow.api.sent_to(group.id) if "Присутствую" in str(m.reply_markup))
    roll = flow.api.last_to(chair.id)

    for person in voters[:7]:
        await flow.press(person, attendance, "Присутствую")
        entry = await log.one(
            AuditAction.PRESENCE_MARKED, person.id, AuditObject.MEMBER, (await _member(flow, person.id)).id
        )
    assert entry.actor_name == entry.obj_name  # marked themselves
    await flow.press(voters[1], attendance, "Присутствую")  # again: nothing changes
    await log.nothing()
    absent = await _member(flow, voters[8].id)
    await flow.press(chair, roll, absent.full_name)
    await log.one(AuditAction.PRESENCE_MARKED, chair.id, AuditObject.MEMBER, absent.id)
    await flow.press(chair, roll, absent.full_name)  # a mistake, undone
    await log.one(AuditAction.PRESENCE_UNMARKED, chair.id, AuditObject.MEMBER, absent.id)

    sent = await flow.say(chair, group, "/vote 1 Мектептин методикалык темасын бекитүү")
    open_vote = next(m for m in sent if m.chat_id == group.id)
    entry = await log.one(AuditAction.VOTE_OPENED, chair.id, AuditObject.VOTE, 1)
    assert (entry.obj_name, entry.after) == ("Мектептин методикалык темасын бекитүү", None)
    for person in voters[:7]:
        await flow.press(person, open_vote, "Макул")
    await log.nothing()  # a ballot is not a change to the record by a person in charge
    await flow.press(chair, open_vote, "Добушту жабуу")
    entry = await log.one(AuditAction.VOTE_CLOSED, chair.id, AuditObject.VOTE, 1)
    assert entry.after == "adopted"

    sent = await flow.say(chair, group, "/secretvote 2 Иш пландарын кайра карап чыгуу")
    secret = next(m for m in sent if m.chat_id == group.id)
    entry = await log.one(AuditAction.VOTE_OPENED, chair.id, AuditObject.VOTE, 2)
    assert entry.after == "secret"
    choices = ["Макул", "Каршы", "Калыс", "Макул", "Каршы", "Макул", "Калыс"]
    for person, choice in zip(voters[:7], choices, strict=True):
        await flow.press(person, secret, choice)
        await flow.press(person, secret, "Макул" if choice != "Макул" else "Каршы")  # a change of mind
        await flow.press(person, secret, choice)
    assert len(await flow.rows(SealedBallot, SealedBallot.vote_id == 2)) == 7
    await log.nothing()  # no entry per press: nothing pairs a member with a choice
    await flow.press(chair, secret, "Добушту жабуу")
    entry = await log.one(AuditAction.VOTE_CLOSED, chair.id, AuditObject.VOTE, 2)
    assert entry.after == "not_adopted"  # 3 for of 7: only the outcome, which the group saw

    await flow.say(chair, group, "/vote 1 Кошумча маселе")  # left open: /close closes it
    await log.one(AuditAction.VOTE_OPENED, chair.id, AuditObject.VOTE, 3)
    await flow.say(chair, group, "/close")
    vote_closed, meeting_closed = await log.new()  # the vote closes as any vote does, logged, then the meeting
    assert (vote_closed.action, vote_closed.actor_id, vote_closed.obj_id) == (AuditAction.VOTE_CLOSED, chair.id, 3)
    assert vote_closed.after == "no_votes"
    assert (meeting_closed.action, meeting_closed.actor_id) == (AuditAction.MEETING_CLOSED, chair.id)
    assert (meeting_closed.obj_id, meeting_closed.after) == (record.id, "1")  # the protocol's number

    everything = await flow.rows(AuditEntry)
    voter_ids = {p.id for p in voters[1:]}
    assert {e.action for e in everything if e.actor_id in voter_ids} == {AuditAction.PRESENCE_MARKED}
    for entry in everything:
        values = {entry.before, entry.after, entry.obj_name} - {None}
        assert not values & {"for", "against", "abstain", "За", "Против", "Воздержался", "Макул", "Каршы", "Калыс"}


async def test_material_decisions_each_leave_one_entry(flow):
    council = await seed_council(flow, members=4)
    chair, teacher = council.chair, council.people[2]
    await flow.say(chair, chair, "/start")
    for n in range(4):
        await submit(flow, teacher, b"%PDF-1.4 material " * 40 + bytes([n]), f"m{n}.pdf", f"Материал {n}")
    (preview,) = await flow.say(chair, chair, f"/agenda {day(8)} 15:00\n1. Окуу пландары")
    await flow.press(chair, preview, "Опубликовать")
    log = Log(flow)
    await log.new()
    materials = sorted(await flow.rows(Material), key=lambda m: m.id)
    cards = [m for m in flow.api.sent_to(chair.id) if m.text.startswith("Материал №")]

    await flow.press(chair, cards[0], "Утвердить и включить в банк")
    await log.nothing()  # the comment is asked first
    await flow.press(chair, flow.api.last_to(chair.id), "Без комментария")
    entry = await log.one(AuditAction.MATERIAL_APPROVED, chair.id, AuditObject.MATERIAL, materials[0].id)
    assert entry.obj_name == "Материал 0"
    await flow.press(chair, cards[1], "Вернуть на доработку")
    await flow.say(chair, chair, "Мисалдарды кошуңуз")
    await log.one(AuditAction.MATERIAL_RETURNED, chair.id, AuditObject.MATERIAL, materials[1].id)
    await flow.press(chair, cards[2], "Отклонить")
    await flow.press(chair, flow.api.last_to(chair.id), "Без комментария")
    await log.one(AuditAction.MATERIAL_REJECTED, chair.id, AuditObject.MATERIAL, materials[2].id)
    await flow.press(chair, cards[3], "Поставить в повестку")
    await flow.press(chair, flow.api.last_to(chair.id), "2026")
    await log.one(AuditAction.MATERIAL_ON_AGENDA, chair.id, AuditObject.MATERIAL, materials[3].id)


async def test_settings_each_leave_one_entry_and_the_same_value_none(flow):
    council = await seed_council(flow, members=3)
    chair = council.chair
    log = Log(flow)
    await log.new()
    (menu,) = await flow.say(chair, chair, "/settings")
    await _press_exactly(flow, chair, menu, "Русский")
    entry = await log.one(AuditAction.GROUP_LANGUAGE_SET, chair.id, AuditObject.COUNCIL, council.id)
    assert (entry.before, entry.after) == ("both", "ru")
    await _press_exactly(flow, chair, menu, "Русский")  # pressed again: nothing changed
    await log.nothing()
    await flow.press(chair, menu, "Изменить триместры")
    await flow.say(chair, chair, "01.09-30.11, 01.12-28.02, 01.03-31.05")
    entry = await log.one(AuditAction.TRIMESTERS_SET, chair.id, AuditObject.COUNCIL, council.id)
    assert (entry.before, entry.after) == (None, "09-01..11-30;12-01..02-29;03-01..05-31")
    # The join link replaced, pressed twice: one entry, and the secret code is written nowhere in it.
    (menu,) = await flow.say(chair, chair, "/settings")
    await flow.press(chair, menu, "Заменить ссылку")
    confirm = flow.api.last_to(chair.id)
    data = confirm.button("Да, заменить")["callback_data"]
    await flow.press_data(chair, confirm, data)
    await flow.press_data(chair, confirm, data)
    entry = await log.one(AuditAction.JOIN_LINK_REPLACED, chair.id, AuditObject.COUNCIL, council.id)
    assert (entry.before, entry.after) == (None, None)


async def test_log_is_shown_in_the_readers_language_and_refused_to_a_member(flow):
    council = await seed_council(flow, members=5)
    chair, people = council.chair, council.people
    await flow.say(chair, chair, "/start")
    secretary = await _member(flow, people[1].id)  # a Kyrgyz reader
    card = await _card(flow, chair, secretary.full_name)
    await flow.press(chair, card, "Номер приказа")
    await flow.say(chair, chair, "15")
    card = await _card(flow, chair, secretary.full_name)
    await flow.press(chair, card, "Назначить секретарём")
    (menu,) = await flow.say(chair, chair, "/settings")
    await _press_exactly(flow, chair, menu, "Русский")

    (page,) = await flow.say(chair, chair, "/log")
    text = page.text.replace("\u202f", " ")
    assert text.startswith("Журнал действий совета «Мектеп №5»\nСтраница 1 из 1, сначала новые")
    lines = text.split("\n\n")[1:]
    assert lines == [
        f"25 нояб. 2026 г., 10:00 — {CHAIR_NAME}\nязык сообщений совета в группе · Кыргызча + Русский → Русский",
        f"25 нояб. 2026 г., 10:00 — {CHAIR_NAME}\nназначение секретаря · {secretary.full_name}",
        f"25 нояб. 2026 г., 10:00 — {CHAIR_NAME}\nномер приказа директора · {secretary.full_name} · — → 15",
    ]
    assert page.buttons == []  # one page

    (page,) = await flow.say(people[1], people[1], "/log")  # the secretary reads it in Kyrgyz
    text = page.text.replace("\u202f", " ")
    assert text.startswith("«Мектеп №5» кеңешинин аракеттер журналы\n1 барактын 1-барагы, акыркылары башында")
    assert f"{CHAIR_NAME}\nкатчыны дайындоо · {secretary.full_name}" in text
    assert f"директордун буйругунун номери · {secretary.full_name} · — → 15" in text
    assert f"2026-ж., 25-ноя., 10:00 — {CHAIR_NAME}" in text  # the council's time, in Babel's Kyrgyz

    member = people[2]  # an ordinary member, a Russian reader
    (refused,) = await flow.say(member, member, "/log")
    assert refused.text == NOT_RUNNER_RU
    forged = flow.api.callback_update(member, page, "au:0")
    await flow.feed(forged)
    answer = flow.api.answers[forged["callback_query"]["id"]]
    assert answer["text"] == NOT_RUNNER_RU and answer["show_alert"] == "true"


async def test_log_pages_ten_at_a_time_older_and_newer(flow):
    council = await seed_council(flow, members=3)
    chair = council.chair
    (menu,) = await flow.say(chair, chair, "/settings")
    for n in range(23):  # 23 real changes, alternating the group language
        flow.clock.advance(timedelta(minutes=1))
        await _press_exactly(flow, chair, menu, ("Русский", "Кыргызча")[n % 2])
    assert len(await flow.rows(AuditEntry)) == 23

    def minutes(page) -> list[str]:
        return [line.split(" — ")[0][-5:] for line in page.text.split("\n\n")[1:]]

    (page,) = await flow.say(chair, chair, "/log")
    assert "Страница 1 из 3" in page.text
    assert minutes(page) == [f"10:{m:02d}" for m in range(23, 13, -1)]  # the newest first
    assert [b["text"] for b in page.buttons] == ["‹ Ранее"]
    await flow.press(chair, page, "Ранее")
    assert "Страница 2 из 3" in page.text and minutes(page) == [f"10:{m:02d}" for m in range(13, 3, -1)]
    assert [b["text"] for b in page.buttons] == ["‹ Ранее", "Новее ›"]
    await flow.press(chair, page, "Ранее")
    assert "Страница 3 из 3" in page.text and minutes(page) == ["10:03", "10:02", "10:01"]
    assert [b["text"] for b in page.buttons] == ["Новее ›"]
    await flow.press(chair, page, "Новее")
    assert "Страница 2 из 3" in page.text
    assert all(len(p.text) <= 4096 for p in flow.api.sent_to(chair.id))


async def test_log_in_the_group_shows_nothing_of_the_log(flow):
    council = await seed_council(flow, members=3)
    before = len(flow.api.outbox)
    await flow.say(council.chair, council.group, "/log")
    # The log is private: never posted to the group, which hears only where to ask.
    assert [m.text for m in flow.api.outbox[before:]] == ["Эта команда работает в личном чате со мной."]
