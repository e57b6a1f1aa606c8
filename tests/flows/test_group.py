"""A council in a group: greeting, /setup by whom, twice, with the bot's name, supergroup migration."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from db.models import Member, MemberStatus, Role


def join_code_of(message) -> str:
    url = message.buttons[0]["url"]
    assert urlparse(url).netloc == "t.me" and urlparse(url).path == "/kenesh_test_bot"
    start = parse_qs(urlparse(url).query)["start"][0]
    assert start.startswith("join_")
    return start.removeprefix("join_")


async def test_bot_added_to_group_greets_in_both_languages_and_says_what_next(flow):
    admin = flow.api.person(10, "Гүлнара", "Осмонова", "ky")
    group = flow.api.group(-100, "Мектеп №5", admins={10})
    (greeting,) = await flow.add_bot(admin, group)
    assert greeting.chat_id == group.id
    assert "методикалык кеңеш" in greeting.text and "методического совета" in greeting.text
    assert greeting.text.index("Саламатсыздарбы") < greeting.text.index("Здравствуйте")  # Kyrgyz first
    assert greeting.text.count("/setup") == 2
    assert await flow.council(group.id) is None  # greeting creates nothing


async def test_setup_by_group_admin_creates_council_with_sender_as_chair(flow):
    admin = flow.api.person(10, "Гүлнара", "Осмонова", "ky")
    group = flow.api.group(-100, "Мектеп №5", admins={10})
    (reply,) = await flow.say(admin, group, "/setup")
    council = await flow.council(group.id)
    assert council is not None and council.chair_id == admin.id
    assert join_code_of(reply) == council.join_code
    assert len(council.join_code) >= 16  # 96 random bits: not guessable
    assert "Гүлнара Осмонова" in reply.text and "Председатель" in reply.text and "Төрага" in reply.text
    (chair,) = await flow.members(council.id)
    assert (chair.user_id, chair.role, chair.status) == (admin.id, Role.CHAIR, MemberStatus.APPROVED)
    assert chair.regulation_confirmed_at is None  # the chair confirms through the join link, like anyone


async def test_setup_with_bot_username_works_in_privacy_mode(flow):
    creator = flow.api.person(11, "Азамат", "Жээнбеков", "ru")
    group = flow.api.group(-101, "Школа 12", creator=11)
    (reply,) = await flow.say(creator, group, "/setup@kenesh_test_bot")
    council = await flow.council(group.id)
    assert council is not None and council.chair_id == creator.id
    assert join_code_of(reply) == council.join_code


async def test_setup_for_another_bot_is_not_ours(flow):
    admin = flow.api.person(10, "Гүлнара", "Осмонова", "ky")
    group = flow.api.group(-100, "Мектеп №5", admins={10})
    assert await flow.say(admin, group, "/setup@some_other_bot") == []
    assert await flow.council(group.id) is None


async def test_setup_twice_changes_nothing_and_says_so(flow):
    admin = flow.api.person(10, "Гүлнара", "Осмонова", "ky")
    other_admin = flow.api.person(12, "Нурлан", "Асанов", "ru")
    group = flow.api.group(-100, "Мектеп №5", admins={10, 12})
    await flow.say(admin, group, "/setup")
    first = await flow.council(group.id)
    (reply,) = await flow.say(other_admin, group, "/setup")
    again = await flow.council(group.id)
    assert (again.id, again.join_code, again.chair_id) == (first.id, first.join_code, admin.id)
    assert "ничего не изменено" in reply.text and "эч нерсе өзгөргөн жок" in reply.text
    assert join_code_of(reply) == first.join_code
    assert len(await flow.members(first.id)) == 1


async def test_setup_by_ordinary_member_is_refused_and_creates_nothing(flow):
    teacher = flow.api.person(20, "Айбек", "Садыков", "ru")
    group = flow.api.group(-100, "Мектеп №5", admins={10})
    (reply,) = await flow.say(teacher, group, "/setup")
    assert reply.text == "Создать методический совет может только администратор группы."
    assert await flow.council(group.id) is None
    assert await flow.rows(Member) == []


async def test_setup_by_deployment_admin_is_allowed_in_any_group(flow):
    operator = flow.api.person(999, "Operator", None, "en")  # ADMIN_IDS=999 in the flow settings
    group = flow.api.group(-100, "Мектеп №5", admins={10})
    await flow.say(operator, group, "/setup")
    council = await flow.council(group.id)
    assert council is not None and council.chair_id == 999


async def test_anonymous_admin_is_told_how_to_set_up(flow):
    admin = flow.api.person(1087968824, "Group", None, None)  # GroupAnonymousBot
    group = flow.api.group(-100, "Мектеп №5", admins={1087968824})
    update = flow.api.message_update(admin, group.chat, "/setup", sender_chat=group.chat)
    before = len(flow.api.outbox)
    await flow.feed(update)
    (reply,) = flow.api.outbox[before:]
    assert "анонимный администратор" in reply.text and "анонимдүү администратор" in reply.text
    assert await flow.council(group.id) is None


async def test_group_upgraded_to_supergroup_keeps_its_council(flow):
    admin = flow.api.person(10, "Гүлнара", "Осмонова", "ky")
    group = flow.api.group(-100, "Мектеп №5", admins={10})
    await flow.say(admin, group, "/setup")
    council = await flow.council(group.id)
    supergroup = flow.api.group(-1001234567890, "Мектеп №5", admins={10})
    supergroup.type = "supergroup"
    flow.api.chats[supergroup.id] = supergroup.chat
    await flow.feed(flow.api.service_update(admin, group.chat, migrate_to_chat_id=supergroup.id))
    await flow.feed(flow.api.service_update(admin, supergroup.chat, migrate_from_chat_id=group.id))
    moved = await flow.council(supergroup.id)
    assert moved is not None and moved.id == council.id and moved.join_code == council.join_code
    assert await flow.council(group.id) is None
    (reply,) = await flow.say(admin, supergroup, "/setup")
    assert "ничего не изменено" in reply.text


async def test_group_chatter_and_unknown_commands_are_ignored_quietly(flow):
    teacher = flow.api.person(20, "Айбек", "Садыков", "ru")
    group = flow.api.group(-100, "Мектеп №5", admins={10})
    assert await flow.say(teacher, group, "Салам баарына!") == []
    assert await flow.say(teacher, group, "/weather") == []
    assert flow.api.errors == []


async def test_names_from_telegram_are_escaped_in_group_messages(flow):
    admin = flow.api.person(10, "<Админ>", "& Ко", "ru")
    group = flow.api.group(-100, "Школа <№5> & лицей", admins={10})
    (reply,) = await flow.say(admin, group, "/setup")
    assert flow.api.errors == []  # the stand-in refuses malformed HTML, as Telegram does
    assert "«Школа <№5> & лицей»" in reply.text and "<Админ> & Ко" in reply.text


async def test_every_private_only_command_in_the_group_gets_one_short_hint_in_the_senders_language(flow):
    from bot.ui.commands import PRIVATE_ONLY
    from tests.conftest import seed_council

    council = await seed_council(flow, members=3, chair_locale="ru")
    kyrgyz = council.people[1]  # seeded in Kyrgyz
    hints = [
        (council.chair, "Эта команда работает в личном чате со мной."),
        (kyrgyz, "Бул команда мени менен жеке чатта иштейт."),
    ]
    assert {"settings", "meetings", "groups", "protocols", "bank", "members", "start", "submit"} <= PRIVATE_ONLY
    for person, hint in hints:
        for command in sorted(PRIVATE_ONLY):
            (reply,) = await flow.say(person, council.group, f"/{command}")
            assert reply.text == hint, command
            assert reply.buttons[0]["url"] == "https://t.me/kenesh_test_bot"
    assert await flow.say(council.chair, council.group, "/members@some_other_bot") == []  # not ours
    assert flow.api.errors == []


async def test_group_help_lists_what_works_in_the_group_and_sends_the_rest_to_the_private_chat(flow):
    from bot.ui.commands import COMMANDS, PRIVATE_ONLY
    from tests.conftest import seed_council

    in_group = {f"/{c.name}" for c in COMMANDS if c.group} - {"/help"}
    stranger = flow.api.person(20, "Айбек", "Садыков", "ru")
    bare = flow.api.group(-200, "Жаңы группа", admins={20})
    (before_setup,) = await flow.say(stranger, bare, "/help")  # no council yet: both languages
    assert "Всё остальное — в личном чате со мной." in before_setup.text
    assert "Калганынын баары — мени менен жеке чатта." in before_setup.text
    council = await seed_council(flow, members=2)
    async with flow.sessionmaker() as session:
        from db.models import Council, GroupLanguage

        (await session.get(Council, council.id)).group_language = GroupLanguage.RU
        await session.commit()
    (reply,) = await flow.say(council.chair, council.group, "/help")
    text = reply.text
    assert text.startswith("Здесь, в группе:") and "Калганынын" not in text  # the group's language only
    assert text.endswith("Всё остальное — в личном чате со мной.")
    assert len(text) < 300  # a short answer in a busy group chat
    for command in in_group:
        assert command in text, command
    for command in PRIVATE_ONLY:
        assert f"/{command} " not in text and f"/{command}," not in text, command
    # What it says works here does: /year answers in the group, /agenda without its text points to the private chat.
    (year,) = await flow.say(council.chair, council.group, "/year")
    assert year.chat_id == council.group.id
    (agenda,) = await flow.say(council.chair, council.group, "/agenda")
    assert "лично" in agenda.text


async def test_settings_label_the_group_language_as_the_groups_in_kyrgyz_and_answer_the_current_one(flow):
    from tests.conftest import seed_council

    council = await seed_council(flow, members=2, chair_locale="ky")
    (menu,) = await flow.say(council.chair, council.chair, "/settings")
    assert [b["text"] for b in menu.buttons][:3] == [
        "✓ Группадагы билдирүүлөр: Кыргызча + Русский",
        "Группадагы билдирүүлөр: Кыргызча",
        "Группадагы билдирүүлөр: Русский",
    ]
    answer = await flow.press(council.chair, menu, "✓ Группадагы билдирүүлөр: Кыргызча + Русский")
    assert answer["text"] == "Бул мурунтан эле тандалган." and menu.edits == 0 and flow.api.errors == []
