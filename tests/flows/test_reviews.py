"""Expert review of materials (cl. 3.1, 5; issue 23 §3): the chair asks one or two members, never the author;
each gets the file and a short form; the chair reads the reviews when deciding; the author gets the comments,
named only with the reviewer's consent; a late review is reminded once, then the chair is told; the protocol
lists the reviews of a material on its agenda."""

from __future__ import annotations

from datetime import timedelta

import pytest

from db.models import (
    AssociationMember,
    GroupKind,
    JobRun,
    Material,
    MaterialReview,
    MaterialState,
    Meeting,
    MeetingStatus,
    ReviewVerdict,
    TeacherGroup,
)
from tests.conftest import seed_council
from tests.flows.structure_steps import announce, open_with, vote
from tests.flows.test_materials import DOCX, submit


@pytest.fixture
async def council(flow):
    council = await seed_council(flow, members=6)
    await flow.say(council.chair, council.chair, "/start")
    author = next(m for m in await flow.members(council.id) if m.full_name.startswith("Фамилия02"))
    async with flow.sessionmaker() as session:  # the author's association (kept from /groups: test_groups)
        group = TeacherGroup(
            council_id=council.id,
            kind=GroupKind.ASSOCIATION,
            name="Табигый илимдер",
            created_by=council.chair.id,
            created_at=flow.clock.now(),
        )
        session.add(group)
        await session.flush()
        session.add(AssociationMember(member_id=author.id, group_id=group.id, joined_at=flow.clock.now()))
        await session.commit()
    council.author = council.people[2]  # a Russian reader
    await submit(flow, council.author, DOCX, "Бөлчөктөр.docx", "Бөлчөктөр: 5-класс")
    return council


async def _card(flow, chair):
    (listing,) = await flow.say(chair, chair, "/materials")
    await flow.press(chair, listing, "Бөлчөктөр")
    return listing


async def _ask(flow, chair, name: str):
    card = await _card(flow, chair)
    await flow.press(chair, card, "Запросить экспертное заключение")
    await flow.press(chair, card, name)
    return card


async def _review(flow, reviewer, verdict_button: str, comment: str, named_button: str) -> None:
    form = next(m for m in reversed(flow.api.sent_to(reviewer.id)) if m.buttons and "Файл" in m.buttons[0]["text"])
    await flow.press(reviewer, form, verdict_button)
    (ask_named,) = await flow.say(reviewer, reviewer, comment)
    await flow.press(reviewer, ask_named, named_button)


async def test_two_members_review_the_chair_decides_and_the_author_reads_their_comments(flow, council):
    chair, aibek, bermet = council.chair, council.people[3], council.people[4]  # a Kyrgyz and a Russian reader
    (material,) = await flow.rows(Material)
    assert material.group_id == (await flow.rows(TeacherGroup))[0].id  # it carries its author's association
    card = await _card(flow, chair)
    assert "Объединение автора: МО «Табигый илимдер»" in card.text
    await flow.press(chair, card, "Запросить экспертное заключение")
    offered = [b["text"] for b in card.buttons]
    assert "Фамилия02 Мугалим2" not in offered  # never its author
    author = next(m for m in await flow.members(council.id) if m.full_name.startswith("Фамилия02"))
    answer = await flow.press_data(chair, card, f"ex:{material.id}:{author.id}")
    assert answer["text"] == "Автор не может давать заключение на свой материал."
    await flow.press(chair, card, "Фамилия03")
    assert card.text.startswith("Фамилия03 Мугалим3 — запрошено заключение на материал №1")
    file, form = flow.api.sent_to(aibek.id)[-2:]
    assert file.method == "sendDocument" and file.text == "№1 Бөлчөктөр: 5-класс"  # the file, then the form
    assert form.text.startswith("Эксперттик корутунду. Төрага №1 методикалык материалга корутунду берүүнү сурайт")
    assert "Мөөнөтү: 7 күн." in form.text
    await _ask(flow, chair, "Фамилия04")
    card = await _card(flow, chair)
    await flow.press(chair, card, "Запросить экспертное заключение")
    assert "Эту версию материала уже рассматривают два члена совета." in str(flow.api.answers.values())
    # The reviewers answer: Айбек, named, approves; Бермет, anonymously, returns it.
    await flow.press(aibek, form, "Файл")
    assert flow.api.last_to(aibek.id).method == "sendDocument"
    await _review(flow, aibek, "Бекитип", "Мисалдар жакшы, банкка кошууга болот", "Ооба")
    assert flow.api.last_to(aibek.id).text == "Рахмат! Корутундуңуз сакталды жана төрагага жөнөтүлдү."
    to_chair = flow.api.last_to(chair.id)
    assert to_chair.text.splitlines()[:3] == [
        "Экспертное заключение на материал №1 «Бөлчөктөр: 5-класс»",
        "Фамилия03 Мугалим3: утвердить и включить в банк",
        "Комментарий: Мисалдар жакшы, банкка кошууга болот",
    ]
    assert "Утвердить и включить в банк" in str(to_chair.buttons)  # the decision's buttons under it
    await _review(flow, bermet, "Вернуть на доработку", "Добавьте задачи для 6 класса", "Нет, анонимно")
    assert "Автор прочтёт его без имени эксперта." in flow.api.last_to(chair.id).text
    reviews = sorted(await flow.rows(MaterialReview), key=lambda r: r.id)
    assert [(r.verdict, r.named, r.version) for r in reviews] == [
        (ReviewVerdict.APPROVE, True, 1),
        (ReviewVerdict.REVISE, False, 1),
    ]
    # A second answer changes nothing.
    form = next(m for m in reversed(flow.api.sent_to(aibek.id)) if m.buttons and "Файл" in m.buttons[0]["text"])
    answer = await flow.press(aibek, form, "Четке")
    assert answer["text"] == "Корутундуңуз берилген."
    # The chair decides with both reviews before them.
    card = await _card(flow, chair)
    assert "Экспертные заключения" in card.text
    assert "— Фамилия03 Мугалим3: утвердить и включить в банк. Мисалдар жакшы" in card.text
    assert "— Фамилия04 Мугалим4: вернуть на доработку. Добавьте задачи для 6 класса" in card.text
    await flow.press(chair, card, "Утвердить и включить в банк")
    await flow.press(chair, flow.api.last_to(chair.id), "Без комментария")
    (material,) = await flow.rows(Material)
    assert material.state is MaterialState.APPROVED
    told = flow.api.last_to(council.author.id).text
    assert told.startswith("Ваш материал «Бөлчөктөр: 5-класс» утверждён")
    assert "Экспертные заключения\n— Фамилия03 Мугалим3: утвердить и включить в банк. Мисалдар жакшы" in told
    assert "— эксперт: вернуть на доработку. Добавьте задачи для 6 класса" in told
    assert "Фамилия04" not in told  # she did not agree to be named
    # The bank shows the author's association.
    (bank,) = await flow.say(council.author, council.author, "/bank")
    assert "Фамилия02 Мугалим2 (МО «Табигый илимдер»)" in bank.text


async def test_a_late_review_is_reminded_once_then_the_chair_is_told_once(flow, council):
    chair, aibek = council.chair, council.people[3]
    await _ask(flow, chair, "Фамилия03")
    flow.clock.advance(timedelta(days=6))
    before = len(flow.api.sent_to(aibek.id))
    await flow.scheduler.year_check()
    await flow.delivery.drain()
    assert len(flow.api.sent_to(aibek.id)) == before  # six days: not yet
    flow.clock.advance(timedelta(days=1))
    await flow.scheduler.year_check()
    await flow.scheduler.year_check()  # a second run the same day sends nothing more
    await flow.delivery.drain()
    reminders = [m for m in flow.api.sent_to(aibek.id)[before:] if m.text.startswith("Эскертме.")]
    assert len(reminders) == 1 and "Бекитип, банкка кошуу" in str(reminders[0].buttons)
    told_before = len(flow.api.sent_to(chair.id))
    flow.clock.advance(timedelta(days=2))
    await flow.scheduler.year_check()
    await flow.delivery.drain()
    assert len(flow.api.sent_to(chair.id)) == told_before  # the chair is told three days after the reminder
    flow.clock.advance(timedelta(days=1))
    await flow.scheduler.year_check()
    flow.clock.advance(timedelta(days=1))
    await flow.scheduler.year_check()
    await flow.delivery.drain()
    late = [m for m in flow.api.sent_to(chair.id)[told_before:] if "хотя получил(а) напоминание" in m.text]
    assert len(late) == 1
    assert late[0].text.startswith("Фамилия03 Мугалим3 не дал(а) экспертное заключение на материал №1")
    runs = sorted(r.name for r in await flow.rows(JobRun) if r.name.startswith("review-"))
    assert runs == ["review-late:1", "review-remind:1"]


async def test_a_reviewed_material_on_an_agenda_lists_its_reviews_in_the_announcement_and_the_protocol(flow, council):
    chair, aibek, bermet = council.chair, council.people[3], council.people[4]
    await _ask(flow, chair, "Фамилия03")
    await _review(flow, aibek, "Оңдоого", "Тапшырмаларды кошуу керек", "Жок")
    await announce(flow, council)
    before = len(flow.api.sent_to(council.group.id))
    card = await _card(flow, chair)
    await flow.press(chair, card, "Поставить в повестку заседания")
    await flow.press(chair, flow.api.last_to(chair.id), "декабря")
    await flow.delivery.drain()
    # The changed agenda, to the group in both languages and to each member in theirs, lists the review under
    # the material's item, without the reviewer's name: he did not agree to be named.
    (changed,) = [m.text for m in flow.api.sent_to(council.group.id)[before:] if "Күн тартиби өзгөрдү" in m.text]
    ky, ru = changed.split("Повестка дня изменена.")
    item_ky = "2. №1 «Бөлчөктөр: 5-класс» методикалык материалы — Фамилия02 Мугалим2\n    "  # each in its language
    item_ru = "2. Методический материал №1 «Бөлчөктөр: 5-класс» — Фамилия02 Мугалим2\n    "
    assert item_ky + "Эксперттик корутунду (эксперт): оңдоого кайтаруу. Тапшырмаларды кошуу керек" in ky
    assert item_ru + "Экспертное заключение (эксперт): вернуть на доработку. Тапшырмаларды кошуу керек" in ru
    assert "Фамилия03" not in changed
    to_author = flow.api.last_to(council.author.id).text  # a Russian reader
    assert "Экспертное заключение (эксперт): вернуть на доработку" in to_author and "Эксперттик" not in to_author
    # A second review, given while the material is on the agenda, named: the reminder and /meetings list both.
    await _ask(flow, chair, "Фамилия04")
    await _review(flow, bermet, "Утвердить", "Можно в банк", "Да")
    (meeting,) = [m for m in await flow.rows(Meeting) if m.status is MeetingStatus.ANNOUNCED]
    before = len(flow.api.sent_to(council.group.id))
    assert await flow.scheduler.remind(meeting.id, int(meeting.starts_at.timestamp()), 24) is True
    await flow.delivery.drain()
    (reminder,) = flow.api.sent_to(council.group.id)[before:]
    assert "Экспертное заключение (Фамилия04 Мугалим4): утвердить и включить в банк. Можно в банк" in reminder.text
    assert "Эксперттик корутунду (Фамилия04 Мугалим4): бекитип, банкка кошуу. Можно в банк" in reminder.text
    (listing,) = await flow.say(chair, chair, "/meetings")
    assert listing.text.count("Экспертное заключение") == 2
    flow.clock.advance(timedelta(days=8, hours=5))
    voters = council.people[:6]
    await open_with(flow, council, voters)
    await vote(flow, council, "/vote 2 Материал банкка кошулсун", [(p, "Макул") for p in voters])
    await flow.say(chair, council.group, "/close")
    (ky, ru) = [m.text for m in flow.api.sent_to(council.group.id) if "ПРОТОКОЛ" in m.text]
    assert "Экспертное заключение (эксперт): вернуть на доработку. Тапшырмаларды кошуу керек" in ru
    assert "Эксперттик корутунду (эксперт): оңдоого кайтаруу. Тапшырмаларды кошуу керек" in ky
    assert "Экспертное заключение (Фамилия04 Мугалим4): утвердить и включить в банк. Можно в банк" in ru
    # The reviewer's name stays out: they did not agree to be named.
    assert "Фамилия03" not in ru.split("Экспертное заключение")[1].splitlines()[0]
    (material,) = await flow.rows(Material)
    assert material.state is MaterialState.APPROVED
    # Decided: the form no longer takes an answer.
    form = next(m for m in reversed(flow.api.sent_to(aibek.id)) if m.buttons and "Файл" in m.buttons[0]["text"])
    answer = await flow.press(aibek, form, "Бекитип")
    assert answer["text"] == "Корутундуңуз берилген."


async def test_a_kyrgyz_chair_asks_for_a_review_and_reads_it_in_kyrgyz(flow):
    council = await seed_council(flow, members=5, chair_locale="ky")
    chair, author, aibek = council.chair, council.people[2], council.people[3]  # a Russian author, a Kyrgyz expert
    await flow.say(chair, chair, "/start")
    await submit(flow, author, DOCX, "Бөлчөктөр.docx", "Бөлчөктөр: 5-класс")
    card = await _card(flow, chair)
    await flow.press(chair, card, "Эксперттик корутунду суроо")
    assert "Фамилия02" not in str(card.buttons)  # never its author
    await flow.press(chair, card, "Фамилия03")
    await _review(flow, aibek, "Бекитип", "Жакшы иштелип чыккан", "Жок")
    assert flow.api.last_to(chair.id).text.splitlines() == [
        "№1 «Бөлчөктөр: 5-класс» материалы боюнча эксперттик корутунду",
        "Фамилия03 Мугалим3: бекитип, банкка кошуу",
        "Пикир: Жакшы иштелип чыккан",
        "Автор муну эксперттин аты-жөнүсүз окуйт.",
    ]
    card = await _card(flow, chair)
    assert "Эксперттик корутундулар\n— Фамилия03 Мугалим3: бекитип, банкка кошуу. Жакшы иштелип чыккан" in card.text
