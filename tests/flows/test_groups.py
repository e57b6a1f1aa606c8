"""Associations and creative groups (cl. 3.1, 4.2; issue 23 §1): kept by the chair from /groups, their heads and
themes approved by the council's vote on an item made for it, a member in at most one association, shown in
/members and in the protocol."""

from __future__ import annotations

from datetime import timedelta

import pytest

from db.models import (
    AgendaItem,
    AssociationMember,
    AuditAction,
    AuditEntry,
    CreativeGroupMember,
    GroupKind,
    GroupProposal,
    ProposalKind,
    ProposalState,
    TeacherGroup,
)
from tests.conftest import seed_council
from tests.flows.structure_steps import announce, new_association, onto_agenda, open_page, open_with, propose_head, vote


@pytest.fixture
async def council(flow):
    council = await seed_council(flow, members=10, participants=1)
    await flow.say(council.chair, council.chair, "/start")
    return council


async def test_the_chair_adds_an_association_after_a_preview_and_members_read_the_list(flow, council):
    chair = council.chair
    (listing,) = await flow.say(chair, chair, "/groups")
    assert "Методические объединения и творческие группы" in listing.text and "Пока нет." in listing.text
    await flow.press(chair, listing, "Новое методическое объединение")
    assert "Название нового методического объединения" in flow.api.last_to(chair.id).text
    (refused,) = await flow.say(chair, chair, "Т" * 201)
    assert refused.text == "Текст слишком длинный: не больше 200 символов."
    await flow.say(chair, chair, "Табигый илимдер")
    (preview,) = await flow.say(chair, chair, "биология, химия, физика")
    assert preview.text.splitlines()[2:] == ["📘 МО «Табигый илимдер»", "Предметная область: биология, химия, физика"]
    assert await flow.rows(TeacherGroup) == []  # nothing before Save
    await flow.press(chair, preview, "Сохранить")
    (group,) = await flow.rows(TeacherGroup)
    assert (group.kind, group.name, group.area) == (GroupKind.ASSOCIATION, "Табигый илимдер", "биология, химия, физика")
    assert "Руководитель: ещё не утверждён советом" in preview.text  # the preview's message is now its page
    assert [b["text"] for b in preview.buttons][-1] == "« Назад к списку"
    await flow.press(chair, preview, "Назад к списку")
    assert "1. Табигый илимдер; биология, химия, физика; руководитель ещё не утверждён" in preview.text
    # A member (a Kyrgyz reader) reads the list and a page, without the chair's buttons.
    member = council.people[1]
    (theirs,) = await flow.say(member, member, "/groups")
    assert "Методикалык бирикмелер" in theirs.text and "Табигый илимдер" in theirs.text
    assert [b["text"] for b in theirs.buttons] == ["📘 Табигый илимдер"]
    await flow.press(member, theirs, "Табигый илимдер")
    assert theirs.text.startswith("📘 «Табигый илимдер» МБ\nМетодикалык бирикме")
    assert [b["text"] for b in theirs.buttons] == ["« Тизмеге кайтуу"]
    answer = await flow.press_data(member, theirs, f"gr:x:{group.id}")  # a forged Archive press
    assert answer["text"] == "Муну бул кеңештин төрагасы гана жасай алат."
    (group,) = await flow.rows(TeacherGroup)
    assert group.archived_at is None


async def test_a_temporary_creative_group_its_theme_waits_for_the_vote_and_it_is_archived_and_restored(flow, council):
    chair = council.chair
    (listing,) = await flow.say(chair, chair, "/groups")
    await flow.press(chair, listing, "Новая творческая группа")
    await flow.say(chair, chair, "Функционалдык сабаттуулук")
    (ask_end,) = await flow.say(chair, chair, "Окуучулардын функционалдык сабаттуулугун өнүктүрүү")
    (refused,) = await flow.say(chair, chair, "01.09.2026")
    assert refused.text == "Эта дата уже прошла. Выберите сегодняшнюю или более позднюю."
    (preview,) = await flow.say(chair, chair, "31.05.2027")
    assert "💡 Творческая группа «Функционалдык сабаттуулук»" in preview.text
    assert "Временная группа, до 31 мая 2027 г." in preview.text.replace("\u202f", " ")
    assert "Предложенная тема: «Окуучулардын функционалдык сабаттуулугун өнүктүрүү», ждёт голосования совета" in (
        preview.text
    )
    await flow.press(chair, preview, "Сохранить")
    (group,) = await flow.rows(TeacherGroup)
    assert (group.kind, group.ends_on.isoformat()) == (GroupKind.CREATIVE, "2027-05-31")
    (theme,) = await flow.rows(GroupProposal)
    assert (theme.kind, theme.state, theme.school_year) == (ProposalKind.THEME, ProposalState.PROPOSED, 2026)
    assert "Тема на 2026-2027 учебный год: ещё не утверждена советом" in preview.text  # proposed is not approved
    # Edit the end date; "« Back" leaves the step without a change.
    await flow.press(chair, preview, "Дата окончания")
    ask = flow.api.last_to(chair.id)
    await flow.press(chair, ask, "Назад")
    (after,) = await flow.say(chair, chair, "30.04.2027")  # no step any more: nothing is changed
    (group,) = await flow.rows(TeacherGroup)
    assert group.ends_on.isoformat() == "2027-05-31"
    page = await open_page(flow, chair, "Функционалдык")
    await flow.press(chair, page, "Дата окончания")
    (saved,) = await flow.say(chair, chair, "30.04.2027")
    assert "Временная группа, до 30 апр. 2027 г." in saved.text.replace("\u202f", " ")
    await flow.press(chair, saved, "В архив")
    (group,) = await flow.rows(TeacherGroup)
    assert group.archived_at is not None
    (listing,) = await flow.say(chair, chair, "/groups")
    assert "Функционалдык" not in listing.text and "🗄 В архиве: 1" in [b["text"] for b in listing.buttons]
    await flow.press(chair, listing, "В архиве")
    await flow.press(chair, listing, "Функционалдык")
    await flow.press(chair, listing, "Восстановить")
    (group,) = await flow.rows(TeacherGroup)
    assert group.archived_at is None
    archived = await flow.rows(AuditEntry, AuditEntry.action == AuditAction.GROUP_ARCHIVED)
    assert [e.obj_name for e in archived] == ["Функционалдык сабаттуулук"]


async def test_a_head_and_a_theme_count_only_after_the_councils_vote_on_their_items(flow, council):
    chair, anna = council.chair, council.people[2]  # Фамилия02 Мугалим2, a Russian reader
    page = await new_association(flow, chair, "Табигый илимдер", "биология, химия")
    await propose_head(flow, chair, page, "Фамилия02")
    assert page.text.startswith("МО «Табигый илимдер»: кандидат в руководители — Фамилия02 Мугалим2.")
    await flow.press(chair, page, "Тема этого года")
    (proposed,) = await flow.say(chair, chair, "Изилдөө аркылуу окутуу")
    assert proposed.text.startswith("МО «Табигый илимдер»: тема предложена.")
    # Nothing counts yet: /members and the page show no head.
    (listing,) = await flow.say(anna, anna, "/members")
    assert "руководитель методического объединения «Табигый илимдер»" not in listing.text
    await flow.press(chair, proposed, "Утверждение руководителя в повестку")
    assert "Нет объявленного заседания" in flow.api.answers[list(flow.api.answers)[-1]]["text"]
    # An agenda a week ahead takes both items, each announced again to the group.
    day = await announce(flow, council)
    page = await open_page(flow, chair, "Табигый")
    before = len(flow.api.sent_to(council.group.id))
    await onto_agenda(flow, chair, page, "Утверждение руководителя в повестку", "декабря")
    assert "Утверждение руководителя — вопрос 2 заседания" in page.text
    page = await open_page(flow, chair, "Табигый")
    await onto_agenda(flow, chair, page, "Утверждение темы в повестку", "декабря")
    items = sorted(await flow.rows(AgendaItem), key=lambda i: i.position)
    assert [i.title for i in items] == [
        "Иш планы",
        "Об утверждении руководителя методического объединения «Табигый илимдер»: Фамилия02 Мугалим2",
        "Об утверждении темы методического объединения «Табигый илимдер» на 2026-2027 учебный год: "
        "«Изилдөө аркылуу окутуу»",
    ]
    changed = flow.api.sent_to(council.group.id)[before:]
    assert any("Күн тартиби өзгөрдү" in m.text and "Об утверждении руководителя" in m.text for m in changed)
    # The Kyrgyz part and the Kyrgyz members read the composed item in Kyrgyz.
    head_ky = "2. «Табигый илимдер» методикалык бирикмесинин жетекчисин бекитүү жөнүндө: Фамилия02 Мугалим2"
    assert any(head_ky in m.text for m in changed)
    assert head_ky in flow.api.last_to(council.people[1].id).text
    assert "Об утверждении руководителя" not in flow.api.last_to(council.people[1].id).text
    page = await open_page(flow, chair, "Табигый")
    assert "(в повестке заседания" in page.text
    assert "Утверждение руководителя в повестку" not in str(page.buttons)  # already on it
    # The meeting: the head's item adopted, the theme's not.
    flow.clock.advance(timedelta(days=8, hours=5))
    assert day in (flow.clock.local_now().strftime("%d.%m.%Y"),)
    voters = council.people[:8]
    await open_with(flow, council, voters)
    await vote(flow, council, "/vote 2 Фамилия02 Мугалим2 бекитилсин", [(p, "Макул") for p in voters])
    await vote(flow, council, "/vote 3 Тема бекитилсин", [(p, "Каршы") for p in voters[:5]] + [(voters[5], "Макул")])
    head, theme = sorted(await flow.rows(GroupProposal), key=lambda p: p.kind.value)
    assert (head.kind, head.state, theme.state) == (
        ProposalKind.HEAD,
        ProposalState.APPROVED,
        ProposalState.NOT_APPROVED,
    )
    assert flow.api.last_to(anna.id).text == "Методический совет утвердил вас руководителем: МО «Табигый илимдер»."
    # She counts now: the page, /members (hers, a member's view) and her association (a head belongs to it).
    page = await open_page(flow, anna, "Табигый")
    assert "Руководитель: Фамилия02 Мугалим2" in page.text
    assert "Тема на 2026-2027 учебный год: ещё не утверждена советом" in page.text
    (listing,) = await flow.say(anna, anna, "/members")
    assert (
        "Фамилия02 Мугалим2 — учитель, член совета · МО «Табигый илимдер» · руководитель методического "
        "объединения «Табигый илимдер»" in listing.text
    )
    (link,) = await flow.rows(AssociationMember)
    assert link.member_id == head.member_id


async def test_a_participant_cannot_head_and_the_agenda_keeps_its_weeks_notice(flow, council):
    chair = council.chair
    page = await new_association(flow, chair, "Тил жана адабият", "кыргыз тили, орус тили")
    await flow.press(chair, page, "Кандидат в руководители")
    assert "Фамилия10" not in str(page.buttons)  # the participant is not offered
    group = (await flow.rows(TeacherGroup))[0]
    participant = next(m for m in await flow.members(council.id) if m.full_name.startswith("Фамилия10"))
    answer = await flow.press_data(chair, page, f"gh:{group.id}:{participant.id}:0")
    assert answer["text"] == "Руководитель должен быть утверждённым членом совета с правом голоса."
    assert await flow.rows(GroupProposal) == []
    await flow.press(chair, page, "Фамилия03")
    await announce(flow, council, days=8)
    flow.clock.advance(timedelta(days=2))  # now 6 days before the meeting: its agenda can no longer change
    page = await open_page(flow, chair, "Тил жана")
    await onto_agenda(flow, chair, page, "Утверждение руководителя в повестку", "декабря")
    told = flow.api.last_to(chair.id).text
    assert "меньше 7 полных дней" in told or "7 толук" in told
    assert len(await flow.rows(AgendaItem)) == 1
    (proposal,) = await flow.rows(GroupProposal)
    assert proposal.meeting_id is None


async def test_a_member_belongs_to_one_association_and_the_protocol_lists_them(flow, council):
    chair = council.chair
    await new_association(flow, chair, "Табигый илимдер", "биология")
    page = await new_association(flow, chair, "Математика", "алгебра, геометрия")
    await flow.press(chair, page, "Состав")
    await flow.press(chair, page, "Фамилия04")
    await flow.press(chair, page, "Фамилия05")
    assert any(b["text"] == "✅ Фамилия04 Мугалим4" for b in page.buttons)
    page = await open_page(flow, chair, "Табигый")
    await flow.press(chair, page, "Состав")
    assert any(b["text"] == "▫️ Фамилия04 Мугалим4 · Математика" for b in page.buttons)
    answer = await flow.press(chair, page, "Фамилия04")  # moved: out of Математика
    assert answer["text"] == "В объединении"
    links = {link.member_id: link.group_id for link in await flow.rows(AssociationMember)}
    groups = {g.name: g.id for g in await flow.rows(TeacherGroup)}
    members = {m.full_name: m.id for m in await flow.members(council.id)}
    assert links == {
        members["Фамилия04 Мугалим4"]: groups["Табигый илимдер"],
        members["Фамилия05 Мугалим5"]: groups["Математика"],
    }
    (listing,) = await flow.say(chair, chair, "/members")
    assert "Фамилия04 Мугалим4 — мугалим, кеңештин мүчөсү · «Табигый илимдер» МБ" not in listing.text  # ru chair
    assert "Фамилия04 Мугалим4 — учитель, член совета · МО «Табигый илимдер»" in listing.text
    # The protocol of a meeting lists each association with its members.
    await announce(flow, council)
    flow.clock.advance(timedelta(days=8, hours=5))
    await open_with(flow, council, council.people[:8])
    await flow.say(chair, council.group, "/close")
    protocol = "\n".join(m.text for m in flow.api.sent_to(council.group.id) if "ПРОТОКОЛ" in m.text)
    assert "МО «Математика»: руководитель не утверждён; состав: Фамилия05 Мугалим5" in protocol
    assert "«Табигый илимдер» МБ: жетекчи бекитилген эмес; мүчөлөрү: Фамилия04 Мугалим4" in protocol


async def test_a_creative_group_has_members_besides_their_association_and_its_head_joins_it(flow, council):
    chair = council.chair
    page = await new_association(flow, chair, "Математика", "алгебра, геометрия")
    await flow.press(chair, page, "Состав")
    await flow.press(chair, page, "Фамилия04")
    # A creative group: its members are kept from its page, whatever association they are in.
    (listing,) = await flow.say(chair, chair, "/groups")
    await flow.press(chair, listing, "Новая творческая группа")
    await flow.say(chair, chair, "Функционалдык сабаттуулук")
    await flow.say(chair, chair, "Окуучулардын функционалдык сабаттуулугу")
    await flow.press(chair, flow.api.last_to(chair.id), "Не временная")
    page = flow.api.last_to(chair.id)
    await flow.press(chair, page, "Сохранить")
    assert "Состав (0): —" in page.text
    await flow.press(chair, page, "Состав")
    assert page.text.startswith("Творческая группа «Функционалдык сабаттуулук», состав.")
    assert "может состоять в творческих группах и при этом в своём объединении" in page.text
    assert any(b["text"] == "▫️ Фамилия04 Мугалим4" for b in page.buttons)  # joining leaves no association
    answer = await flow.press(chair, page, "Фамилия04")
    assert answer["text"] == "В группе"
    await flow.press(chair, page, "Фамилия05")
    answer = await flow.press(chair, page, "Фамилия05")  # out again
    assert answer["text"] == "Вне группы"
    await flow.press(chair, page, "Фамилия07")
    assert [b["text"] for b in page.buttons if b["text"].startswith("✅")] == [
        "✅ Фамилия04 Мугалим4",
        "✅ Фамилия07 Мугалим7",
    ]
    groups = {g.name: g.id for g in await flow.rows(TeacherGroup)}
    members = {m.full_name: m.id for m in await flow.members(council.id)}
    links = {(link.group_id, link.member_id) for link in await flow.rows(CreativeGroupMember)}
    creative = groups["Функционалдык сабаттуулук"]
    assert links == {(creative, members["Фамилия04 Мугалим4"]), (creative, members["Фамилия07 Мугалим7"])}
    (association,) = await flow.rows(AssociationMember)  # still in Математика
    assert (association.member_id, association.group_id) == (members["Фамилия04 Мугалим4"], groups["Математика"])
    changed = await flow.rows(AuditEntry, AuditEntry.action == AuditAction.CREATIVE_GROUP_CHANGED)
    assert len(changed) == 4
    await flow.press(chair, page, "Назад")
    assert "Состав (2): Фамилия04 Мугалим4, Фамилия07 Мугалим7" in page.text
    # /members shows both, in each reader's language.
    (listing,) = await flow.say(chair, chair, "/members")
    assert (
        "Фамилия04 Мугалим4 — учитель, член совета · МО «Математика» · творческая группа «Функционалдык "
        "сабаттуулук»" in listing.text
    )
    kyrgyz = council.people[1]
    (theirs,) = await flow.say(kyrgyz, kyrgyz, "/members")
    assert (
        "Фамилия04 Мугалим4 — мугалим, кеңештин мүчөсү · «Математика» МБ · «Функционалдык сабаттуулук» чыгармачыл тобу"
        in (theirs.text)
    )
    # Its head, approved by the council, joins it; the protocol lists the group with its head and members.
    await propose_head(flow, chair, await open_page(flow, chair, "Функционалдык"), "Фамилия06")
    await announce(flow, council)
    await onto_agenda(flow, chair, await open_page(flow, chair, "Функционалдык"), "Утверждение руководителя", "дек")
    flow.clock.advance(timedelta(days=8, hours=5))
    voters = council.people[:8]
    await open_with(flow, council, voters)
    await vote(flow, council, "/vote 2 Фамилия06 Мугалим6 бекитилсин", [(p, "Макул") for p in voters])
    assert (creative, members["Фамилия06 Мугалим6"]) in {
        (link.group_id, link.member_id) for link in await flow.rows(CreativeGroupMember)
    }
    await flow.say(chair, council.group, "/close")
    (ky, ru) = [m.text for m in flow.api.sent_to(council.group.id) if "ПРОТОКОЛ" in m.text]
    assert (
        "Творческая группа «Функционалдык сабаттуулук»: руководитель Фамилия06 Мугалим6; состав: Фамилия04 "
        "Мугалим4, Фамилия06 Мугалим6, Фамилия07 Мугалим7" in ru
    )
    assert "«Функционалдык сабаттуулук» чыгармачыл тобу: жетекчиси Фамилия06 Мугалим6; мүчөлөрү: Фамилия04" in ky
    # The head's line in /members names the group once, as the group they head.
    (listing,) = await flow.say(chair, chair, "/members")
    line = next(x for x in listing.text.splitlines() if "Фамилия06" in x)
    assert line.count("Функционалдык") == 1 and "руководитель творческой группы «Функционалдык сабаттуулук»" in line


async def test_a_kyrgyz_chair_keeps_the_list_and_records_the_founding_in_kyrgyz(flow):
    council = await seed_council(flow, members=4, chair_locale="ky")
    chair = council.chair
    await flow.say(chair, chair, "/start")
    (listing,) = await flow.say(chair, chair, "/groups")
    assert listing.text.startswith("Методикалык бирикмелер жана чыгармачыл топтор\n2026-2027-окуу жылы")
    await flow.press(chair, listing, "Жаңы методикалык бирикме")
    assert flow.api.last_to(chair.id).text.startswith("Жаңы методикалык бирикменин аталышы")
    await flow.say(chair, chair, "Математика")
    (preview,) = await flow.say(chair, chair, "алгебра, геометрия")
    assert preview.text.startswith("Алдын ала көрүү. Сакталсынбы?\n\n📘 «Математика» МБ")
    await flow.press(chair, preview, "Сактоо")
    assert "Жетекчи: кеңеш тарабынан али бекитиле элек" in preview.text
    await flow.press(chair, preview, "Жетекчиликке талапкер")
    assert preview.text.startswith("«Математика» МБ: жетекчиси ким болот?")
    await flow.press(chair, preview, "Фамилия02")
    assert preview.text.startswith("«Математика» МБ: жетекчиликке талапкер — Фамилия02 Мугалим2.")
    (menu,) = await flow.say(chair, chair, "/settings")
    await flow.press(chair, menu, "Кеңешти түзгөн чечим")
    (shown,) = await flow.say(chair, chair, "1 28.08.2026")
    assert "Педагогикалык кеңештин чечими менен түзүлгөн, 2026-ж., 28-авг. күнкү №1 протокол" in shown.text
    (proposal,) = await flow.rows(GroupProposal)
    assert proposal.state is ProposalState.PROPOSED
    # The members approved without a director's order are "order pending" to her, with the list to fill in.
    (listing,) = await flow.say(chair, chair, "/members")
    assert listing.text.count("📝 буйрук күтүлүүдө") == 3  # three teachers, as the footer counts
    assert "📝 3 мүчө үчүн директордун буйругу жазыла элек (7.2-пункт)." in listing.text
    assert "📝 дайындоо буйругу күтүлүүдө (/settings)" in listing.text  # her own appointment, apart
    assert "📝 Төраганы дайындаган буйрук (4.1-пункт) да жазыла элек: /settings." in listing.text
    await flow.press(chair, listing, "Толтурула турган буйруктар: 3")
    pending = flow.api.last_to(chair.id)
    assert pending.text.startswith("Толтурула турган директордун буйруктары (7.2-пункт)")
    await flow.press(chair, pending, "Фамилия02")
    (card, again) = await flow.say(chair, chair, "15/2")
    assert "Фамилия02" not in again.text and again.text.count("\n") == pending.text.count("\n") - 1
    member = next(m for m in await flow.members(council.id) if m.full_name.startswith("Фамилия02"))
    assert member.order_number == "15/2"


async def test_a_temporary_group_past_its_end_goes_to_the_archive_once_and_stays_when_restored(flow, council):
    chair = council.chair
    (listing,) = await flow.say(chair, chair, "/groups")
    await flow.press(chair, listing, "Новая творческая группа")
    await flow.say(chair, chair, "Долбоорлор")
    await flow.say(chair, chair, "Долбоордук окутуу")
    (preview,) = await flow.say(chair, chair, "30.11.2026")
    await flow.press(chair, preview, "Сохранить")
    await new_association(flow, chair, "Табигый илимдер", "биология")  # no end date: never archived by the check
    flow.clock.advance(timedelta(days=5))  # 30 November: its last day, still on
    await flow.scheduler.year_check()
    assert [g.archived_at for g in await flow.rows(TeacherGroup)] == [None, None]

    flow.clock.advance(timedelta(days=1))  # 1 December: it has ended
    before = len(flow.api.sent_to(chair.id))
    await flow.scheduler.year_check()
    await flow.delivery.drain()
    ended, kept = sorted(await flow.rows(TeacherGroup), key=lambda g: g.kind is GroupKind.ASSOCIATION)
    assert ended.archived_at is not None and kept.archived_at is None
    (told,) = flow.api.sent_to(chair.id)[before:]
    assert told.text.replace("\u202f", " ") == (
        "💡 Творческая группа «Долбоорлор» завершила работу 30 ноября 2026 г., поэтому она перенесена в архив, "
        "её история сохранена. Если группа продолжает работу, восстановите её и укажите новую дату окончания."
    )
    (entry,) = await flow.rows(AuditEntry, AuditEntry.action == AuditAction.GROUP_ARCHIVED)
    assert entry.actor_id is None  # the bot did it, in the council's /log
    (listing,) = await flow.say(chair, chair, "/groups")
    assert "Долбоорлор" not in listing.text

    await flow.scheduler.year_check()  # the same day again: nothing more
    await flow.delivery.drain()
    assert len(flow.api.sent_to(chair.id)) == before + 2  # the notice and the /groups list
    # The group goes on: restored from the notice, it stays so at the next checks.
    await flow.press(chair, told, "Восстановить")
    flow.clock.advance(timedelta(days=1))
    await flow.scheduler.year_check()
    ended = await flow.rows(TeacherGroup, TeacherGroup.kind == GroupKind.CREATIVE)
    assert [g.archived_at for g in ended] == [None]
    assert "Творческая группа «Долбоорлор»" in told.text  # the notice is now the group's page
