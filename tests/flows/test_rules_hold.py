"""The rules the reviewers could break without a test noticing (issue 18 §6): each test here fails when its rule
is broken in the code (the mutation each one was checked against is named in its docstring)."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.ui import regulation
from db.models import (
    Attendance,
    Ballot,
    Council,
    FollowUp,
    JobRun,
    Material,
    MaterialState,
    Meeting,
    MeetingStatus,
    Member,
    MemberStatus,
    Plan,
    PlanState,
    Role,
    RosterEntry,
    User,
    Vote,
)
from tests.conftest import BISHKEK, NOW, seed_council

NOT_A_MEMBER = {"Вы не член этого совета.", "Сиз бул кеңештин мүчөсү эмессиз."}
NOT_RUNNER = {
    "Это может сделать только председатель или секретарь совета.",
    "Муну кеңештин төрагасы же катчысы гана жасай алат.",
}
REGULATION_FIRST = "Прежде чем вести заседание, подтвердите ознакомление с действующей редакцией положения"
PDF = b"%PDF-1.4 a methodical development " * 80


def move_to(flow, when: datetime) -> None:
    flow.clock.advance(when - flow.clock.now())


@pytest.fixture
async def council(flow):
    """The chair (ru), five teachers and a participant, approved; and three who are not members: one waiting
    for the chair's decision, one removed, one rejected (all with a voting role)."""
    council = await seed_council(flow, members=6, participants=1)
    await flow.say(council.chair, council.chair, "/start")
    council.outsiders = {}
    async with flow.sessionmaker() as session:
        for n, status in enumerate((MemberStatus.PENDING, MemberStatus.REMOVED, MemberStatus.REJECTED), 1):
            person = flow.api.person(300 + n, f"Бөтөн{n}", "Адам", "ru")
            flow.api.started.add(person.id)
            session.add(User(id=person.id, language="ru", created_at=flow.clock.now()))
            await session.flush()
            session.add(
                Member(
                    council_id=council.id,
                    user_id=person.id,
                    full_name=f"Адам Бөтөн{n}",
                    role=Role.TEACHER,
                    status=status,
                    regulation_confirmed_at=flow.clock.now(),
                    regulation_version=regulation.regulation_version(),
                    applied_at=flow.clock.now(),
                )
            )
            council.outsiders[status] = person
        await session.commit()
    return council


async def announce(flow, council, day: date, agenda: str = "\n1. Маселе\n2. Башка маселе") -> Meeting:
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day:%d.%m.%Y} 15:00{agenda}")
    await flow.press(council.chair, preview, "Опубликовать")
    return max(await flow.rows(Meeting), key=lambda m: m.id)


def attendance_of(flow, council):
    return next(m for m in reversed(flow.api.sent_to(council.group.id)) if "Присутствую" in str(m.reply_markup))


async def hold(flow, council, day: date, votes: list[str] = (), present: int = 6) -> Meeting:
    """Announce a meeting 8 days before `day`, open it on the day, mark `present`, adopt each vote, close."""
    move_to(flow, datetime.combine(day - timedelta(days=8), datetime.min.time(), BISHKEK).replace(hour=10))
    meeting = await announce(flow, council, day)
    move_to(flow, meeting.starts_at)
    await flow.say(council.chair, council.group, "/open")
    attendance = attendance_of(flow, council)
    for person in council.people[:present]:
        await flow.press(person, attendance, "Присутствую")
    for text in votes:
        (post,) = [m for m in await flow.say(council.chair, council.group, text) if m.chat_id == council.group.id]
        for person in council.people[:present]:
            await flow.press(person, post, "Макул")
        await flow.press(council.chair, post, "Добушту жабуу")
    await flow.say(council.chair, council.group, "/close")
    (closed,) = await flow.rows(Meeting, Meeting.id == meeting.id)
    return closed


# --- /open ---------------------------------------------------------------------------------------------------


async def test_open_opens_only_todays_meeting(flow, council):
    """Mutation: `todays_meeting` takes the first upcoming meeting whatever its date."""
    meeting = await announce(flow, council, (NOW + timedelta(days=8)).date())
    for when in (meeting.starts_at - timedelta(days=1), meeting.starts_at - timedelta(days=7)):
        move_to(flow, when)
        (refused,) = await flow.say(council.chair, council.group, "/open")
        assert refused.text == "На сегодня заседание не объявлено."
        (row,) = await flow.rows(Meeting)
        assert row.status is MeetingStatus.ANNOUNCED and row.opened_at is None
        assert await flow.rows(RosterEntry) == []
    move_to(flow, meeting.starts_at.replace(hour=9))  # the day itself, before the hour: it opens
    await flow.say(council.chair, council.group, "/open")
    (row,) = await flow.rows(Meeting)
    assert row.status is MeetingStatus.OPEN


async def test_the_roster_at_open_holds_approved_members_only(flow, council):
    """Mutation: the roster taken from every member row of the council, whatever its status."""
    meeting = await announce(flow, council, (NOW + timedelta(days=8)).date())
    move_to(flow, meeting.starts_at)
    await flow.say(council.chair, council.group, "/open")
    approved = {m.id for m in await flow.members(council.id) if m.status is MemberStatus.APPROVED and m.role.votes}
    assert len(approved) == 6
    assert {entry.member_id for entry in await flow.rows(RosterEntry)} == approved
    assert "Присутствуют члены совета: 0 из 6" in attendance_of(flow, council).text


async def test_only_approved_members_press_present(flow, council):
    """Mutation: Present accepted from anyone with a member row."""
    meeting = await announce(flow, council, (NOW + timedelta(days=8)).date())
    move_to(flow, meeting.starts_at)
    await flow.say(council.chair, council.group, "/open")
    attendance = attendance_of(flow, council)
    for person in council.outsiders.values():
        answer = await flow.press(person, attendance, "Присутствую")
        assert answer["text"] in NOT_A_MEMBER
    stranger = flow.api.person(999, "Чужой", None, "ru")
    assert (await flow.press(stranger, attendance, "Присутствую"))["text"] in NOT_A_MEMBER
    assert await flow.rows(Attendance) == []
    answer = await flow.press(council.people[2], attendance, "Присутствую")
    assert answer["text"] == "Ваше присутствие отмечено."
    assert len(await flow.rows(Attendance)) == 1


async def test_only_the_chair_or_the_secretary_uses_the_roll_call(flow, council):
    """Mutation: the roll-call buttons do not ask who pressed them."""
    async with flow.sessionmaker() as session:
        row = await session.get(Council, council.id)
        row.secretary_id = council.people[1].id
        await session.commit()
    meeting = await announce(flow, council, (NOW + timedelta(days=8)).date())
    move_to(flow, meeting.starts_at)
    await flow.say(council.chair, council.group, "/open")
    roll = next(m for m in flow.api.sent_to(council.chair.id) if "rc:" in str(m.reply_markup))
    target = next(b for b in roll.buttons if "Фамилия03" in b["text"])["callback_data"]
    for person in (council.people[2], council.people[-1], council.outsiders[MemberStatus.PENDING]):
        answer = await flow.press_data(person, roll, target)
        assert answer["text"] in NOT_RUNNER
        page = await flow.press_data(person, roll, f"rq:{meeting.id}:0")
        assert page["text"] in NOT_RUNNER
    assert await flow.rows(Attendance) == []
    await flow.press_data(council.people[1], roll, target)  # the secretary
    (marked,) = await flow.rows(Attendance)
    assert marked.marked_by == council.people[1].id
    await flow.press_data(council.chair, roll, target)  # the chair unmarks a mistake
    assert await flow.rows(Attendance) == []


# --- protocols -----------------------------------------------------------------------------------------------


async def test_protocol_numbers_restart_each_school_year(flow, council):
    """Mutation: the next number counted over every school year of the council."""
    first = await hold(flow, council, date(2026, 12, 10))
    second = await hold(flow, council, date(2027, 5, 20))
    third = await hold(flow, council, date(2027, 9, 16))  # a new school year from 1 September
    assert [(m.school_year, m.protocol_number) for m in (first, second, third)] == [(2026, 1), (2026, 2), (2027, 1)]
    texts = [m.text for m in flow.api.sent_to(council.group.id) if "ПРОТОКОЛ №" in m.text]
    assert ["ПРОТОКОЛ №1" in texts[0], "ПРОТОКОЛ №2" in texts[1], "ПРОТОКОЛ №1" in texts[2]] == [True] * 3
    documents = [m.document["file_name"] for m in flow.api.sent_to(council.group.id) if m.method == "sendDocument"]
    assert documents == ["protocol_2026-2027_01.docx", "protocol_2026-2027_02.docx", "protocol_2027-2028_01.docx"]


# --- materials -----------------------------------------------------------------------------------------------


async def submit(flow, person, name: str) -> Material:
    await flow.feed(flow.api.document_update(person, PDF + name.encode(), name))
    await flow.say(person, person, name.removesuffix(".pdf"))
    await flow.press(person, flow.api.last_to(person.id), "План урока")
    await flow.say(person, person, "Математика")
    await flow.press(person, flow.api.last_to(person.id), "Пропустить")
    return max(await flow.rows(Material), key=lambda m: m.id)


async def test_a_member_cannot_download_a_material_that_is_not_approved(flow, council):
    """Mutation: `for_download` sends any material of the council."""
    author, reader = council.people[2], council.people[4]
    material = await submit(flow, author, "Бөлчөктөр.pdf")
    (menu,) = await flow.say(reader, reader, "/bank")
    for person in (reader, author, council.people[-1]):  # a member, the author themself, a participant
        before = len(flow.api.sent_to(person.id))
        answer = await flow.press_data(person, menu, f"ml:f:{material.id}")
        assert answer["text"] == "Этого материала нет в банке."
        assert [m for m in flow.api.sent_to(person.id)[before:] if m.method == "sendDocument"] == []
    # Returned, then rejected: still not for members.
    card = next(m for m in flow.api.sent_to(council.chair.id) if m.text.startswith("Материал №1"))
    await flow.press(council.chair, card, "Отклонить")
    await flow.say(council.chair, council.chair, "Тема ачылган эмес")  # the reason, told to the author
    (row,) = await flow.rows(Material)
    assert row.state is MaterialState.REJECTED
    assert (await flow.press_data(reader, menu, f"ml:f:{material.id}"))["text"] == "Этого материала нет в банке."
    # Approved, it is in the bank for every member.
    other = await submit(flow, author, "Геометрия.pdf")
    card = next(m for m in flow.api.sent_to(council.chair.id) if m.text.startswith("Материал №2"))
    await flow.press(council.chair, card, "Утвердить")
    await flow.press(council.chair, flow.api.last_to(council.chair.id), "Без комментария")
    before = len(flow.api.sent_to(reader.id))
    await flow.press_data(reader, menu, f"ml:f:{other.id}")
    assert [m.method for m in flow.api.sent_to(reader.id)[before:]] == ["sendDocument"]


# --- the annual plan -----------------------------------------------------------------------------------------


async def save_plan(flow, council, text: str) -> None:
    sent = await flow.say(council.chair, council.chair, f"/plan {text}")
    await flow.press(council.chair, sent[-1], "Сохранить")


async def test_the_plans_reminder_goes_once(flow, council):
    """Mutation: the daily check does not look for the record that the reminder went."""
    await save_plan(flow, council, "10.12.2026 Окуу пландары — Осмонова Г.")
    reminders = []
    for day in range(28, 28 + 8):  # 28 November to 5 December: the window is 30 November to 3 December
        for hour in (9, 15):  # the daily job, and the same job again after a restart
            move_to(flow, datetime(2026, 11, 1, hour, tzinfo=BISHKEK) + timedelta(days=day - 1))
            before = len(flow.api.outbox)
            await flow.scheduler.year_check()
            await flow.delivery.drain()
            reminders += [m for m in flow.api.outbox[before:] if "10 декабря 2026" in m.text]
    (reminder,) = reminders
    assert reminder.chat_id == council.chair.id and "/agenda" in reminder.text
    assert [r.getMessage() for r in flow.errors.records] == []  # each daily check ran to its end
    assert [r.name for r in await flow.rows(JobRun) if r.name.startswith("plan:")] == [f"plan:{council.id}:2026-12-10"]


async def test_an_adopted_plan_cannot_be_adopted_again(flow, council):
    """Mutation: the plan's item vote finds the plan whatever its state (adopted again, its date rewritten)."""
    await save_plan(flow, council, "15.10.2026 Окуу жылынын башталышы\n10.03.2027 Экинчи жарым")
    meeting = await announce(flow, council, (NOW + timedelta(days=8)).date())
    (shown,) = await flow.say(council.chair, council.chair, "/plan")
    await flow.press(council.chair, shown, "повестку")
    await flow.press(council.chair, flow.api.last_to(council.chair.id), "3 декабря")
    move_to(flow, meeting.starts_at)
    await flow.say(council.chair, council.group, "/open")
    attendance = attendance_of(flow, council)
    for person in council.people[:6]:
        await flow.press(person, attendance, "Присутствую")
    for round_ in range(2):  # the plan's item voted on twice, adopted both times
        sent = await flow.say(council.chair, council.group, f"/vote 3 Жылдык план кабыл алынсын {round_}")
        (post,) = [m for m in sent if m.chat_id == council.group.id]
        for person in council.people[:6]:
            await flow.press(person, post, "Макул")
        await flow.press(council.chair, post, "Добушту жабуу")
        (plan,) = await flow.rows(Plan)
        assert plan.state is PlanState.DISCUSSED
        if round_ == 0:
            adopted_at = plan.discussed_at
            flow.clock.advance(timedelta(minutes=10))
        assert plan.discussed_at == adopted_at  # adopted once: the second vote changed nothing
    await flow.say(council.chair, council.group, "/close")
    await flow.say(council.chair, council.chair, "/plan order 15 04.12.2026")
    (plan,) = await flow.rows(Plan)
    assert plan.state is PlanState.APPROVED

    # Neither an adopted nor an approved plan goes on an agenda again (a forged or an old button).
    later = await announce(flow, council, (flow.clock.now() + timedelta(days=10)).date())
    (shown,) = await flow.say(council.chair, council.chair, "/plan")
    assert "повестку" not in str(shown.reply_markup)
    for data in (f"pl:g:{plan.id}", f"pg:{plan.id}:{later.id}"):
        answer = await flow.press_data(council.chair, shown, data)
        assert answer["text"] == "В повестку ставится только черновик плана; этот план уже принят."
    (plan,) = await flow.rows(Plan)
    assert (plan.state, plan.meeting_id) == (PlanState.APPROVED, meeting.id)
    assert len([i for i in await flow.rows(Meeting) if i.id == later.id]) == 1


# --- decisions followed up -----------------------------------------------------------------------------------


async def test_the_responsible_for_a_decision_is_an_approved_member(flow, council):
    """Mutation: the chair's pick is not checked to be an approved member of this council."""
    async with flow.sessionmaker() as session:  # another school's council: its member is not ours
        session.add_all([User(id=400, language="ru", created_at=NOW), User(id=401, language="ru", created_at=NOW)])
        await session.flush()
        other = Council(chat_id=-200, title="Мектеп №9", join_code="other", chair_id=400, created_at=NOW)
        session.add(other)
        await session.flush()
        foreign = Member(
            council_id=other.id,
            user_id=401,
            full_name="Башка Мугалим",
            role=Role.TEACHER,
            status=MemberStatus.APPROVED,
            applied_at=NOW,
        )
        session.add(foreign)
        await session.commit()
    await hold(flow, council, date(2026, 12, 10), ["/vote 1 Ачык сабактар"])
    (vote,) = await flow.rows(Vote)
    prompt = next(m for m in flow.api.sent_to(council.chair.id) if "fu:" in str(m.reply_markup))
    members = {m.user_id: m for m in await flow.members(council.id)}
    for member_id in [members[p.id].id for p in council.outsiders.values()] + [foreign.id]:
        answer = await flow.press_data(council.chair, prompt, f"fu:{vote.id}:{member_id}")
        assert answer["text"] == "Этот человек не член совета."
        assert await flow.rows(FollowUp) == []

    # Approved when picked, removed before the due date is given: still refused.
    chosen = members[council.people[3].id]
    await flow.press_data(council.chair, prompt, f"fu:{vote.id}:{chosen.id}")
    async with flow.sessionmaker() as session:
        row = await session.get(Member, chosen.id)
        row.status = MemberStatus.REMOVED
        await session.commit()
    (refused,) = await flow.say(council.chair, council.chair, "20.12.2026")
    assert refused.text == "Этот человек не член совета."
    assert await flow.rows(FollowUp) == []

    approved = members[council.people[2].id]
    await flow.press_data(council.chair, prompt, f"fu:{vote.id}:{approved.id}")
    await flow.say(council.chair, council.chair, "20.12.2026")
    (follow_up,) = await flow.rows(FollowUp)
    assert follow_up.member_id == approved.id


# --- the regulation's edition, confirmed before running a meeting -----------------------------------------


@pytest.fixture
def regulation_texts(tmp_path: Path, monkeypatch):
    """The regulation's texts in a folder of the test's own, to change them as the school would."""
    folder = tmp_path / "regulation"
    shutil.copytree(regulation.TEXTS, folder)
    monkeypatch.setattr(regulation, "TEXTS", folder)
    caches = (regulation.regulation_text, regulation.regulation_version, regulation.regulation_messages)

    def changed() -> None:
        for cache in caches:
            cache.cache_clear()

    changed()
    yield folder, changed
    changed()  # the shipped texts again for the next test


async def confirm_under_regulation(flow, person) -> dict:
    sent = await flow.say(person, person, "/regulation")
    return await flow.press(person, sent[-1], "ознакомлен" if person.language_code != "ky" else "тааныштым")


async def test_a_chair_who_has_not_confirmed_the_regulation_cannot_open_or_vote(flow, council):
    """Mutations: /open and /vote do not ask whether the chair confirmed the edition in force."""
    meeting = await announce(flow, council, (NOW + timedelta(days=8)).date())
    (chair,) = await flow.rows(Member, Member.user_id == council.chair.id)
    async with flow.sessionmaker() as session:  # a chair who never opened their join link
        row = await session.get(Member, chair.id)
        row.regulation_confirmed_at = row.regulation_version = None
        await session.commit()
    move_to(flow, meeting.starts_at)
    for chat in (council.group, council.chair):
        (refused,) = await flow.say(council.chair, chat, "/open")
        assert refused.text.startswith(REGULATION_FIRST)
    (row,) = await flow.rows(Meeting)
    assert row.status is MeetingStatus.ANNOUNCED and await flow.rows(RosterEntry) == []

    answer = await confirm_under_regulation(flow, council.chair)
    assert answer["text"] == "Сохранено"
    (chair,) = await flow.rows(Member, Member.user_id == council.chair.id)
    assert chair.regulation_version == regulation.regulation_version()
    assert chair.regulation_confirmed_at == flow.clock.now()
    await flow.say(council.chair, council.group, "/open")
    (row,) = await flow.rows(Meeting)
    assert row.status is MeetingStatus.OPEN


async def test_a_new_edition_of_the_kyrgyz_original_is_asked_again_and_members_keep_their_rights(
    flow, council, regulation_texts
):
    """Mutations: the edition kept is not compared with the text in force; members lose a right without it."""
    folder, changed = regulation_texts
    meeting = await announce(flow, council, (NOW + timedelta(days=8)).date())
    move_to(flow, meeting.starts_at)
    shipped = regulation.regulation_version()

    # The school changes a word of its Kyrgyz original: the edition in force is a new one.
    ky = folder / "ky.txt"
    ky.write_text(ky.read_text(encoding="utf-8").replace("методикалык", "усулдук", 1), encoding="utf-8")
    changed()
    assert regulation.regulation_version() != shipped
    (refused,) = await flow.say(council.chair, council.group, "/open")
    assert refused.text.startswith(REGULATION_FIRST)

    member = council.people[1]  # a Kyrgyz reader
    (before_confirming,) = [m for m in await flow.say(member, member, "/regulation") if m.reply_markup]
    await confirm_under_regulation(flow, council.chair)
    told = len(flow.api.outbox)
    await flow.say(council.chair, council.group, "/open")
    reminded = {m.chat_id for m in flow.api.outbox[told:] if "/regulation" in m.text}
    assert reminded == {p.id for p in council.people[1:]}  # every member but the chair, in their language
    (reminder,) = [m for m in flow.api.outbox[told:] if m.chat_id == member.id and "/regulation" in m.text]
    assert reminder.text.startswith("Методикалык кеңештин жобосунун жаңы редакциясы бар")  # in Kyrgyz

    # Members keep their rights: present, and vote.
    attendance = attendance_of(flow, council)
    for person in council.people[:6]:
        await flow.press(person, attendance, "Присутствую")
    (post,) = [m for m in await flow.say(council.chair, council.group, "/vote 1 Бекитүү") if m.chat_id < 0]
    for person in council.people[1:6]:
        answer = await flow.press(person, post, "Макул")
        assert answer["text"].startswith(("Добушуңуз кабыл алынды", "Голос учтён"))
    assert len(await flow.rows(Ballot)) == 5

    # A member confirms; an old button (made for another edition) confirms nothing.
    old_edition = before_confirming.button("тааныштым")["callback_data"]
    (member_row,) = await flow.rows(Member, Member.user_id == member.id)
    assert member_row.regulation_version == shipped
    answer = await confirm_under_regulation(flow, member)
    (member_row,) = await flow.rows(Member, Member.user_id == member.id)
    assert member_row.regulation_version == regulation.regulation_version()
    ky.write_text(ky.read_text(encoding="utf-8") + "\nЖаңы пункт.", encoding="utf-8")
    changed()
    stale = await flow.press_data(member, before_confirming, old_edition)
    assert "жобо өзгөрдү" in stale["text"] or "положение изменилось" in stale["text"]
    (member_row,) = await flow.rows(Member, Member.user_id == member.id)
    assert member_row.regulation_version != regulation.regulation_version()

    # The chair's /vote is refused until the chair confirms this edition too.
    (refused,) = await flow.say(council.chair, council.group, "/vote 2 Башка")
    assert refused.text.startswith(REGULATION_FIRST)
    assert len(await flow.rows(Vote)) == 1


async def test_fixing_the_russian_translation_asks_no_one_again(flow, council, regulation_texts):
    """Mutation: the edition is a digest of both texts, or of the Russian one."""
    folder, changed = regulation_texts
    shipped = regulation.regulation_version()
    ru = folder / "ru.txt"
    ru.write_text(ru.read_text(encoding="utf-8").replace("совет", "Совет", 1) + "\nИсправлена опечатка.", "utf-8")
    ky = folder / "ky.txt"
    ky.write_text("\n\n".join(ky.read_text(encoding="utf-8").split("\n")) + "   \n", encoding="utf-8")  # re-wrapped
    changed()
    assert regulation.regulation_version() == shipped
    sent = await flow.say(council.chair, council.chair, "/regulation")
    assert "Исправлена опечатка." in sent[-1].text
    assert all(m.reply_markup is None for m in sent)  # nothing to confirm again
    meeting = await announce(flow, council, (NOW + timedelta(days=8)).date())
    move_to(flow, meeting.starts_at)
    told = len(flow.api.outbox)
    await flow.say(council.chair, council.group, "/open")
    assert not [m for m in flow.api.outbox[told:] if "/regulation" in m.text]  # nobody is reminded
    (row,) = await flow.rows(Meeting)
    assert row.status is MeetingStatus.OPEN
