"""A school year of the council's structure, end to end through the Dispatcher (issue 23, "Done when"): two
associations made from /groups, their heads and themes approved at the first meeting, a decision carried out
on time; at the second, one association's report rated and a material reviewed by two members and approved;
two weeks before the last pedagogical council the chair's draft of the 7.6 report has the year's figures."""

from __future__ import annotations

import io
from datetime import datetime

from docx import Document

from db.models import (
    FollowUp,
    FollowUpState,
    GroupProposal,
    GroupReport,
    Material,
    MaterialState,
    ProposalState,
    Rating,
)
from tests.conftest import BISHKEK, seed_council
from tests.flows.structure_steps import new_association, onto_agenda, open_page, open_with, propose_head, vote
from tests.flows.test_materials import DOCX, submit


def move_to(flow, when: datetime) -> None:
    flow.clock.advance(when - flow.clock.now())


async def _announce(flow, chair, day: str, items: str) -> None:
    (preview,) = await flow.say(chair, chair, f"/agenda {day} 15:00\n{items}")
    await flow.press(chair, preview, "Опубликовать")


async def test_a_year_with_two_associations_ends_in_the_right_figures(flow):
    council = await seed_council(flow, members=10)
    chair, people = council.chair, council.people
    await flow.say(chair, chair, "/start")
    (preview,) = await flow.say(chair, chair, "/plan 03.12.2026 Жылдын башталышы\n18.03.2027 Жылдын жыйынтыгы")
    await flow.press(chair, preview, "Сохранить")  # two meetings planned

    # Two associations, each with a candidate for head and this year's theme.
    for name, area, head, theme in (
        ("Табигый илимдер", "биология, химия", "Фамилия02", "Изилдөө аркылуу окутуу"),
        ("Тил жана адабият", "кыргыз тили, орус тили", "Фамилия03", "Окуу сабаттуулугу"),
    ):
        page = await new_association(flow, chair, name, area)
        await propose_head(flow, chair, page, head)
        await flow.press(chair, page, "Тема этого года")
        await flow.say(chair, chair, theme)

    # Meeting 1 (3 December): the plan of work, then an item for each head and each theme.
    await _announce(flow, chair, "03.12.2026", "1. Иш планы")
    for name in ("Табигый", "Тил жана"):
        for button in ("Утверждение руководителя в повестку", "Утверждение темы в повестку"):
            page = await open_page(flow, chair, name)
            await onto_agenda(flow, chair, page, button, "декабря")
    move_to(flow, datetime(2026, 12, 3, 15, 0, tzinfo=BISHKEK))
    present = people[:8]
    await open_with(flow, council, present)
    for number in range(1, 6):
        await vote(flow, council, f"/vote {number} Бекитилсин", [(p, "Макул") for p in present])
    await flow.say(chair, council.group, "/close")
    assert {p.state for p in await flow.rows(GroupProposal)} == {ProposalState.APPROVED}
    # The plan of work is followed up and carried out on time.
    prompt = next(m for m in flow.api.sent_to(chair.id) if "Решение принято: Бекитилсин" in m.text)
    await flow.press(chair, prompt, "Фамилия01")
    await flow.say(chair, chair, "20.12.2026")
    move_to(flow, datetime(2026, 12, 15, 10, 0, tzinfo=BISHKEK))
    responsible = people[1]
    told = next(m for m in flow.api.sent_to(responsible.id) if m.buttons and "Аткарылды" in m.buttons[0]["text"])
    await flow.press(responsible, told, "Аткарылды")
    await flow.say(responsible, responsible, "Иш планы бекитилди жана аткарылууда")
    (follow_up,) = await flow.rows(FollowUp)
    assert follow_up.state is FollowUpState.DONE

    # A material, reviewed by two members, both for the bank.
    author = people[4]  # a Russian reader
    await submit(flow, author, DOCX, "Бөлчөктөр.docx", "Бөлчөктөр: 5-класс")
    for reviewer_name, reviewer in (("Фамилия06", people[6]), ("Фамилия07", people[7])):
        (listing,) = await flow.say(chair, chair, "/materials")
        await flow.press(chair, listing, "Бөлчөктөр")
        await flow.press(chair, listing, "Запросить экспертное заключение")
        await flow.press(chair, listing, reviewer_name)
        form = next(m for m in reversed(flow.api.sent_to(reviewer.id)) if m.buttons and "Файл" in m.buttons[0]["text"])
        await flow.press(reviewer, form, "банк")
        (ask_named,) = await flow.say(reviewer, reviewer, "Жакшы иштелип чыккан")
        await flow.press(reviewer, ask_named, "Да" if reviewer is people[6] else "Ооба")

    # Meeting 2 (18 March): the report of Табигый илимдер and the material.
    move_to(flow, datetime(2027, 3, 10, 10, 0, tzinfo=BISHKEK))
    await _announce(flow, chair, "18.03.2027", "1. Жылдын жыйынтыгы")
    page = await open_page(flow, chair, "Табигый")
    await onto_agenda(flow, chair, page, "Его отчёт в повестку", "марта")
    (listing,) = await flow.say(chair, chair, "/materials")
    await flow.press(chair, listing, "Бөлчөктөр")
    await flow.press(chair, listing, "Поставить в повестку заседания")
    await flow.press(chair, flow.api.last_to(chair.id), "марта")
    move_to(flow, datetime(2027, 3, 18, 15, 0, tzinfo=BISHKEK))
    present = people[:9]
    await open_with(flow, council, present)
    await flow.say(chair, council.group, "/heard 2 Фамилия02 Мугалим2")
    rated = [(p, "Высокий") for p in present[:6]] + [(p, "Удовлетворительный") for p in present[6:]]
    await vote(flow, council, "/rate 2", rated)
    await vote(flow, council, "/vote 3 Банкка кошулсун", [(p, "Макул") for p in present])
    await flow.say(chair, council.group, "/close")
    (report,) = await flow.rows(GroupReport)
    assert (report.rating, report.votes_high, report.votes_satisfactory) == (Rating.HIGH, 6, 3)
    (material,) = await flow.rows(Material)
    assert material.state is MaterialState.APPROVED

    # The last pedagogical council on 10 June: on 27 May the chair gets the draft.
    (menu,) = await flow.say(chair, chair, "/settings")
    await flow.press(chair, menu, "Последний педсовет")
    await flow.say(chair, chair, "10.06.2027")
    move_to(flow, datetime(2027, 5, 27, 9, 0, tzinfo=BISHKEK))
    before = len(flow.api.sent_to(chair.id))
    await flow.scheduler.year_check()
    await flow.delivery.drain()
    (document,) = [m for m in flow.api.sent_to(chair.id)[before:] if m.method == "sendDocument"]
    content, _name = flow.api.files[document.document["file_id"]]
    text = [p.text.replace("\u202f", " ") for p in Document(io.BytesIO(content)).paragraphs]
    ru = text[text.index("1. Заседания") :]
    ky = text[: text.index("1. Заседания")]
    assert "Заседаний запланировано: 2; проведено: 2." in ru
    # Five decisions at the first meeting and the material's at the second; the rating is no decision.
    assert "Решений поставлено на голосование: 6; принято: 6; не принято: 0; без кворума: 0." in ru
    assert "Исполнено принятых решений: 1 (в срок — 1); ещё исполняются: 0; просрочено: 0." in ru
    assert "Подано материалов: 1; прошли экспертизу: 1; включено в банк педагогических идей: 1." in ru
    assert (
        "МО «Табигый илимдер»; руководитель: Фамилия02 Мугалим2; тема: «Изилдөө аркылуу окутуу»; "
        "оценка отчёта: высокий уровень (протокол №2)." in ru
    )
    assert (
        "МО «Тил жана адабият»; руководитель: Фамилия03 Мугалим3; тема: «Окуу сабаттуулугу»; "
        "в этом году отчёт не оценивался." in ru
    )
    assert "Средняя посещаемость: 85%" in ru  # 8 of 10, then 9 of 10
    assert "Фамилия09 Мугалим9: 0 из 2 (0%)" in ru and "Фамилия08 Мугалим8: 1 из 2 (50%)" in ru
    assert "Пландалган отурумдар: 2; өткөрүлгөндөр: 2." in ky
    assert (
        "Тапшырылган материалдар: 1; эксперттер карап чыккандары: 1; педагогикалык идеялардын банкына "
        "кошулгандары: 1." in ky
    )
    assert (
        "«Табигый илимдер» МБ; жетекчиси: Фамилия02 Мугалим2; темасы: «Изилдөө аркылуу окутуу»; "
        "отчетуна берилген баа: жогорку деңгээл (№2 протокол)." in ky
    )
    # A theme is the year's: in the next school year the heads still count, the themes wait for a new vote.
    (listing,) = await flow.say(chair, chair, "/groups")
    assert "1. Табигый илимдер; биология, химия; руководитель: Фамилия02 Мугалим2; тема: «Изилдөө аркылуу окутуу»" in (
        listing.text
    )
    move_to(flow, datetime(2027, 9, 2, 9, 0, tzinfo=BISHKEK))
    (listing,) = await flow.say(chair, chair, "/groups")
    assert "2027-2028 учебный год" in listing.text
    assert "1. Табигый илимдер; биология, химия; руководитель: Фамилия02 Мугалим2; тема ещё не утверждена" in (
        listing.text
    )
