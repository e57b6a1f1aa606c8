"""The council's founding and its chair (cl. 7.1, 4.1, 7.2; issue 23 §4): recorded in /settings, in every
protocol's heading; members approved without a director's order are "order pending" to the chair, with a list
to fill in; a new chair's order is pending until recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from db.models import AuditAction, AuditEntry, Council, Member, Role
from tests.conftest import seed_council
from tests.flows.structure_steps import announce, open_with


@pytest.fixture
async def council(flow):
    council = await seed_council(flow, members=10, participants=1)
    await flow.say(council.chair, council.chair, "/start")
    return council


async def _record(flow, chair, button: str, text: str):
    (menu,) = await flow.say(chair, chair, "/settings")
    await flow.press(chair, menu, button)
    return await flow.say(chair, chair, text)


async def test_the_founding_decision_and_the_chairs_order_head_every_protocol(flow, council):
    chair = council.chair
    (menu,) = await flow.say(chair, chair, "/settings")
    assert "Школа: Мектеп №5" in menu.text  # the group's title until a name is given
    assert "Решение педагогического совета о создании совета (п. 7.1): ещё не внесено." in menu.text
    assert "📝 Приказ директора о назначении председателя (п. 4.1): ожидается, внесите его ниже." in menu.text
    (refused,) = await _record(flow, chair, "Решение о создании совета", "28.08.2026")
    assert refused.text == "Напишите номер и дату, например: 15 01.09.2026"
    (row,) = await flow.rows(Council)
    assert row.founding_protocol is None
    (shown,) = await flow.say(chair, chair, "1 28.08.2026")  # the step waits for a good answer
    assert "Создан решением педагогического совета, протокол №1 от 28 авг. 2026 г." in shown.text.replace("\u202f", " ")
    (shown,) = await _record(flow, chair, "Приказ о назначении председателя", "№15 01.09.2026")
    assert "Председатель назначен приказом директора №15 от 1 сент. 2026 г." in shown.text.replace("\u202f", " ")
    (shown,) = await _record(flow, chair, "Название школы", "Ош шаарындагы №5 орто мектеп")
    assert "Школа: Ош шаарындагы №5 орто мектеп" in shown.text
    (row,) = await flow.rows(Council)
    assert (row.founding_protocol, row.founded_on.isoformat()) == ("1", "2026-08-28")
    assert (row.chair_order_number, row.chair_order_date.isoformat()) == ("15", "2026-09-01")
    logged = await flow.rows(AuditEntry, AuditEntry.action.in_((AuditAction.FOUNDING_SET, AuditAction.CHAIR_ORDER_SET)))
    assert sorted((e.action, e.after) for e in logged) == [
        (AuditAction.CHAIR_ORDER_SET, "15 01.09.2026"),
        (AuditAction.FOUNDING_SET, "1 28.08.2026"),
    ]
    # A meeting's protocol, in both of the group's languages, opens with both.
    await announce(flow, council)
    flow.clock.advance(timedelta(days=8, hours=5))
    await open_with(flow, council, council.people[:8])
    await flow.say(chair, council.group, "/close")
    posted = [m.text.replace("\u202f", " ") for m in flow.api.sent_to(council.group.id) if "ПРОТОКОЛ" in m.text]
    (ky, ru) = posted
    assert ky.splitlines()[1:3] == [
        "Педагогикалык кеңештин чечими менен түзүлгөн, 2026-ж., 28-авг. күнкү №1 протокол",
        "Төрага директордун 2026-ж., 1-сен. күнкү №15 буйругу менен дайындалган",
    ]
    assert ru.splitlines()[1:3] == [
        "Создан решением педагогического совета, протокол №1 от 28 авг. 2026 г.",
        "Председатель назначен приказом директора №15 от 1 сент. 2026 г.",
    ]


async def test_members_without_an_order_are_pending_to_the_chair_with_a_list_to_fill_in(flow, council):
    chair = council.chair
    (listing,) = await flow.say(chair, chair, "/members")
    text = listing.text
    assert "Фамилия03 Мугалим3 — учитель, член совета · с положением ознакомлен(а)" in text
    # Nine teachers marked, as many as the footer counts; the chair's own appointment (cl. 4.1) said apart.
    assert text.count("📝 приказ ожидается") == 9 and "⏳" not in text
    assert text.count("📝 приказ о назначении ожидается (/settings)") == 1
    assert "📝 Приказ директора не внесён для 9 членов совета (п. 7.2)." in text
    assert "📝 Не внесён и приказ о назначении председателя (п. 4.1): /settings." in text
    # A member's view says nothing of it: it is the chair's record.
    (theirs,) = await flow.say(council.people[2], council.people[2], "/members")
    assert "ожидается" not in theirs.text
    await flow.press(chair, listing, "Внести приказы: 9")
    pending = flow.api.last_to(chair.id)
    assert pending.text.startswith("Приказы директора, которые нужно внести (п. 7.2)")
    assert "Кворум от этого не зависит." in pending.text
    await flow.press(chair, pending, "Фамилия03")
    (card, again) = await flow.say(chair, chair, "15/2")
    assert "Приказ директора №15/2" in card.text
    assert again.text.count("\n") == pending.text.count("\n") - 1 and "Фамилия03" not in again.text
    member = next(m for m in await flow.members(council.id) if m.full_name.startswith("Фамилия03"))
    assert member.order_number == "15/2"
    # Pending changes nothing in the quorum: all ten count at the meeting.
    await announce(flow, council)
    flow.clock.advance(timedelta(days=8, hours=5))
    attendance = await open_with(flow, council, council.people[:7])
    await flow.live.flush()
    assert "Присутствуют члены совета: 7 из 10 · для кворума нужно 7" in attendance.text
    assert "Кворум: есть" in attendance.text


async def test_a_new_chairs_order_is_pending_until_recorded(flow, council):
    chair = council.chair
    await _record(flow, chair, "Приказ о назначении председателя", "15 01.09.2026")
    heir = next(m for m in await flow.members(council.id) if m.full_name.startswith("Фамилия02"))
    (listing,) = await flow.say(chair, chair, "/members")
    await flow.press(chair, listing, "Фамилия02")
    await flow.press(chair, listing, "Передать полномочия председателя")
    await flow.press(chair, listing, "Да")
    (row,) = await flow.rows(Council)
    assert row.chair_id == heir.user_id
    assert (row.chair_order_number, row.chair_order_date) == (None, None)
    anna = council.people[2]
    (menu,) = await flow.say(anna, anna, "/settings")
    assert "📝 Приказ директора о назначении председателя (п. 4.1): ожидается" in menu.text
    (roles,) = [m.role for m in await flow.rows(Member, Member.id == heir.id)]
    assert roles is Role.CHAIR
