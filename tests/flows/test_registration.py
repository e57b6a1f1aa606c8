"""Registration in the private chat, the chair's decision, and every kind of bad input along the way."""

from __future__ import annotations

from datetime import timedelta

import pytest

from db.models import Member, MemberStatus, Role, User
from tests.conftest import NOW


@pytest.fixture
async def council(flow):
    chair = flow.api.person(10, "Гүлнара", "Осмонова", "ky")
    group = flow.api.group(-100, "Мектеп №5", admins={10})
    await flow.say(chair, group, "/setup")
    council = await flow.council(group.id)
    # The chair opens the join link first, as the /setup reply asks: confirms name and the regulation.
    (prompt,) = await flow.say(chair, chair, f"/start join_{council.join_code}")
    await flow.press(chair, prompt, "Кыргызча")
    await flow.say(chair, chair, "Осмонова Гүлнара")
    await flow.press(chair, flow.api.last_to(chair.id), "тааныштым")
    council.chair = chair
    council.group = group
    return council


async def test_registration_in_kyrgyz_from_link_to_application(flow, council):
    teacher = flow.api.person(20, "Бакыт", "Алиева", "ru")  # app in Russian, but she chooses Kyrgyz
    (prompt,) = await flow.say(teacher, teacher, f"/start join_{council.join_code}")
    assert [b["text"] for b in prompt.buttons] == ["Кыргызча", "Русский"]
    assert "Мектеп №5" in prompt.text

    await flow.press(teacher, prompt, "Кыргызча")
    ask_name = flow.api.last_to(teacher.id)
    assert "Аты-жөнүңүздү" in ask_name.text

    (roles,) = await flow.say(teacher, teacher, "Алиева   Бакыт")
    assert [b["text"] for b in roles.buttons] == [
        "Методикалык бирикменин жетекчиси",
        "Чыгармачыл топтун жетекчиси",
        "Мугалим, кеңештин мүчөсү",
        "Добуш укугу жок катышуучу",
    ]
    chair_messages = len(flow.api.sent_to(council.chair.id))
    await flow.press(teacher, roles, "Методикалык бирикменин")
    # The question keeps its answer: the role chosen, in place of the buttons.
    assert roles.text == "Алиева Бакыт, кеңештеги ролуңузду тандаңыз: методикалык бирикменин жетекчиси"
    assert roles.buttons == [] and "<b>методикалык бирикменин жетекчиси</b>" in roles.html

    regulation = flow.api.sent_to(teacher.id)[-2:]
    assert regulation[0].text.startswith("Мектептин методикалык кеңеши жөнүндө жобо")
    assert "2/3" in regulation[-1].text and regulation[-1].text.rstrip().endswith("Жобо менен тааныштым:")
    assert [b["text"] for b in regulation[-1].buttons] == ["Жобо менен тааныштым"]
    assert await flow.rows(Member, Member.user_id == teacher.id) == []  # nothing stored before confirming

    flow.clock.advance(timedelta(minutes=3))
    answer = await flow.press(teacher, regulation[-1], "тааныштым")
    assert answer["text"] == "Сакталды"
    (member,) = await flow.rows(Member, Member.user_id == teacher.id)
    assert (member.full_name, member.role, member.status) == ("Алиева Бакыт", Role.HEAD_MA, MemberStatus.PENDING)
    assert member.regulation_confirmed_at == NOW + timedelta(minutes=3)
    (user,) = await flow.rows(User, User.id == teacher.id)
    assert user.language == "ky"
    assert "Арызыңыз төрагага жөнөтүлдү" in flow.api.last_to(teacher.id).text

    (application,) = flow.api.sent_to(council.chair.id)[chair_messages:]
    assert "Алиева Бакыт" in application.text and "методикалык бирикменин жетекчиси" in application.text
    assert [b["text"] for b in application.buttons] == ["Бекитүү", "Четке кагуу"]


async def test_chair_approves_and_applicant_is_told_in_her_language(flow, council):
    teacher = flow.api.person(21, "Анна", "Петрова", "ky")
    await flow.register(teacher, council.join_code, "ru", "Петрова Анна", "учитель")
    application = flow.api.last_to(council.chair.id)
    answer = await flow.press(council.chair, application, "Бекитүү")
    assert answer["text"] == "Бекитилди"
    assert "✅ Бекитилди" in application.text  # the chair's message now shows the outcome
    assert [b["text"] for b in application.buttons] == ["Буйруктун номерин кошуу"]
    (member,) = await flow.rows(Member, Member.user_id == teacher.id)
    assert member.status is MemberStatus.APPROVED and member.decided_by == council.chair.id
    told = flow.api.last_to(teacher.id).text
    assert told.startswith("Председатель утвердил") and "«Мектеп №5»" in told

    # Approval may carry the director's order number (cl. 7.2).
    await flow.press(council.chair, application, "номерин")
    await flow.say(council.chair, council.chair, "№15")
    (member,) = await flow.rows(Member, Member.user_id == teacher.id)
    assert member.order_number == "15"
    assert "Директордун буйругу №15" in flow.api.last_to(council.chair.id).text


async def test_chair_rejects_and_applicant_may_apply_again(flow, council):
    teacher = flow.api.person(22, "Иван", "Иванов", "ru")
    await flow.register(teacher, council.join_code, "ru", "Иванов Иван", "участник")
    answer = await flow.press(council.chair, flow.api.last_to(council.chair.id), "Четке кагуу")
    assert answer["text"] == "Четке кагылды"
    (member,) = await flow.rows(Member, Member.user_id == teacher.id)
    assert member.status is MemberStatus.REJECTED
    assert "не утвердил вашу заявку" in flow.api.last_to(teacher.id).text

    await flow.register(teacher, council.join_code, "ru", "Иванов Иван", "учитель")
    (member,) = await flow.rows(Member, Member.user_id == teacher.id)
    assert (member.status, member.role) == (MemberStatus.PENDING, Role.TEACHER)


async def test_second_registration_is_refused_while_pending_and_once_approved(flow, council):
    teacher = flow.api.person(23, "Айбек", "Садыков", "ru")
    await flow.register(teacher, council.join_code, "ru", "Садыков Айбек", "учитель")
    (reply,) = await flow.say(teacher, teacher, f"/start join_{council.join_code}")
    assert reply.text == "Вы уже подали заявку. Она ждёт решения председателя."
    assert reply.buttons == []

    await flow.press(council.chair, flow.api.last_to(council.chair.id), "Бекитүү")
    (reply,) = await flow.say(teacher, teacher, f"/start join_{council.join_code}")
    assert reply.text.startswith("Вы уже член этого совета.")
    assert len(await flow.rows(Member, Member.user_id == teacher.id)) == 1


@pytest.mark.parametrize(
    ("language_code", "expected"),
    [
        ("ky", "Бул кошулуу шилтемеси туура эмес"),
        ("ru", "Эта ссылка для вступления неверна"),
        ("en", "Бул кошулуу шилтемеси туура эмес"),
    ],  # anything else: DEFAULT_LOCALE (ky)
)
async def test_wrong_join_code_is_refused_in_the_users_language(flow, council, language_code, expected):
    stranger = flow.api.person(30, "Stranger", None, language_code)
    (reply,) = await flow.say(stranger, stranger, "/start join_notARealCode123")
    assert reply.text.startswith(expected)
    assert await flow.rows(Member, Member.user_id == stranger.id) == []


@pytest.mark.parametrize(
    ("language_code", "expected"),
    [("ky", "Саламатсызбы!"), ("ru-RU", "Здравствуйте!"), ("de", "Саламатсызбы!"), (None, "Саламатсызбы!")],
)
async def test_start_without_code_explains_how_to_join(flow, language_code, expected):
    person = flow.api.person(31, "Nurbek", None, language_code)
    (reply,) = await flow.say(person, person, "/start")
    assert reply.text.startswith(expected)
    assert "/help" in reply.text


@pytest.mark.parametrize(
    "bad_name", ["12345 678", "Иван <b>Петров</b>", "Ab & Co", "x" * 30 + " " + "y" * 80, "Петров1"]
)
async def test_bad_name_gets_a_clear_retry_prompt_and_changes_nothing(flow, council, bad_name):
    teacher = flow.api.person(24, "Айгүл", "Токтогулова", "ky")
    (prompt,) = await flow.say(teacher, teacher, f"/start join_{council.join_code}")
    await flow.press(teacher, prompt, "Кыргызча")
    (reply,) = await flow.say(teacher, teacher, bad_name)
    assert "фамилияңыз жана атыңыз" in reply.text and reply.buttons == []
    # Still waiting for the name: a good one now goes on to the role.
    (roles,) = await flow.say(teacher, teacher, "Токтогулова Айгүл")
    assert len(roles.buttons) == 4


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("ru", "Пришлите и фамилию, и имя — одним сообщением. Например: Осмонова Гүлнара"),
        ("ky", "Фамилияңызды да, атыңызды да бир билдирүү менен жөнөтүңүз. Мисалы: Осмонова Гүлнара"),
    ],
)
async def test_a_one_word_name_is_told_the_first_name_or_surname_is_missing(flow, council, locale, expected):
    """ "Петров" is letters: the answer says what is missing, not "letters only"."""
    teacher = flow.api.person(26, "Иван", "Петров", locale)
    (prompt,) = await flow.say(teacher, teacher, f"/start join_{council.join_code}")
    await flow.press(teacher, prompt, {"ru": "Русский", "ky": "Кыргызча"}[locale])
    (reply,) = await flow.say(teacher, teacher, "  Петров ")
    assert reply.text == expected and reply.buttons == []
    (roles,) = await flow.say(teacher, teacher, "Петров Иван")  # still waiting for the name
    assert len(roles.buttons) == 4
    await flow.press(teacher, roles, {"ru": "Учитель", "ky": "Мугалим"}[locale])
    assert (
        roles.text
        == {  # the role question keeps its answer
            "ru": "Петров Иван, выберите вашу роль в совете: учитель, член совета",
            "ky": "Петров Иван, кеңештеги ролуңузду тандаңыз: мугалим, кеңештин мүчөсү",
        }[locale]
    )


async def test_a_sticker_instead_of_the_name_gets_the_prompt_again(flow, council):
    teacher = flow.api.person(25, "Айгүл", "Токтогулова", "ru")
    (prompt,) = await flow.say(teacher, teacher, f"/start join_{council.join_code}")
    await flow.press(teacher, prompt, "Русский")
    update = flow.api.message_update(teacher, teacher.private_chat, "")
    del update["message"]["text"]
    update["message"]["sticker"] = {
        "file_id": "s1",
        "file_unique_id": "s1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    before = len(flow.api.outbox)
    await flow.feed(update)
    assert "Пришлите полное имя текстом" in flow.api.outbox[before].text


async def test_stale_button_from_a_finished_registration_is_answered_and_changes_nothing(flow, council):
    teacher = flow.api.person(26, "Айбек", "Садыков", "ru")
    (prompt,) = await flow.say(teacher, teacher, f"/start join_{council.join_code}")
    await flow.press(teacher, prompt, "Русский")
    (roles,) = await flow.say(teacher, teacher, "Садыков Айбек")
    role_data = roles.button("Учитель")["callback_data"]
    await flow.press(teacher, roles, "Учитель")
    await flow.press(teacher, flow.api.last_to(teacher.id), "ознакомлен")
    answer = await flow.press_data(teacher, roles, role_data)  # the old role button, pressed again
    assert answer == {
        "callback_query_id": answer["callback_query_id"],
        "text": "Эта кнопка устарела.",
        "show_alert": "true",
    }
    (member,) = await flow.rows(Member, Member.user_id == teacher.id)
    assert member.role is Role.TEACHER


async def test_someone_elses_approval_button_is_refused(flow, council):
    applicant = flow.api.person(27, "Айбек", "Садыков", "ru")
    intruder = flow.api.person(28, "Хакер", "Хакеров", "ru")
    await flow.register(applicant, council.join_code, "ru", "Садыков Айбек", "учитель")
    application = flow.api.last_to(council.chair.id)
    approve_data = application.button("Бекитүү")["callback_data"]
    await flow.say(intruder, intruder, "/start")  # opens a private chat with the bot
    answer = await flow.press_data(intruder, application, approve_data)
    assert answer["text"] == "Это может сделать только председатель этого совета."
    (member,) = await flow.rows(Member, Member.user_id == applicant.id)
    assert member.status is MemberStatus.PENDING


async def test_forged_callback_data_is_answered_not_crashed(flow, council):
    teacher = flow.api.person(29, "Айбек", "Садыков", "ru")
    await flow.say(teacher, teacher, "/start")
    message = flow.api.last_to(teacher.id)
    for data in ["ap:a:999999", "ap:x:1", "mb:H:1", "garbage", "rl:chair"]:
        answer = await flow.press_data(teacher, message, data)
        assert answer.get("show_alert") == "true" and answer["text"]


async def test_pressing_approve_twice_says_it_is_already_decided(flow, council):
    teacher = flow.api.person(32, "Айбек", "Садыков", "ru")
    await flow.register(teacher, council.join_code, "ru", "Садыков Айбек", "учитель")
    application = flow.api.last_to(council.chair.id)
    approve = application.button("Бекитүү")["callback_data"]
    await flow.press_data(council.chair, application, approve)
    told = len(flow.api.sent_to(teacher.id))
    answer = await flow.press_data(council.chair, application, approve)
    assert answer["text"] == "Бул арыз боюнча чечим мурунтан эле кабыл алынган."
    assert len(flow.api.sent_to(teacher.id)) == told  # not told twice


async def test_chair_who_never_opened_the_bot_is_called_from_the_group(flow):
    chair = flow.api.person(40, "Гүлнара", "Осмонова", "ky")
    group = flow.api.group(-200, "Мектеп №7", admins={40})
    (reply,) = await flow.say(chair, group, "/setup")
    code = (await flow.council(group.id)).join_code
    teacher = flow.api.person(41, "Айбек", "Садыков", "ru")
    await flow.register(teacher, code, "ru", "Садыков Айбек", "учитель")
    note = flow.api.last_to(group.id)
    assert "заявка" in note.text and "/members" in note.text and "Садыков" not in note.text
    (member,) = await flow.rows(Member, Member.user_id == teacher.id)
    assert member.status is MemberStatus.PENDING  # stored; the chair decides from /members


async def test_chair_confirms_own_regulation_through_the_join_link(flow, council):
    (chair,) = await flow.rows(Member, Member.user_id == council.chair.id)
    assert chair.full_name == "Осмонова Гүлнара" and chair.role is Role.CHAIR
    assert chair.regulation_confirmed_at == NOW
    assert "Сиз төрагасыз" in flow.api.last_to(council.chair.id).text


async def test_cancel_stops_registration(flow, council):
    teacher = flow.api.person(33, "Айбек", "Садыков", "ru")
    (prompt,) = await flow.say(teacher, teacher, f"/start join_{council.join_code}")
    await flow.press(teacher, prompt, "Русский")
    (reply,) = await flow.say(teacher, teacher, "/cancel")
    assert reply.text.startswith("Регистрация прервана")
    (reply,) = await flow.say(teacher, teacher, "Садыков Айбек")
    assert reply.text.startswith("Сейчас я не жду сообщения")
    assert await flow.rows(Member, Member.user_id == teacher.id) == []
