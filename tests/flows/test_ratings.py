"""Reports heard and rated (cl. 3.1, 5; issue 23 §2): an association's report is an agenda item (the head reports
and is told); at the meeting the chair opens a rating vote on the school's scale, with cl. 7.7's quorum; the
option with most votes is recorded, a tie as a tie; the protocol records it; the page keeps ratings by year."""

from __future__ import annotations

from datetime import timedelta

import pytest

from db.models import (
    AgendaItem,
    Ballot,
    Choice,
    GroupKind,
    GroupProposal,
    GroupReport,
    Member,
    Outcome,
    ProposalKind,
    ProposalState,
    Rating,
    TeacherGroup,
    Vote,
    VoteKind,
)
from tests.conftest import seed_council
from tests.flows.structure_steps import announce, onto_agenda, open_page, open_with, vote

HIGH, SATISFACTORY, UNSATISFACTORY = "Высокий", "Удовлетворительный", "Неудовлетворительный"


async def seed_association(flow, council, name: str, head: str, kind: GroupKind = GroupKind.ASSOCIATION) -> int:
    """An association whose head the council approved already (approving is tested in test_groups)."""
    now = flow.clock.now()
    async with flow.sessionmaker() as session:
        member = next(m for m in await flow.members(council.id) if m.full_name.startswith(head))
        group = TeacherGroup(council_id=council.id, kind=kind, name=name, created_by=council.chair.id, created_at=now)
        session.add(group)
        await session.flush()
        session.add(
            GroupProposal(
                group_id=group.id,
                kind=ProposalKind.HEAD,
                school_year=2026,
                member_id=member.id,
                state=ProposalState.APPROVED,
                created_by=council.chair.id,
                created_at=now,
                decided_at=now,
            )
        )
        await session.commit()
        return group.id


@pytest.fixture
async def council(flow):
    council = await seed_council(flow, members=10)
    await flow.say(council.chair, council.chair, "/start")
    await seed_association(flow, council, "Табигый илимдер", "Фамилия02")  # a Russian reader heads it
    await seed_association(flow, council, "Долбоорлор", "Фамилия03", GroupKind.CREATIVE)  # a Kyrgyz one
    return council


async def _reports_on_agenda(flow, council) -> None:
    await announce(flow, council)
    for name in ("Табигый", "Долбоорлор"):
        page = await open_page(flow, council.chair, name)
        await onto_agenda(flow, council.chair, page, "Его отчёт в повестку", "декабря")
    flow.clock.advance(timedelta(days=8, hours=5))


async def test_a_report_on_the_agenda_is_rated_on_the_schools_scale_and_a_tie_is_a_tie(flow, council):
    chair, anna, aibek = council.chair, council.people[2], council.people[3]
    await _reports_on_agenda(flow, council)
    items = sorted(await flow.rows(AgendaItem), key=lambda i: i.position)
    assert [(i.title, i.reporter) for i in items] == [
        ("Иш планы", None),
        ("Отчёт методического объединения «Табигый илимдер»", "Фамилия02 Мугалим2"),
        ("Отчёт творческой группы «Долбоорлор»", "Фамилия03 Мугалим3"),
    ]
    told = [m.text for m in flow.api.sent_to(anna.id) if "Ваш отчёт" in m.text]
    assert told == [
        "Ваш отчёт (МО «Табигый илимдер») — вопрос 2 повестки заседания методического совета "
        "(3 декабря 2026 г., 15:00). После отчёта совет оценит работу.".replace(" г.", "\u202fг.")
    ]
    assert any("Сиздин отчетуңуз («Долбоорлор» чыгармачыл тобу)" in m.text for m in flow.api.sent_to(aibek.id))
    voters = council.people[:9]
    await open_with(flow, council, voters)
    (refused,) = await flow.say(chair, council.group, "/rate 1")
    assert refused.text == "Вопрос 1 — не отчёт объединения или группы."
    (refused,) = await flow.say(anna, council.group, "/rate 2")
    assert refused.text == "Это может сделать только председатель или секретарь совета."
    # The report of item 2: five high, three satisfactory, one unsatisfactory.
    rating = await vote(flow, council, "/rate 2", [], close=False)
    assert rating.text.startswith("Отчетко баа берүү (күн тартибинин 2-маселеси)")
    # The item in each part's own words (the bot composed it), not the chair's Russian in the Kyrgyz part.
    assert "«Табигый илимдер» методикалык бирикмесинин отчету" in rating.text.split("Оценка отчёта")[0]
    assert "Отчёт методического объединения «Табигый илимдер»" in rating.text.split("Оценка отчёта")[1]
    assert [b["text"] for b in rating.buttons][:3] == [
        "Жогорку / Высокий",
        "Канааттандырарлык / Удовлетворительный",
        "Канааттандырарлык эмес / Неудовлетворительный",
    ]
    answer = await flow.press(anna, rating, HIGH)
    assert answer["text"] == "Голос учтён: Высокий"
    for person in voters[3:7]:
        await flow.press(person, rating, HIGH)
    for person in voters[7:9] + [voters[0]]:
        await flow.press(person, rating, SATISFACTORY)
    await flow.press(voters[1], rating, UNSATISFACTORY)
    (busy,) = await flow.say(chair, council.group, "/rate 2")
    assert busy.text == "Этот отчёт уже оценён или оценивается сейчас."
    await flow.press(chair, rating, "Добушту жабуу")
    await flow.live.flush()
    assert "Оценка: высокий уровень." in rating.text and "Баа: жогорку деңгээл." in rating.text
    assert "высокий 5, удовлетворительный 3, неудовлетворительный 1" in rating.text
    assert rating.buttons == []
    # The group's report of item 3: four high, four satisfactory, one unsatisfactory: a tie.
    pressing = (
        [(p, HIGH) for p in voters[:4]] + [(p, SATISFACTORY) for p in voters[4:8]] + [(voters[8], UNSATISFACTORY)]
    )
    tie = await vote(flow, council, "/rate 3", pressing)
    assert "Оценка: голоса поровну разделились между ведущими вариантами." in tie.text
    reports = sorted(await flow.rows(GroupReport), key=lambda r: r.item_position)
    assert [
        (r.item_position, r.rating, r.votes_high, r.votes_satisfactory, r.votes_unsatisfactory) for r in reports
    ] == [
        (2, Rating.HIGH, 5, 3, 1),
        (3, Rating.TIE, 4, 4, 1),
    ]
    votes = await flow.rows(Vote)
    assert {(v.kind, v.outcome) for v in votes} == {(VoteKind.RATING, Outcome.RATED)}
    ballots = await flow.rows(Ballot, Ballot.vote_id == reports[0].vote_id)
    assert sorted(b.choice.value for b in ballots).count(Choice.HIGH.value) == 5  # kept as the school's scale
    # A rating is no decision to carry out: the chair is not asked who is responsible (cl. 7.6).
    assert not any("Решение принято" in m.text for m in flow.api.sent_to(chair.id))
    await flow.say(chair, council.group, "/close")
    (ky, ru) = [m.text for m in flow.api.sent_to(council.group.id) if "ПРОТОКОЛ" in m.text]
    assert "Оценили: Отчёт методического объединения «Табигый илимдер»" in ru
    assert (
        "Открытое голосование: высокий 5, удовлетворительный 3, неудовлетворительный 1. Оценка: высокий уровень." in ru
    )
    assert "Баа берилди: «Долбоорлор» чыгармачыл тобунун отчету" in ky  # the item in each language's own words
    assert "Ачык добуш берүү: жогорку 4, канааттандырарлык 4, канааттандырарлык эмес 1. Баа: эң көп добуш алган" in ky
    assert "Принято." not in ru.split("Оценили")[1]  # a rating is no decision
    # The association's page keeps its rating by year.
    page = await open_page(flow, anna, "Табигый")
    assert "Оценки его отчётов\n2026-2027: высокий уровень (протокол №1)" in page.text


async def test_without_quorum_nothing_is_rated_and_the_report_can_be_rated_again(flow, council):
    await _reports_on_agenda(flow, council)
    voters = council.people[:6]  # six of ten: 2/3 needs seven
    await open_with(flow, council, voters)
    first = await vote(flow, council, "/rate 2", [(p, HIGH) for p in voters])
    assert "Оценка: нет кворума — оценка неправомочна." in first.text
    (report,) = [r for r in await flow.rows(GroupReport) if r.item_position == 2]
    assert report.rating is Rating.NO_QUORUM
    page = await open_page(flow, council.chair, "Табигый")
    assert "Оценки его отчётов" not in page.text
    # A seventh member arrives: the report is rated again, and now it counts.
    attendance = next(m for m in flow.api.sent_to(council.group.id) if "Присутствую" in str(m.reply_markup))
    await flow.press(council.people[6], attendance, "Присутствую")
    second = await vote(flow, council, "/rate 2", [(p, SATISFACTORY) for p in council.people[:7]])
    assert "Оценка: удовлетворительный уровень." in second.text
    (report,) = [r for r in await flow.rows(GroupReport) if r.item_position == 2]
    assert (report.rating, report.votes_satisfactory) == (Rating.SATISFACTORY, 7)
    head = next(m for m in await flow.rows(Member) if m.full_name.startswith("Фамилия02"))
    assert head.full_name == "Фамилия02 Мугалим2"
