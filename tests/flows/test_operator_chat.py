"""The operator's commands in the private chat (issue 19 §3, SETTLED "A paused council"): /councils, /council N
with Pause / Resume / Hand the chair over, /notify_chairs; refused to anyone not in ADMIN_IDS. A paused council's
group hears only that it is paused; its posts, reminders, vote timers and trimester warnings are held and go on
resume, and what passed meanwhile is listed to the chair. Each action once, in that council's /log."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import set_commands
from bot.ui.callbacks import NoticeAction, NoticeCb, OperatorAction, OperatorCb, PresentCb
from db.models import (
    AuditAction,
    AuditEntry,
    AuditObject,
    Council,
    JobRun,
    Meeting,
    Member,
    MemberStatus,
    OperatorNotice,
    OutboxMessage,
    OutboxStatus,
    Role,
    User,
    Vote,
    WatchdogWarning,
)
from tests.conftest import BISHKEK, seed_council
from tests.flows import test_vote_timer
from tests.flows.test_operator_view import settings_with, web

vote = test_vote_timer.vote  # the fixture: a 10-member council voting at its open meeting, 8 present

OPERATOR_ID = 999  # the flow's ADMIN_IDS
UNKNOWN = {
    "ru": "Такой команды я не знаю. Список команд — /help.",
    "ky": "Мындай команданы билбейм. Командалардын тизмеси — /help.",
}
OUT_OF_DATE_RU = "Эта кнопка устарела."
PAUSED_RU = (
    "Работа методического совета приостановлена оператором бота: до её возобновления в совете ничего не делается."
)
PAUSED_KY = (
    "Методикалык кеңештин ишин боттун оператору убактылуу токтотту: иш кайра улантылганга чейин анда эч нерсе "
    "жасалбайт."
)


@pytest.fixture
def operator(flow):
    return flow.api.person(OPERATOR_ID, "Айбек", "Операторов", "ru")


@pytest.fixture
async def council(flow):
    council = await seed_council(flow, members=4)
    await flow.say(council.chair, council.chair, "/start")  # the chair can be written to privately
    return council


def plain(text: str) -> str:
    """Babel puts a narrow no-break space in Russian dates ("2026\u202fг.")."""
    return text.replace("\u202f", " ")


def move_to(flow, when: datetime) -> None:
    flow.clock.advance(when - flow.clock.now())


async def more_councils(flow, count: int, *, first: int, chair_locale: str = "ru", school: str | None = None):
    """Councils stored directly (/setup is tested elsewhere), each with its own chair who opened the bot."""
    made = []
    async with flow.sessionmaker() as session:
        for n in range(first, first + count):
            chair_id = 5000 + n
            flow.api.person(chair_id, f"Төрага{n}", "Мектептин", chair_locale)
            flow.api.started.add(chair_id)
            session.add(User(id=chair_id, language=chair_locale, created_at=flow.clock.now()))
            await session.flush()
            council = Council(
                chat_id=-2000 - n,
                title=f"Мектеп №{n}",
                join_code=f"join{n:04d}",
                chair_id=chair_id,
                created_at=flow.clock.now(),
                school_name=school,
            )
            session.add(council)
            await session.flush()
            session.add(
                Member(
                    council_id=council.id,
                    user_id=chair_id,
                    full_name=f"Төрага{n} Мектептин",
                    role=Role.CHAIR,
                    status=MemberStatus.APPROVED,
                    applied_at=flow.clock.now(),
                )
            )
            made.append(council)
        await session.commit()
    return made


async def the_council(flow, council_id: int) -> Council:
    (row,) = await flow.rows(Council, Council.id == council_id)
    return row


async def entries(flow, action: AuditAction) -> list[AuditEntry]:
    return await flow.rows(AuditEntry, AuditEntry.action == action)


async def card_of(flow, operator, council_id: int):
    (card,) = await flow.say(operator, operator, f"/council {council_id}")
    return card


async def publish(flow, council, when: datetime, item: str = "Маселе") -> Meeting:
    (preview,) = await flow.say(
        council.chair, council.chair, f"/agenda {when:%d.%m.%Y} {when:%H:%M} Кабинет 12\n1. {item}"
    )
    await flow.press(council.chair, preview, "Опубликовать")
    (meeting,) = await flow.rows(Meeting, Meeting.starts_at == when)
    return meeting


async def pause(flow, operator, council) -> object:
    card = await card_of(flow, operator, council.id)
    await flow.press(operator, card, "Приостановить")
    assert "Приостановить работу совета?" in card.text
    answer = await flow.press(operator, card, "Да, приостановить")
    assert answer["text"] == "Работа приостановлена"
    return card


# --- who may ------------------------------------------------------------------------------------------------


async def test_each_command_is_an_unknown_command_to_anyone_else_and_changes_nothing(flow, council, operator):
    member = council.people[1]
    for person in (council.chair, member):
        for command in ("/councils", f"/council {council.id}", "/notify_chairs Эртең бот иштебейт"):
            (reply,) = await flow.say(person, person, command)
            assert reply.text == UNKNOWN[person.language_code], command
    # Buttons made for the operator, pressed (forged) by someone else: out of date, nothing done.
    (home,) = await flow.say(council.chair, council.chair, "/help")
    for data in (
        OperatorCb(action=OperatorAction.PAUSE_CONFIRM, council_id=council.id).pack(),
        OperatorCb(action=OperatorAction.CHAIR_CONFIRM, council_id=council.id, member_id=2).pack(),
    ):
        answer = await flow.press_data(council.chair, home, data)
        assert answer["text"] == OUT_OF_DATE_RU
    (card,) = await flow.say(operator, operator, f"/council {council.id}")  # the operator's own works
    (preview,) = await flow.say(operator, operator, "/notify_chairs Салам")
    send = NoticeCb(action=NoticeAction.SEND, notice_id=1).pack()
    assert (await flow.press_data(member, preview, send))["text"] == "Бул баскыч эскирип калган."  # a Kyrgyz member
    assert (await the_council(flow, council.id)).paused_at is None
    assert [n.sent_at for n in await flow.rows(OperatorNotice)] == [None]
    assert await flow.rows(AuditEntry, AuditEntry.actor_id != council.chair.id) == []
    assert "Председатель: Гүлнара Осмонова" in card.text


async def test_the_operators_menu_has_their_commands_in_both_languages(flow, operator):
    await set_commands(flow.bot, flow.runtime.i18n, flow.settings.admin_ids)
    for language, description in (("ru", "сообщение всем председателям (оператор)"), ("ky", "бардык төрагаларга")):
        menu = {c["command"]: c["description"] for c in flow.api.commands[(f"chat:{OPERATOR_ID}", language)]}
        assert {"councils", "council", "notify_chairs", "members", "help"} <= set(menu)
        assert menu["notify_chairs"].startswith(description)
    everyone = {c["command"] for c in flow.api.commands[("all_private_chats", "ru")]}
    assert not everyone & {"councils", "council", "notify_chairs"}


async def test_the_operators_help_lists_their_commands_in_both_languages_and_a_chairs_does_not(flow, council, operator):
    (help_ru,) = await flow.say(operator, operator, "/help")
    assert "<b>Для оператора</b>" in help_ru.html
    for line in (
        "/councils — все советы, которые обслуживает бот",
        "/council 1 — совет №1: приостановить, возобновить, передать полномочия председателя",
        "/notify_chairs текст — сообщение всем председателям, после предпросмотра",
    ):
        assert line in help_ru.text
    (choice,) = await flow.say(operator, operator, "/lang")
    await flow.press(operator, choice, "Кыргызча")
    (help_ky,) = await flow.say(operator, operator, "/help")
    assert "<b>Оператор үчүн</b>" in help_ky.html and "/councils — бот тейлеген бардык кеңештер" in help_ky.text
    assert "/notify_chairs текст — бардык төрагаларга" in help_ky.text and "/council 1 — №1 кеңеш" in help_ky.text
    (chairs,) = await flow.say(council.chair, council.chair, "/help")
    assert "/councils" not in chairs.text and "оператор" not in chairs.text


async def test_the_councils_footer_names_a_council_on_the_page(flow, council, operator):
    (listing,) = await flow.say(operator, operator, "/councils")
    assert listing.text.endswith("нажмите его номер или отправьте /council 1.")  # the only council is №1
    await more_councils(flow, 9, first=2)
    (listing,) = await flow.say(operator, operator, "/councils")
    await flow.press(operator, listing, "Далее ›")
    assert listing.text.endswith("отправьте /council 9.")  # the second page: №9 and №10


# --- /councils and /council N ---------------------------------------------------------------------------------


async def test_councils_are_listed_a_page_at_a_time_with_what_the_operator_needs(flow, council, operator):
    await publish(flow, council, datetime(2026, 12, 3, 15, 0, tzinfo=BISHKEK))
    long_name = "Ысык-Көл облусунун Түп районундагы " + "Ы" * 220
    await more_councils(flow, 9, first=2, school=long_name)
    (listing,) = await flow.say(operator, operator, "/councils")
    assert listing.text.startswith("Советы (10)\nСтраница 1 из 2")
    first = plain(listing.text.split("\n\n")[1])
    assert first.startswith("№1 · «Мектеп №5»")
    assert "Председатель: Гүлнара Осмонова; 4 члена совета" in first
    assert "Последнее заседание: —; следующее: 3 декабря 2026 г., 15:00" in first
    # 25.11: the first trimester (to 30.11) has had no meeting and its last day to announce one has passed.
    assert "⚠️ В этом триместре заседаний не было, а последний день для объявления (23 ноября 2026 г.) прошёл" in first
    assert "№2 · «Ысык-Көл облусунун Түп районундагы ЫЫ" in listing.text and "…»" in listing.text
    assert len(listing.text) < 3000  # eight councils with the longest names: well under Telegram's 4096
    assert [b["text"] for b in listing.buttons] == [f"№{n}" for n in range(1, 9)] + ["Далее ›"]
    await flow.press(operator, listing, "Далее ›")
    assert listing.text.startswith("Советы (10)\nСтраница 2 из 2")
    assert [b["text"] for b in listing.buttons] == ["№9", "№10", "‹ Назад"]
    await flow.press(operator, listing, "№10")  # a council's card
    assert listing.text.startswith("№10 · «Ысык-Көл")
    assert "Председатель: Төрага10 Мектептин; 1 член совета" in listing.text
    assert [b["text"] for b in listing.buttons] == ["⏸ Приостановить", "« Все советы"]


async def test_a_council_number_that_is_no_council_is_answered_and_nothing_else(flow, council, operator):
    for text, answer in (
        ("/council", "Напишите номер совета после команды: /council 3 (список советов — /councils)."),
        ("/council три", "Напишите номер совета после команды: /council 3 (список советов — /councils)."),
        ("/council 77", "Такого совета нет. Отправьте /councils, чтобы увидеть советы такими, какие они сейчас."),
        ("/council 99999999999999999999999", "Такого совета нет."),
    ):
        (reply,) = await flow.say(operator, operator, text)
        assert reply.text.startswith(answer), text
    (home,) = await flow.say(operator, operator, "/help")
    forged = OperatorCb(action=OperatorAction.PAUSE_CONFIRM, council_id=77).pack()
    assert (await flow.press_data(operator, home, forged))["text"].startswith("Такого совета нет.")
    too_big = "oc:P:9223372036854775808:0:0"  # past BIGINT: does not unpack, answered out of date
    assert (await flow.press_data(operator, home, too_big))["text"] == OUT_OF_DATE_RU


# --- pause and resume -------------------------------------------------------------------------------------------


async def test_a_paused_council_holds_everything_and_resuming_sends_what_is_still_due(flow, council, operator):
    missed = await publish(flow, council, datetime(2026, 12, 3, 15, 0, tzinfo=BISHKEK), "Биринчи")
    ahead = await publish(flow, council, datetime(2026, 12, 5, 9, 0, tzinfo=BISHKEK), "Экинчи")
    group = council.group.id
    card = await pause(flow, operator, council)
    assert "Работа приостановлена с 25 ноября 2026 г., 10:00" in plain(card.text)
    assert [b["text"] for b in card.buttons] == ["▶️ Возобновить", "« Все советы"]
    assert flow.api.last_to(council.chair.id).text.startswith(
        "Оператор бота приостановил работу методического совета «Мектеп №5»."
    )
    (paused,) = await entries(flow, AuditAction.COUNCIL_PAUSED)
    assert (paused.actor_id, paused.obj_kind, paused.obj_id) == (OPERATOR_ID, AuditObject.COUNCIL, council.id)
    assert flow.scheduler.reminder_jobs(missed.id) == flow.scheduler.reminder_jobs(ahead.id) == []
    # Pressed again (the confirmation still on the screen): nothing changes.
    confirm = OperatorCb(action=OperatorAction.PAUSE_CONFIRM, council_id=council.id).pack()
    assert (await flow.press_data(operator, card, confirm))["text"] == "Работа этого совета уже приостановлена."
    assert len(await entries(flow, AuditAction.COUNCIL_PAUSED)) == 1

    # The group hears only that the council is paused, in its languages; a button there is answered the same.
    (reply,) = await flow.say(council.chair, council.group, "/help")
    assert reply.chat_id == group and PAUSED_KY in reply.text and PAUSED_RU in reply.text
    assert await flow.say(council.chair, council.group, "/start@another_bot") == []  # not ours to answer
    assert await flow.say(council.chair, council.group, "Салам!") == []  # chatter stays unanswered
    setup_post = flow.api.sent_to(group)[0]
    answer = await flow.press_data(council.people[1], setup_post, PresentCb(meeting_id=missed.id).pack())
    assert answer["text"] == PAUSED_KY  # the presser's own language (a Kyrgyz member)
    # The chair cannot act for it meanwhile, privately either.
    (refused,) = await flow.say(council.chair, council.chair, "/agenda")
    assert refused.text == PAUSED_RU

    # A post written meanwhile waits (held); it is not what /healthz calls stuck.
    async with flow.sessionmaker() as session:
        session.add(
            OutboxMessage(
                kind="notice",
                chat_id=group,
                council_id=council.id,
                text="Кармалган билдирүү",
                status=OutboxStatus.PENDING,
                created_at=flow.clock.now(),
                next_attempt_at=flow.clock.now(),
            )
        )
        await session.commit()
    in_group = len(flow.api.sent_to(group))
    await flow.delivery.drain()

    # The daily check (cl. 7.4) and the reminders while it is paused: nothing goes, nothing is recorded done.
    move_to(flow, datetime(2026, 11, 26, 9, 0, tzinfo=BISHKEK))
    await flow.scheduler.watchdog_check()
    move_to(flow, datetime(2026, 12, 2, 15, 0, tzinfo=BISHKEK))  # the first meeting's day-before reminder
    assert not [job for job in await flow.scheduler.run_due() if job.startswith("remind:")]  # dropped at the pause
    assert await flow.scheduler.remind(missed.id, int(missed.starts_at.timestamp()), 24) is False  # a job left over
    move_to(flow, datetime(2026, 12, 4, 9, 0, tzinfo=BISHKEK))  # the second one's, after the first one's day
    await flow.scheduler.run_due()
    await flow.delivery.drain()
    assert len(flow.api.sent_to(group)) == in_group
    assert await flow.rows(WatchdogWarning) == [] and await flow.rows(JobRun, JobRun.name.like("remind:%")) == []
    assert [r.status for r in await flow.rows(OutboxMessage, OutboxMessage.text == "Кармалган билдирүү")] == [
        OutboxStatus.PENDING
    ]

    # Resumed: the held post goes, the second meeting's reminder goes now (late, it is still ahead); the first
    # meeting and the trimester warning passed meanwhile, and the chair gets them in one message.
    move_to(flow, datetime(2026, 12, 4, 10, 0, tzinfo=BISHKEK))
    card = await card_of(flow, operator, council.id)
    assert "1 сообщение ждёт возобновления работы совета." in card.text
    chair_before = len(flow.api.sent_to(council.chair.id))
    answer = await flow.press(operator, card, "Возобновить")
    assert answer["text"] == "Работа возобновлена" and "✅ Работа возобновлена" in card.text
    assert (await the_council(flow, council.id)).paused_at is None
    assert [m.text for m in flow.api.sent_to(group)[in_group:]] == ["Кармалган билдирүү"]
    (told,) = flow.api.sent_to(council.chair.id)[chair_before:]
    told.text = plain(told.text)
    assert told.text.startswith(
        "Оператор бота возобновил работу методического совета «Мектеп №5» (она была приостановлена с 25 ноября "
        "2026 г., 10:00). То, что ждало отправки, уходит сейчас.\nПока работа была приостановлена, прошло и не было "
        "отправлено:\n• заседание, объявленное на 3 декабря 2026 г., 15:00, должно было начаться"
    ), told.text
    assert (
        "• предупреждение о триместре (п. 7.4 положения): в триместре, который заканчивается 30 ноября 2026 г., "
        "заседаний не было, а последний день для объявления (23 ноября 2026 г.) прошёл." in told.text
    )
    assert told.text.count("•") == 2
    assert flow.scheduler.reminder_jobs(missed.id) == []  # its time has passed: nothing late
    ran = [job for job in await flow.scheduler.run_due() if job.startswith("remind:")]
    await flow.delivery.drain()
    assert ran == [f"remind:{ahead.id}:{int(ahead.starts_at.timestamp())}:24"]
    reminder = flow.api.sent_to(group)[-1]
    assert "Напоминание" in reminder.text and "Экинчи" in reminder.text
    (resumed,) = await entries(flow, AuditAction.COUNCIL_RESUMED)
    assert resumed.actor_id == OPERATOR_ID
    # Pressed again: nothing changes; the group is itself again.
    again = OperatorCb(action=OperatorAction.RESUME, council_id=council.id).pack()
    assert (await flow.press_data(operator, card, again))["text"] == "Работа этого совета не приостановлена."
    assert len(await entries(flow, AuditAction.COUNCIL_RESUMED)) == 1
    (help_reply,) = await flow.say(council.chair, council.group, "/help")
    assert PAUSED_RU not in help_reply.text


async def test_a_trimester_warning_due_on_the_day_of_resuming_goes_then(flow, council, operator):
    move_to(flow, datetime(2027, 2, 1, 10, 0, tzinfo=BISHKEK))  # the second trimester, no meeting announced
    await pause(flow, operator, council)
    for day in (7, 14):  # the 14-day warning (7.02) and the 7-day one (14.02) fall due meanwhile
        move_to(flow, datetime(2027, 2, day, 9, 0, tzinfo=BISHKEK))
        await flow.scheduler.watchdog_check()
    assert await flow.rows(WatchdogWarning) == []
    move_to(flow, datetime(2027, 2, 15, 11, 0, tzinfo=BISHKEK))
    before = len(flow.api.sent_to(council.group.id))
    await flow.press(operator, await card_of(flow, operator, council.id), "Возобновить")
    (warning,) = flow.api.sent_to(council.group.id)[before:]
    assert "Предупреждение (положение, п. 7.4)" in warning.text and "осталось: 6 дней" in warning.text
    assert [(w.stage, w.sent_on.day) for w in await flow.rows(WatchdogWarning)] == [(1, 15)]
    told = plain(flow.api.last_to(council.chair.id).text)
    assert "предупреждение о триместре (п. 7.4 положения) от 7 февраля 2027 г." in told  # the 14-day one passed
    assert told.count("•") == 1  # the 7-day one went now, not listed
    await flow.scheduler.watchdog_check()  # the day's check after it: nothing twice
    assert len(flow.api.sent_to(council.group.id)) == before + 1


async def test_a_vote_timer_is_held_while_paused_and_closes_on_resume(flow, vote, operator):
    council, message = vote, vote.message
    await flow.press(council.chair, message, "⏱ 2")
    (row,) = await flow.rows(Vote)
    await pause(flow, operator, council)
    answer = await flow.press(council.people[5], message, "Каршы")  # a ballot while paused: not taken
    assert answer["text"] in {PAUSED_KY, PAUSED_RU}
    flow.clock.advance(timedelta(minutes=3))
    await flow.scheduler.run_due()  # the nudge and the close fall due: held
    assert not await flow.scheduler.close_vote_on_time(row.id)
    assert await flow.scheduler.nudge_voters(row.id) == 0
    (row,) = await flow.rows(Vote)
    assert row.is_open and not row.nudged and row.votes_for is None
    await flow.press(operator, await card_of(flow, operator, council.id), "Возобновить")
    ran = [job for job in await flow.scheduler.run_due() if job.startswith("vote-")]
    assert ran == [f"vote-close:{row.id}"]  # its time has passed: it closes now
    (row,) = await flow.rows(Vote)
    assert not row.is_open and row.votes_for == 3 and row.votes_against == 0


async def test_healthz_does_not_count_a_paused_councils_old_posts(flow, council, operator):
    async with flow.sessionmaker() as session:
        session.add(
            OutboxMessage(
                kind="notice",
                chat_id=council.group.id,
                council_id=council.id,
                text="…",
                status=OutboxStatus.PENDING,
                attempts=0,
                created_at=flow.clock.now(),
                next_attempt_at=flow.clock.now() + timedelta(hours=2),  # not due yet
            )
        )
        await session.commit()
    async with web(flow, settings_with(flow, web_port=8099, outbox_stale_seconds=1800)) as client:
        flow.clock.advance(timedelta(hours=1))
        assert (await client.get("/healthz")).status == 503  # an active council's post, stuck for an hour
        await pause(flow, operator, council)
        response = await client.get("/healthz")
        assert response.status == 200, await response.text()
        assert (await response.json())["checks"]["outbox"] == "ok"


# --- the chair handed over -----------------------------------------------------------------------------------


async def test_the_chair_is_handed_over_only_once_the_chair_has_left(flow, council, operator):
    async with flow.sessionmaker() as session:
        (row,) = (await session.scalars(select(Council).where(Council.id == council.id))).all()
        row.chair_order_number = "15"  # the former chair's order (cl. 4.1)
        await session.commit()
    card = await card_of(flow, operator, council.id)
    assert "Передать полномочия председателя" not in str(card.buttons)  # the chair is in the group
    forged = OperatorCb(action=OperatorAction.CHAIR, council_id=council.id).pack()
    answer = await flow.press_data(operator, card, forged)
    assert answer["text"].startswith("Председатель ещё в группе совета: передать полномочия может только он сам")

    council.group.left.add(council.chair.id)  # the chair left the group
    card = await card_of(flow, operator, council.id)
    assert "Председатель вышел из группы совета: вы можете передать полномочия председателя" in card.text
    await flow.press(operator, card, "Передать полномочия председателя")
    assert [b["text"] for b in card.buttons] == [
        "Фамилия01 Мугалим1",
        "Фамилия02 Мугалим2",
        "Фамилия03 Мугалим3",
        "Отмена",
    ]
    await flow.press(operator, card, "Фамилия02 Мугалим2")
    assert "Передать полномочия председателя? Председателем станет Фамилия02 Мугалим2" in card.text
    new_chair = council.people[2]
    (picked,) = await flow.rows(Member, Member.user_id == new_chair.id)
    answer = await flow.press(operator, card, "Да, передать")
    assert answer["text"] == "Полномочия председателя переданы"
    stored = await the_council(flow, council.id)
    assert stored.chair_id == new_chair.id and stored.chair_order_number is None  # the order: pending
    roles = {m.user_id: m.role for m in await flow.members(council.id)}
    assert roles[new_chair.id] is Role.CHAIR and roles[council.chair.id] is Role.TEACHER
    assert flow.api.last_to(new_chair.id).text.startswith("Теперь вы председатель методического совета «Мектеп №5».")
    # Pressed again: nothing changes.
    confirm = OperatorCb(action=OperatorAction.CHAIR_CONFIRM, council_id=council.id, member_id=picked.id).pack()
    assert (await flow.press_data(operator, card, confirm))["text"] == "Фамилия02 Мугалим2 уже председатель."
    (handed,) = await entries(flow, AuditAction.CHAIR_HANDED_OVER)
    assert handed.actor_id == OPERATOR_ID and handed.obj_name == "Фамилия02 Мугалим2"
    # The new chair sees it in /members as the chair whose order is still to be recorded.
    (roster,) = await flow.say(new_chair, new_chair, "/members")
    assert "📝 приказ о назначении ожидается (/settings)" in roster.text


# --- a message to every chair ---------------------------------------------------------------------------------


async def test_notify_chairs_previews_then_sends_one_message_per_chair_once(flow, council, operator):
    kyrgyz, russian, paused = await more_councils(flow, 3, first=2)
    async with flow.sessionmaker() as session:  # one chair reads Kyrgyz; one chairs two councils
        (user,) = (await session.scalars(select(User).where(User.id == kyrgyz.chair_id))).all()
        user.language = "ky"
        await session.commit()
    await more_councils(flow, 1, first=9)
    async with flow.sessionmaker() as session:  # council 5 (first=9) is chaired by the chair of council 3
        row = (await session.scalars(select(Council).order_by(Council.id.desc()))).first()
        row.chair_id = russian.chair_id
        await session.commit()
    await pause(flow, operator, paused)

    (usage,) = await flow.say(operator, operator, "/notify_chairs")
    assert usage.text.startswith("Напишите сообщение после команды, например: /notify_chairs")
    (too_long,) = await flow.say(operator, operator, "/notify_chairs " + "ы" * 3501)
    assert too_long.text == "Сообщение слишком длинное: не больше 3500 символов."
    text = "Жекшемби күнү бот иштебейт <b>10:00–12:00</b> & ошондо"
    before = len(flow.api.outbox)
    (preview,) = await flow.say(operator, operator, f"/notify_chairs {text}")
    assert preview.text.startswith("Предпросмотр. После отправки его получат 3 председателя советов")
    assert "Сообщение от оператора бота\n\nЖекшемби күнү бот иштебейт <b>10:00–12:00</b> & ошондо" in preview.text
    assert [b["text"] for b in preview.buttons] == ["Отправить", "Отмена"]
    assert flow.api.outbox[before + 1 :] == []  # nothing to the chairs yet
    send = preview.button("Отправить")["callback_data"]
    answer = await flow.press(operator, preview, "Отправить")
    assert answer["text"] == "Отправлено 3 председателям."
    assert (await flow.press_data(operator, preview, send))["text"] == "Это сообщение уже отправлено."  # twice
    to_chairs = [m for m in flow.api.outbox[before + 1 :] if m.chat_id != OPERATOR_ID]
    assert sorted(m.chat_id for m in to_chairs) == sorted({council.chair.id, kyrgyz.chair_id, russian.chair_id})
    texts = {m.chat_id: m.text for m in to_chairs}
    assert texts[kyrgyz.chair_id].startswith("Боттун операторунан билдирүү\n\nЖекшемби")
    assert texts[council.chair.id].startswith("Сообщение от оператора бота\n\nЖекшемби")
    assert texts[council.chair.id].endswith("<b>10:00–12:00</b> & ошондо")  # as typed, not as HTML
    # The preview becomes what was sent: to how many, then the message as the chairs got it, bold kept.
    assert preview.html.startswith(
        "<b>✅ Отправлено 3 председателям:</b>\n\n<b>Сообщение от оператора бота</b>\n\nЖекшемби күнү бот иштебейт "
        "&lt;b&gt;10:00–12:00&lt;/b&gt; &amp; ошондо"
    )
    assert "Предпросмотр" not in preview.text and preview.buttons == []
    logged = await entries(flow, AuditAction.OPERATOR_NOTICE)
    assert sorted(e.council_id for e in logged) == sorted(c.id for c in await flow.rows(Council) if c.id != paused.id)
    assert {(e.actor_id, e.after) for e in logged} == {(OPERATOR_ID, text)}
    # The chair reads it in the council's /log, with the operator's id.
    (log,) = await flow.say(council.chair, council.chair, "/log")
    assert "пользователь 999\nсообщение оператора бота председателю · «Жекшемби күнү бот иштебейт" in log.text

    # Cancelled: nothing is sent, and Send on it afterwards neither.
    (preview,) = await flow.say(operator, operator, "/notify_chairs Экинчи билдирүү")
    send = preview.button("Отправить")["callback_data"]
    assert (await flow.press(operator, preview, "Отмена"))["text"] == "Отменено: ничего не отправлено."
    assert (
        preview.html
        == "<b>❌ Отменено: ничего не отправлено.</b>\n\n<b>Сообщение от оператора бота</b>\n\nЭкинчи билдирүү"
    )
    assert (await flow.press_data(operator, preview, send))["text"] == "Это сообщение отменено."
    assert not [m for m in flow.api.outbox if "Экинчи билдирүү" in m.text and m.chat_id != OPERATOR_ID]


async def test_a_sent_notice_says_so_in_kyrgyz_too(flow, council, operator):
    (choice,) = await flow.say(operator, operator, "/lang")
    await flow.press(operator, choice, "Кыргызча")
    (preview,) = await flow.say(operator, operator, "/notify_chairs Салам")
    assert preview.html.startswith("<b>Алдын ала көрүү.</b>")
    await flow.press(operator, preview, "Жөнөтүү")
    assert preview.html == "<b>✅ 1 төрагага жөнөтүлдү:</b>\n\n<b>Боттун операторунан билдирүү</b>\n\nСалам"


async def test_each_action_is_in_the_councils_log_with_the_operators_id(flow, council, operator):
    await pause(flow, operator, council)
    await flow.press(operator, await card_of(flow, operator, council.id), "Возобновить")
    (log,) = await flow.say(council.chair, council.chair, "/log")
    assert "пользователь 999\nвозобновление работы совета оператором бота" in log.text
    assert "пользователь 999\nприостановка работы совета оператором бота" in log.text
    assert log.text.index("возобновление") < log.text.index("приостановка")  # newest first
