"""The school's rating scale (issue 23 §2): the chair picks it in /settings from the scales schools use, logged; a
rating vote takes the scale when it opens and keeps it for its buttons, its count, its close (most votes wins, a
tie a tie), the protocol, the association's page, the 7.6 report, the Mini App and /log, whatever the chair
picks meanwhile. The default scale is test_ratings.py's, unchanged."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from docx import Document

from bot.ui.callbacks import RatingScaleCb
from db.models import AuditAction, AuditEntry, Council, GroupKind, GroupReport, Rating, RatingScale, Vote
from tests.conftest import TOKEN, seed_council
from tests.flows.structure_steps import announce, onto_agenda, open_page, open_with, vote
from tests.flows.test_ratings import seed_association
from tests.miniapp import init_data, miniapp_server

THREE = ["Жогорку / Высокий", "Канааттандырарлык / Удовлетворительный", "Канааттандырарлык эмес / Неудовлетворительный"]
FOUR = [
    "Жогорку / Высокий",
    "Жакшы / Хороший",
    "Канааттандырарлык / Удовлетворительный",
    "Канааттандырарлык эмес / Неудовлетворительный",
]
HIGH_MEDIUM_LOW = ["Жогорку / Высокий", "Орто / Средний", "Төмөн / Низкий"]
RU_SCALES = [
    "Высокий / Удовлетворительный / Неудовлетворительный",
    "Высокий / Средний / Низкий",
    "Высокий / Хороший / Удовлетворительный / Неудовлетворительный",
]


@pytest.fixture
async def council(flow):
    council = await seed_council(flow, members=10)
    await flow.say(council.chair, council.chair, "/start")
    await seed_association(flow, council, "Табигый илимдер", "Фамилия02")
    await seed_association(flow, council, "Долбоорлор", "Фамилия03", GroupKind.CREATIVE)
    return council


async def choose_scale(flow, chair, words: str):
    """/settings, then the scale whose button has these words: the settings message."""
    (menu,) = await flow.say(chair, chair, "/settings")
    await flow.press(chair, menu, words)
    return menu


async def reports_on_agenda(flow, council) -> None:
    """Both groups' reports on the agenda (items 2 and 3); the meeting day at 15:00."""
    await announce(flow, council)
    for name in ("Табигый", "Долбоорлор"):
        page = await open_page(flow, council.chair, name)
        await onto_agenda(flow, council.chair, page, "Его отчёт в повестку", "декабря")
    flow.clock.advance(timedelta(days=8, hours=5))


def scale_buttons(menu) -> list[str]:
    return [b["text"] for b in menu.buttons if " / " in b["text"]]


@pytest.mark.parametrize(
    ("locale", "line", "old", "new", "chosen", "already"),
    [
        (
            "ru",
            "Шкала оценки отчётов: {}.",
            "Высокий / Удовлетворительный / Неудовлетворительный",
            "Высокий / Хороший / Удовлетворительный / Неудовлетворительный",
            "Хороший",
            "Это уже выбрано.",
        ),
        (
            "ky",
            "Отчетторду баалоо шкаласы: {}.",
            "Жогорку / Канааттандырарлык / Канааттандырарлык эмес",
            "Жогорку / Жакшы / Канааттандырарлык / Канааттандырарлык эмес",
            "Жакшы",
            "Бул мурунтан эле тандалган.",
        ),
    ],
    ids=["ru", "ky"],
)
async def test_the_chair_picks_the_scale_in_settings_and_the_log_records_it(
    flow, locale, line, old, new, chosen, already
):
    council = await seed_council(flow, members=4, chair_locale=locale)
    chair = council.chair
    (menu,) = await flow.say(chair, chair, "/settings")
    assert line.format(old) in menu.text
    scales = scale_buttons(menu)
    assert len(scales) == 3 and scales[0] == f"✓ {old}" and not any(s.startswith("✓") for s in scales[1:])
    await flow.press(chair, menu, chosen)
    assert line.format(new) in menu.text
    assert f"✓ {new}" in scale_buttons(menu) and old in scale_buttons(menu)
    # The current one pressed again: answered, the message not edited, nothing logged twice.
    edits = menu.edits
    answer = await flow.press(chair, menu, chosen)
    assert answer["text"] == already and menu.edits == edits and flow.api.errors == []
    (stored,) = await flow.rows(Council)
    assert stored.rating_scale is RatingScale.HGSU
    (entry,) = await flow.rows(AuditEntry, AuditEntry.action == AuditAction.RATING_SCALE_SET)
    assert (entry.actor_id, entry.before, entry.after) == (chair.id, "hsu", "hgsu")
    (log,) = await flow.say(chair, chair, "/log")
    assert f"{old} → {new}" in log.text
    # A member's press (a forged one: a member's /settings has no buttons) changes nothing.
    answer = await flow.press_data(council.people[1], menu, RatingScaleCb(scale=RatingScale.HML).pack())
    assert answer["text"] == "Муну бул кеңештин төрагасы гана жасай алат."  # a Kyrgyz reader
    (stored,) = await flow.rows(Council)
    assert stored.rating_scale is RatingScale.HGSU


async def test_a_report_rated_on_the_four_level_scale_everywhere_it_shows(flow, council):
    chair, voters = council.chair, council.people[:9]
    await choose_scale(flow, chair, "Хороший")
    await reports_on_agenda(flow, council)
    await open_with(flow, council, voters)
    # Item 2: two high, five good, one satisfactory, one unsatisfactory.
    rating = await vote(flow, council, "/rate 2", [], close=False)
    assert [b["text"] for b in rating.buttons][:5] == [
        *FOUR,
        "Добушту жабуу (төрага) / Закрыть голосование (председатель)",
    ]
    answer = await flow.press(voters[2], rating, "Хороший")
    assert answer["text"] == "Голос учтён: Хороший"
    for person in voters[3:7]:
        await flow.press(person, rating, "Хороший")
    for person in voters[7:9]:
        await flow.press(person, rating, "Высокий")
    await flow.press(voters[0], rating, "Канааттандырарлык /")
    await flow.press(voters[1], rating, "Неудовлетворительный")
    await flow.live.flush()
    assert "Жакшы: 5 — " in rating.text and "Хороший: 5 — " in rating.text
    await flow.press(chair, rating, "Добушту жабуу")
    await flow.live.flush()
    assert "Оценка: хороший уровень." in rating.text and "Баа: жакшы деңгээл." in rating.text
    assert "высокий 2, хороший 5, удовлетворительный 1, неудовлетворительный 1" in rating.text
    assert "жогорку 2, жакшы 5, канааттандырарлык 1, канааттандырарлык эмес 1" in rating.text
    # Item 3: three high, three good, two satisfactory, one unsatisfactory: a tie on the four-level scale.
    pressing = (
        [(p, "Высокий") for p in voters[:3]]
        + [(p, "Хороший") for p in voters[3:6]]
        + [(p, "Канааттандырарлык /") for p in voters[6:8]]
        + [(voters[8], "Неудовлетворительный")]
    )
    tie = await vote(flow, council, "/rate 3", pressing)
    assert "Оценка: голоса поровну разделились между ведущими вариантами." in tie.text
    assert "высокий 3, хороший 3, удовлетворительный 2, неудовлетворительный 1" in tie.text
    reports = sorted(await flow.rows(GroupReport), key=lambda r: r.item_position)
    assert [
        (r.rating, r.votes_high, r.votes_good, r.votes_satisfactory, r.votes_unsatisfactory, r.votes_medium)
        for r in reports
    ] == [(Rating.GOOD, 2, 5, 1, 1, None), (Rating.TIE, 3, 3, 2, 1, None)]
    assert {v.rating_scale for v in await flow.rows(Vote)} == {RatingScale.HGSU}

    # The protocol, in both languages.
    await flow.say(chair, council.group, "/close")
    (ky, ru) = [m.text for m in flow.api.sent_to(council.group.id) if "ПРОТОКОЛ" in m.text]
    assert (
        "Открытое голосование: высокий 2, хороший 5, удовлетворительный 1, неудовлетворительный 1. "
        "Оценка: хороший уровень." in ru
    )
    assert (
        "Ачык добуш берүү: жогорку 2, жакшы 5, канааттандырарлык 1, канааттандырарлык эмес 1. Баа: жакшы деңгээл." in ky
    )
    # The association's page, in Russian and in Kyrgyz.
    page = await open_page(flow, council.people[2], "Табигый")
    assert "2026-2027: хороший уровень (протокол №1)" in page.text
    page = await open_page(flow, council.people[3], "Табигый")
    assert "2026-2027: жакшы деңгээл (протокол №1)" in page.text
    # /log: the scale each vote opened with, and the rating it recorded.
    (log,) = await flow.say(chair, chair, "/log")
    assert "шкала: Высокий / Хороший / Удовлетворительный / Неудовлетворительный" in log.text
    assert "оценка: хороший уровень" in log.text
    # The 7.6 report counts the four-level rating, in the group's two languages.
    (sent,) = await flow.say(chair, chair, "/report 2026-2027 docx")
    content, _name = flow.api.files[sent.document["file_id"]]
    text = "\n".join(p.text.replace("\u202f", " ") for p in Document(io.BytesIO(content)).paragraphs)
    assert "оценка отчёта: хороший уровень (протокол №1)" in text
    assert "отчетуна берилген баа: жакшы деңгээл (№1 протокол)" in text
    assert "оценка отчёта: голоса поровну разделились между ведущими вариантами (протокол №1)" in text  # the tie
    # The Mini App's meeting page: each rating vote with its rating and its scale's votes.
    (meeting_id,) = {v.meeting_id for v in await flow.rows(Vote)}
    async with miniapp_server(flow) as server:
        init = init_data(TOKEN, chair, flow.clock.now())
        code, html, _headers = await server.api("meeting", init, {"meeting": meeting_id, "lang": "ru"})
    assert code == 200
    assert '<span class="badge ok">хороший уровень</span>' in html
    assert "высокий 2, хороший 5, удовлетворительный 1, неудовлетворительный 1</span>" in html
    assert "за 0, против 0, воздержались 0" not in html


async def test_a_vote_opened_before_the_scale_changes_keeps_its_scale(flow, council):
    chair, voters = council.chair, council.people[:9]
    await reports_on_agenda(flow, council)
    await open_with(flow, council, voters)
    first = await vote(flow, council, "/rate 2", [], close=False)
    assert [b["text"] for b in first.buttons][:3] == THREE
    # The chair picks high / medium / low while the vote is open: the open vote keeps its three options.
    menu = await choose_scale(flow, chair, "Средний")
    assert "✓ Высокий / Средний / Низкий" in scale_buttons(menu)
    for person in voters[:7]:
        await flow.press(person, first, "Канааттандырарлык /")
    await flow.press(voters[7], first, "Высокий")
    await flow.live.flush()
    assert [b["text"] for b in first.buttons][:3] == THREE
    assert "Средний" not in first.text
    await flow.press(chair, first, "Добушту жабуу")
    await flow.live.flush()
    assert "Оценка: удовлетворительный уровень." in first.text
    assert "высокий 1, удовлетворительный 7, неудовлетворительный 0" in first.text
    # The next rating vote takes the new scale.
    pressing = [(p, "Средний") for p in voters[:5]] + [(p, "Низкий") for p in voters[5:7]] + [(voters[7], "Высокий")]
    second = await vote(flow, council, "/rate 3", pressing, close=False)
    assert [b["text"] for b in second.buttons][:3] == HIGH_MEDIUM_LOW
    # The chair goes back to the default: the open vote still counts on high / medium / low.
    await choose_scale(flow, chair, RU_SCALES[0])
    await flow.press(chair, second, "Добушту жабуу")
    await flow.live.flush()
    assert "Оценка: средний уровень." in second.text and "Баа: орто деңгээл." in second.text
    assert "высокий 1, средний 5, низкий 2" in second.text and "жогорку 1, орто 5, төмөн 2" in second.text
    votes = sorted(await flow.rows(Vote), key=lambda v: v.item_position)
    assert [v.rating_scale for v in votes] == [RatingScale.HSU, RatingScale.HML]
    reports = sorted(await flow.rows(GroupReport), key=lambda r: r.item_position)
    assert [
        (r.rating, r.votes_high, r.votes_satisfactory, r.votes_unsatisfactory, r.votes_medium, r.votes_low)
        for r in reports
    ] == [(Rating.SATISFACTORY, 1, 7, 0, None, None), (Rating.MEDIUM, 1, None, None, 5, 2)]
    # The protocol records each on the scale it was rated on.
    await flow.say(chair, council.group, "/close")
    (ky, ru) = [m.text for m in flow.api.sent_to(council.group.id) if "ПРОТОКОЛ" in m.text]
    assert "высокий 1, удовлетворительный 7, неудовлетворительный 0. Оценка: удовлетворительный уровень." in ru
    assert "высокий 1, средний 5, низкий 2. Оценка: средний уровень." in ru
    assert "жогорку 1, орто 5, төмөн 2. Баа: орто деңгээл." in ky
