"""The vote button under a crowd (bot/runtime/ballot_box.py): presses of the same moment share one transaction; each
is answered only once its ballot is stored, in the member's own language; a press racing the close is either
counted or answered "closed", never answered "saved" and left out."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from aiogram.types import Update
from sqlalchemy import select

from bot.ops.effects import Press
from bot.runtime.ballot_box import BallotBox
from db.models import Ballot, Choice, Member, SealedBallot, SecretVoter, Vote
from tests.conftest import NOW, seed_council
from tests.flows.test_meeting import AGENDA, mark_present, open_meeting, post_vote

SAVED = {"ky": "Добушуңуз кабыл алынды: ", "ru": "Голос учтён: "}
CLOSED = {"Добуш берүү жабылган.", "Голосование закрыто."}


@pytest.fixture
async def crowd(flow):
    """A 40-member council (plus one participant) at its open meeting, 36 members marked present."""
    council = await seed_council(flow, members=40, participants=1)
    await flow.say(council.chair, council.chair, "/start")
    day = (NOW + timedelta(days=8)).strftime("%d.%m.%Y")
    (preview,) = await flow.say(council.chair, council.chair, f"/agenda {day} 15:00{AGENDA}")
    await flow.press(council.chair, preview, "Опубликовать")
    flow.clock.advance(timedelta(days=8, hours=5))
    council.participant = council.people[-1]
    council.voters = council.people[:-1]
    council.attendance = await open_meeting(flow, council)
    council.present = council.voters[:36]
    await mark_present(flow, council, council.attendance, council.present + [council.participant])
    return council


def stored_voters_when_answered(flow) -> dict[str, set[int]]:
    """Per callback query: the Telegram ids of those with a ballot stored at the moment its answer reached
    Telegram (the stand-in)."""
    seen: dict[str, set[int]] = {}
    answer = flow.api._m_answerCallbackQuery

    async def answering(params: dict, files: dict) -> bool:
        async with flow.sessionmaker() as session:
            voters = await session.scalars(select(Member.user_id).join(Ballot, Ballot.member_id == Member.id))
            seen[params["callback_query_id"]] = set(voters)
        return await answer(params, files)

    flow.api._m_answerCallbackQuery = answering
    return seen


async def at_once(flow, updates: list[dict]) -> list[dict]:
    await asyncio.gather(
        *(flow.dp.feed_update(flow.bot, Update.model_validate(u, context={"bot": flow.bot})) for u in updates)
    )
    assert not flow.errors.records, [r.getMessage() for r in flow.errors.records]
    return [flow.api.answers[u["callback_query"]["id"]] for u in updates]


async def test_a_crowd_pressing_at_once_is_stored_and_answered_each_in_their_language(flow, crowd):
    message = await post_vote(flow, crowd, "/vote 1 Бекитүү")
    labels = ["Макул", "Каршы", "Калыс"]
    presses = [(person, labels[n % 3]) for n, person in enumerate(crowd.present)]
    absent, stranger = crowd.voters[37], flow.api.person(555, "Чужой", None, "ru")
    presses += [(absent, "Макул"), (stranger, "Макул"), (crowd.participant, "Каршы")]
    seen = stored_voters_when_answered(flow)
    updates = [flow.api.callback_update(p, message, message.button(label)["callback_data"]) for p, label in presses]

    answers = await at_once(flow, updates)

    languages = {person.id: "ru" if n % 2 == 0 else "ky" for n, person in enumerate(crowd.people[1:], start=1)}
    languages[crowd.chair.id] = "ru"
    for (person, _label), update, answer in zip(presses[:36], updates, answers, strict=False):
        assert answer["text"].startswith(SAVED[languages[person.id]]), (person.id, answer)
        assert person.id in seen[update["callback_query"]["id"]]  # stored before it was answered
    assert answers[36]["show_alert"] == "true"
    assert answers[36]["text"].startswith("Сиз катышты деп белгилене элексиз.")  # a Kyrgyz reader
    assert answers[37]["text"] == "Голосуют только члены совета."
    assert "4.3" in answers[38]["text"]
    assert len(await flow.rows(Ballot)) == 36
    await flow.live.flush()
    assert "За: 12" in message.text and "Против: 12" in message.text and "Воздержались: 12" in message.text

    # The same crowd again: the same choice is "already", a new one is saved; still one ballot each.
    again = [
        flow.api.callback_update(p, message, message.button(labels[(n + (n % 2)) % 3])["callback_data"])
        for n, p in enumerate(crowd.present)
    ]
    answers = await at_once(flow, again)
    for n, (person, answer) in enumerate(zip(crowd.present, answers, strict=True)):
        changed = n % 2 == 1
        assert answer["text"].startswith(SAVED[languages[person.id]]) == changed, answer
    assert len(await flow.rows(Ballot)) == 36


@pytest.mark.parametrize("secret", [False, True])
async def test_a_press_racing_the_close_is_counted_or_answered_closed(flow, crowd, secret):
    """Whichever the database takes first: a press answered "saved" is in the frozen count, one answered
    "closed" is not, and no ballot is left behind a closed secret vote."""
    for round_ in range(3):
        message = await post_vote(flow, crowd, f"{'/secretvote' if secret else '/vote'} 1 Бекитүү {round_}")
        for person in crowd.present[:5]:
            await flow.press(person, message, "Каршы")
        late = crowd.present[10 + round_]
        press = flow.api.callback_update(late, message, message.button("Макул")["callback_data"])
        close = flow.api.callback_update(crowd.chair, message, message.button("Добушту жабуу")["callback_data"])
        answers = await at_once(flow, [close, press] if round_ % 2 else [press, close])
        answer = answers[1] if round_ % 2 else answers[0]
        vote = (await flow.rows(Vote, Vote.decision == f"Бекитүү {round_}"))[0]
        assert not vote.is_open and vote.votes_against == 5
        if answer["text"] in CLOSED:
            assert vote.votes_for == 0
        else:
            assert answer["text"].startswith(tuple(SAVED.values())), answer
            assert vote.votes_for == 1
        if secret:
            assert await flow.rows(Ballot, Ballot.vote_id == vote.id) == []
            assert await flow.rows(SealedBallot, SealedBallot.vote_id == vote.id) == []
            assert len(await flow.rows(SecretVoter, SecretVoter.vote_id == vote.id)) == vote.votes_for + 5


@pytest.mark.parametrize("secret", [False, True])
async def test_a_press_arriving_while_the_vote_closes_is_answered_closed_and_not_counted(flow, crowd, secret):
    """The close is committed, its message still shows the buttons (the tally edit follows), and a member
    presses one: answered "closed", not counted, no ballot left behind."""
    message = await post_vote(flow, crowd, "/secretvote 1 Бекитүү" if secret else "/vote 1 Бекитүү")
    for person in crowd.present[:5]:
        await flow.press(person, message, "Каршы")
    late = flow.api.callback_update(crowd.present[20], message, message.button("Макул")["callback_data"])
    close = flow.api.callback_update(crowd.chair, message, message.button("Добушту жабуу")["callback_data"])
    answer_close, pressed = flow.api._m_answerCallbackQuery, []

    async def answering(params: dict, files: dict) -> bool:
        if params["callback_query_id"] == close["callback_query"]["id"]:  # the close is committed by now
            update = Update.model_validate(late, context={"bot": flow.bot})
            pressed.append(asyncio.create_task(flow.dp.feed_update(flow.bot, update)))
        return await answer_close(params, files)

    flow.api._m_answerCallbackQuery = answering
    await at_once(flow, [close])
    await asyncio.gather(*pressed)

    assert flow.api.answers[late["callback_query"]["id"]]["text"] in CLOSED
    (vote,) = await flow.rows(Vote)
    assert (vote.is_open, vote.votes_for, vote.votes_against) == (False, 0, 5)
    assert len(await flow.rows(Ballot)) == (0 if secret else 5)
    assert await flow.rows(SealedBallot) == []


WENT_WRONG = {
    "У меня что-то пошло не так. Попробуйте ещё раз через минуту.",
    "Кечиресиз, ката кетти. Бир мүнөттөн кийин кайра аракет кылыңыз.",
}


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
async def test_a_press_the_database_refuses_is_answered_alone_and_its_batch_is_stored(flow, crowd, secret):
    """Six honest presses and one naming a vote id no database column holds (23 digits), in one batch: the
    six are stored and answered "saved", the seventh is told something went wrong (issue 18 §4)."""
    message = await post_vote(flow, crowd, "/secretvote 1 Бекитүү" if secret else "/vote 1 Бекитүү")
    honest = [
        flow.api.callback_update(person, message, message.button(label)["callback_data"])
        for person, label in zip(crowd.present[:6], ["Макул", "Каршы", "Калыс"] * 2, strict=True)
    ]
    forged = flow.api.callback_update(crowd.present[6], message, f"v:{'9' * 23}:for")
    updates = honest[:3] + [forged] + honest[3:]
    await asyncio.gather(
        *(flow.dp.feed_update(flow.bot, Update.model_validate(u, context={"bot": flow.bot})) for u in updates)
    )
    flow.errors.records.clear()  # the forged press is logged as an error: the only one
    for update in honest:
        assert flow.api.answers[update["callback_query"]["id"]]["text"].startswith(tuple(SAVED.values()))
    refused = flow.api.answers[forged["callback_query"]["id"]]
    assert not refused["text"].startswith(tuple(SAVED.values()))
    stored = SealedBallot if secret else Ballot
    assert len(await flow.rows(stored)) == 6
    await flow.live.flush()
    assert ("Проголосовали: 6 из 36 присутствующих" if secret else "За: 2") in message.text


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
async def test_the_ballot_box_splits_a_refused_batch_down_to_the_press_that_fails(flow, crowd, secret):
    """The box itself, whatever the callback parsing lets through: one press in a batch of six fails, alone."""
    await post_vote(flow, crowd, "/secretvote 1 Бекитүү" if secret else "/vote 1 Бекитүү")
    (vote,) = await flow.rows(Vote)
    box = BallotBox(flow.sessionmaker, keys=flow.vote_keys)
    now = flow.clock.now()
    presses = [Press(vote.id, person.id, Choice.AGAINST, now) for person in crowd.present[:5]]
    presses.insert(2, Press(10**22, crowd.present[5].id, Choice.FOR, now))
    results = await asyncio.gather(*(box.cast(press) for press in presses), return_exceptions=True)
    flow.errors.records.clear()
    assert isinstance(results[2], Exception)
    counted = [r for n, r in enumerate(results) if n != 2]
    assert all(r.refused is None and r.changed for r in counted), counted
    assert len(await flow.rows(SealedBallot if secret else Ballot)) == 5
