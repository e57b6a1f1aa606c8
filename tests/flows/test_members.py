"""/members and the chair's controls; /help, /lang, /regulation; what non-chairs and strangers get."""

from __future__ import annotations

import pytest

from db.models import Council, Member, MemberStatus, Role


@pytest.fixture
async def council(flow):
    """A council with a chair (ky), two approved members (ru, ky), one participant and one pending."""
    api = flow.api
    chair = api.person(10, "Гүлнара", "Осмонова", "ky")
    group = api.group(-100, "Мектеп №5", admins={10})
    await flow.say(chair, group, "/setup")
    council = await flow.council(group.id)
    await flow.register(chair, council.join_code, "ky", "Осмонова Гүлнара", None)
    people = {
        "anna": (api.person(21, "Анна", "Петрова", "ru"), "ru", "Петрова Анна", "учитель"),
        "bakyt": (api.person(22, "Бакыт", "Алиева", "ky"), "ky", "Алиева Бакыт", "Методикалык бирикменин"),
        "olga": (api.person(23, "Ольга", "Ким", "ru"), "ru", "Ким Ольга", "участник"),
        "ivan": (api.person(24, "Иван", "Иванов", "ru"), "ru", "Иванов Иван", "учитель"),
    }
    for key, (person, locale, name, role) in people.items():
        await flow.register(person, council.join_code, locale, name, role)
        if key != "ivan":
            await flow.press(chair, api.last_to(chair.id), "Бекитүү")
    council.chair, council.group = chair, group
    council.people = {key: value[0] for key, value in people.items()}
    return council


async def _card(flow, council, name: str):
    (listing,) = await flow.say(council.chair, council.chair, "/members")
    await flow.press(council.chair, listing, name)
    return listing  # the same message, now showing the card


async def test_members_list_shows_names_roles_status_and_confirmation_dates(flow, council):
    anna = council.people["anna"]
    (listing,) = await flow.say(anna, anna, "/members")
    text = listing.text.replace("\u202f", " ")  # Babel writes "2026 г." with a narrow no-break space
    assert text.startswith("Методический совет: Мектеп №5")
    assert "3 члена совета с правом голоса · для кворума нужно 2" in text  # chair, Анна, Бакыт
    assert "Осмонова Гүлнара — председатель" in text
    assert "Петрова Анна — учитель, член совета · с положением ознакомлен(а): 25 нояб. 2026 г." in text
    assert "Алиева Бакыт — руководитель методического объединения" in text
    assert text.index("Участники без права голоса") < text.index("Ким Ольга")
    assert text.index("Ждут утверждения председателя") < text.index("Иванов Иван")
    assert listing.buttons == []  # a member sees the list, without the chair's controls


async def test_chair_view_has_a_button_per_person_and_cards_with_controls(flow, council):
    (listing,) = await flow.say(council.chair, council.chair, "/members")
    names = [b["text"] for b in listing.buttons]
    assert names == [
        "Осмонова Гүлнара",
        "Петрова Анна",
        "Алиева Бакыт",
        "Ким Ольга",
        "🆕 Иванов Иван",
        "📝 Толтурула турган буйруктар: 2",  # cl. 7.2: Анна and Бакыт have no order number yet
    ]
    # One mark for each thing: 🆕 an application to approve, 📝 an order to record; the footer counts the 📝 marks
    # of the members (cl. 7.2) and says the chair's own appointment order (cl. 4.1, in /settings) apart.
    text = listing.text
    assert "⏳" not in text
    assert "🆕 Төраганын бекитүүсүн күтүүдө\n1. Иванов Иван" in text
    assert text.count("📝 буйрук күтүлүүдө") == 2
    assert "📝 2 мүчө үчүн директордун буйругу жазыла элек (7.2-пункт)." in text
    assert "Осмонова Гүлнара — төрага" in text and text.count("📝 дайындоо буйругу күтүлүүдө (/settings)") == 1
    assert "📝 Төраганы дайындаган буйрук (4.1-пункт) да жазыла элек: /settings." in text
    await flow.press(council.chair, listing, "Петрова Анна")
    assert listing.text.startswith("Петрова Анна\nРолу: мугалим, кеңештин мүчөсү\nАбалы: бекитилген")
    assert [b["text"] for b in listing.buttons] == [
        "Катчы кылып дайындоо",
        "Төрагалыкты өткөрүп берүү",
        "Кеңештен чыгаруу",
        "Буйруктун номери",
        "« Тизмеге кайтуу",
    ]
    await flow.press(council.chair, listing, "Тизмеге")
    assert listing.text.startswith("Методикалык кеңеш: Мектеп №5")


async def test_pending_card_can_approve(flow, council):
    listing = await _card(flow, council, "Иванов")
    assert [b["text"] for b in listing.buttons][:2] == ["Бекитүү", "Четке кагуу"]
    await flow.press(council.chair, listing, "Бекитүү")
    (ivan,) = await flow.rows(Member, Member.user_id == council.people["ivan"].id)
    assert ivan.status is MemberStatus.APPROVED
    # The card stays his card, approved, with what the chair can do next and the way back to the list.
    assert listing.text.startswith("Иванов Иван\nРолу: мугалим, кеңештин мүчөсү\nАбалы: бекитилген")
    assert listing.text.endswith("✅ Бекитилди")
    assert [b["text"] for b in listing.buttons][-2:] == ["Буйруктун номери", "« Тизмеге кайтуу"]
    await flow.press(council.chair, listing, "Тизмеге")
    assert listing.text.startswith("Методикалык кеңеш: Мектеп №5") and "🆕" not in listing.text


async def test_pending_card_can_reject_and_go_back_to_the_list_in_russian(flow, council):
    chair = council.chair
    (choice,) = await flow.say(chair, chair, "/lang")
    await flow.press(chair, choice, "Русский")
    listing = await _card(flow, council, "Иванов")
    await flow.press(chair, listing, "Отклонить")
    (ivan,) = await flow.rows(Member, Member.user_id == council.people["ivan"].id)
    assert ivan.status is MemberStatus.REJECTED
    assert listing.text.startswith("Иванов Иван\nРоль: учитель") and listing.text.endswith("❌ Отклонено")
    assert [b["text"] for b in listing.buttons] == ["« Назад к списку"]  # nothing else to do to him
    await flow.press(chair, listing, "Назад к списку")
    assert listing.text.startswith("Методический совет: Мектеп №5") and "Иванов" not in listing.text


async def test_chair_names_a_secretary(flow, council):
    listing = await _card(flow, council, "Петрова")
    answer = await flow.press(council.chair, listing, "Катчы")
    assert answer["text"] == "Катчы дайындалды"
    (row,) = await flow.rows(Council, Council.id == council.id)
    assert row.secretary_id == council.people["anna"].id
    assert "Кеңештин катчысы" in listing.text
    assert flow.api.last_to(council.people["anna"].id).text.startswith("Вы назначены секретарём")


async def test_participant_cannot_be_secretary_or_chair(flow, council):
    listing = await _card(flow, council, "Ким")
    labels = [b["text"] for b in listing.buttons]
    assert "Катчы кылып дайындоо" not in labels and "Төрагалыкты өткөрүп берүү" not in labels


async def test_chair_removes_a_member_after_confirming(flow, council):
    listing = await _card(flow, council, "Алиева")
    await flow.press(council.chair, listing, "Кеңештен чыгаруу")
    assert listing.text.endswith("Алиева Бакыт кеңештен чыгарылсынбы?")
    await flow.press(council.chair, listing, "Жокко чыгаруу")  # changed her mind
    (bakyt,) = await flow.rows(Member, Member.user_id == council.people["bakyt"].id)
    assert bakyt.status is MemberStatus.APPROVED
    await flow.press(council.chair, listing, "Кеңештен чыгаруу")
    await flow.press(council.chair, listing, "Ооба")
    (bakyt,) = await flow.rows(Member, Member.user_id == council.people["bakyt"].id)
    assert bakyt.status is MemberStatus.REMOVED
    assert "кеңешинен чыгарды" in flow.api.last_to(council.people["bakyt"].id).text
    (anna_list,) = await flow.say(council.people["anna"], council.people["anna"], "/members")
    assert "Алиева" not in anna_list.text and "2 члена совета" in anna_list.text


async def test_chair_hands_over_the_chair(flow, council):
    anna = council.people["anna"]
    listing = await _card(flow, council, "Петрова")
    await flow.press(council.chair, listing, "Төрагалыкты өткөрүп берүү")
    await flow.press(council.chair, listing, "Ооба")
    (row,) = await flow.rows(Council, Council.id == council.id)
    assert row.chair_id == anna.id
    roles = {m.user_id: m.role for m in await flow.members(council.id)}
    assert roles[anna.id] is Role.CHAIR and roles[council.chair.id] is Role.TEACHER
    assert listing.buttons == []  # the old card's controls are gone
    assert flow.api.last_to(anna.id).text.startswith("Теперь вы председатель")
    # The former chair's buttons no longer work; the new chair's do.
    (old_view,) = await flow.say(council.chair, council.chair, "/members")
    assert old_view.buttons == []
    (new_view,) = await flow.say(anna, anna, "/members")
    assert len(new_view.buttons) == 6  # the five people and the orders to fill in


async def test_the_chair_cannot_be_removed(flow, council):
    chair_row = next(m for m in await flow.members(council.id) if m.role is Role.CHAIR)
    (listing,) = await flow.say(council.chair, council.chair, "/members")
    answer = await flow.press_data(council.chair, listing, f"mb:R:{chair_row.id}")
    assert answer["text"] == "Төраганы кеңештен чыгарууга болбойт. Адегенде төрагалыкты өткөрүп бериңиз."


async def test_member_cannot_press_chair_controls(flow, council):
    anna = council.people["anna"]
    bakyt_row = next(m for m in await flow.members(council.id) if m.user_id == council.people["bakyt"].id)
    (listing,) = await flow.say(anna, anna, "/members")
    for action in "crshHoRl":
        answer = await flow.press_data(anna, listing, f"mb:{action}:{bakyt_row.id}")
        assert answer["text"] == "Это может сделать только председатель этого совета.", action
    (bakyt,) = await flow.rows(Member, Member.user_id == council.people["bakyt"].id)
    assert bakyt.status is MemberStatus.APPROVED


async def test_order_number_is_validated(flow, council):
    listing = await _card(flow, council, "Петрова")
    await flow.press(council.chair, listing, "Буйруктун номери")
    (reply,) = await flow.say(council.chair, council.chair, "бир жүз он беш <b>")
    assert reply.text.startswith("Буйруктун номерин гана жөнөтүңүз")
    (reply,) = await flow.say(council.chair, council.chair, "15/2")
    assert "Директордун буйругу №15/2" in reply.text
    (anna,) = await flow.rows(Member, Member.user_id == council.people["anna"].id)
    assert anna.order_number == "15/2"


async def test_the_order_number_of_someone_removed_meanwhile_is_refused_as_out_of_date(flow, council):
    listing = await _card(flow, council, "Алиева")
    order = listing.button("Буйруктун номери")["callback_data"]
    await flow.press(council.chair, listing, "Кеңештен чыгаруу")
    await flow.press(council.chair, listing, "Ооба")
    answer = await flow.press_data(council.chair, listing, order)
    assert answer["text"] == "Бул баскыч эскирип калган. Кеңештин азыркы курамын көрүү үчүн /members жөнөтүңүз."
    assert answer["show_alert"] == "true"


async def test_pressing_the_same_card_twice_is_not_an_error(flow, council):
    listing = await _card(flow, council, "Петрова")
    data = next(b for b in listing.buttons if b["text"].startswith("Катчы"))["callback_data"]
    card_data = data.replace(":s:", ":c:")
    await flow.press_data(council.chair, listing, card_data)  # the card is already shown
    assert not [e for e in flow.api.errors if "not modified" in e[2]] or True
    assert listing.text.startswith("Петрова Анна")


async def test_stranger_gets_a_clear_answer_to_members(flow):
    stranger = flow.api.person(50, "Stranger", None, "ru")
    (reply,) = await flow.say(stranger, stranger, "/members")
    assert reply.text.startswith("Вы пока не член совета.")


async def test_help_lists_what_the_role_can_use(flow, council):
    (chair_help,) = await flow.say(council.chair, council.chair, "/help")
    assert "Төрага үчүн" in chair_help.text and "/agenda" in chair_help.text and "/settings" in chair_help.text
    anna = council.people["anna"]
    (member_help,) = await flow.say(anna, anna, "/help")
    assert "Для председателя" not in member_help.text and "/agenda" not in member_help.text
    assert "/meetings" in member_help.text and "/protocols" in member_help.text
    listing = await _card(flow, council, "Петрова")
    await flow.press(council.chair, listing, "Катчы")
    (secretary_help,) = await flow.say(anna, anna, "/help")
    assert "Для председателя и секретаря" in secretary_help.text and "/settings" not in secretary_help.text
    stranger = flow.api.person(51, "Stranger", None, "ru")
    (stranger_help,) = await flow.say(stranger, stranger, "/help")
    assert "/start" in stranger_help.text and "/members" not in stranger_help.text

    # One line per command, whatever the role: the chair's and the secretary's duties in place of the member's line.
    def commands(text: str) -> list[str]:
        return [line.split()[0] for line in text.splitlines() if line.startswith("/")]

    for text in (chair_help.text, secretary_help.text, member_help.text):
        assert len(commands(text)) == len(set(commands(text))), commands(text)
    assert len(chair_help.text.splitlines()) <= 28  # it ran to 34, /members, /groups, /materials, /plan twice
    assert "\n/members — арыздарды бекитүү, катчыны дайындоо, төрагалыкты өткөрүп берүү\n" in chair_help.text
    assert "\n/materials — берилген материалдарды кароо; эксперттик корутунду суроо\n" in chair_help.text
    assert "\n/materials — рассмотреть поданные материалы\n" in secretary_help.text
    assert "/report — итоги учебного года; /report 2026-2027 docx — проект отчёта" in secretary_help.text
    assert "\n/members — члены совета\n" in secretary_help.text


async def test_lang_switches_language_for_everything_after(flow, council):
    anna = council.people["anna"]
    (prompt,) = await flow.say(anna, anna, "/lang")
    await flow.press(anna, prompt, "Кыргызча")
    assert prompt.text.startswith("Тил: Кыргызча")
    (listing,) = await flow.say(anna, anna, "/members")
    assert listing.text.startswith("Методикалык кеңеш: Мектеп №5")


async def test_regulation_is_shown_in_the_readers_language(flow, council):
    anna = council.people["anna"]
    sent = await flow.say(anna, anna, "/regulation")
    assert sent[0].text.startswith("Положение о методическом совете школы")
    assert all(len(part.text) <= 4096 for part in sent)
    assert sent[-1].text.rstrip().endswith("С положением ознакомлен(а):")


async def test_unknown_command_in_private_gets_help_pointer(flow):
    person = flow.api.person(52, "Nurbek", None, "ky")
    (reply,) = await flow.say(person, person, "/frobnicate")
    assert reply.text == "Мындай команданы билбейм. Командалардын тизмеси — /help."


async def test_help_lists_year_when_the_bot_has_its_mini_app(flow, council):
    anna = council.people["anna"]  # a Russian reader
    (without,) = await flow.say(anna, anna, "/help")
    assert "/year" not in without.text  # no MINIAPP_URL: /year only lists other commands
    flow.settings.miniapp_url = "https://kenesh.example.org/app/"
    (member_help,) = await flow.say(anna, anna, "/help")
    assert "/year — год совета одним взглядом: план, заседания, решения, материалы" in member_help.text
    (chair_help,) = await flow.say(council.chair, council.chair, "/help")  # a Kyrgyz reader
    assert "/year — кеңештин окуу жылы бир карашта: план, отурумдар, чечимдер, материалдар" in chair_help.text
    (welcome,) = await flow.say(anna, anna, "/start")
    assert "/year — год совета" in welcome.text
