"""What a step says: the agenda's items step gives the reporter rule in one short line; text sent while /submit
waits for a file is told what is expected (which types, how to stop), in the sender's language."""

from __future__ import annotations

import pytest

from db.models import Material
from tests.conftest import seed_council
from tests.flows.test_materials import DOCX, send_file


@pytest.mark.parametrize(
    ("locale", "rule"),
    [
        ("ru", "Докладчика укажите после длинного тире « — » или « -- », например:"),
        ("ky", "Баяндамачыны « — » (узун сызыкча) же « -- » белгисинен кийин жазыңыз, мисалы:"),
    ],
)
async def test_the_items_step_states_the_reporter_rule_once(flow, locale, rule):
    council = await seed_council(flow, members=3, chair_locale=locale)
    chair = council.chair
    await flow.say(chair, chair, "/agenda")
    (ask_items,) = await flow.say(chair, chair, "16.12.2026 15:00 Зал")
    lines = ask_items.text.splitlines()
    assert len(lines) == 2 and rule in lines[0]  # the rule and its example, nothing more
    assert lines[1].startswith("1. ") and lines[1].endswith(" — Осмонова Г.")


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (2, "Жду файл материала: документ (pdf, doc, docx"),  # a Russian reader
        (1, "Материалдын файлын күтүп жатам: документ (pdf, doc, docx"),  # a Kyrgyz reader
    ],
)
async def test_text_while_a_file_is_awaited_says_a_file_is_expected(flow, who, expected):
    council = await seed_council(flow, members=4)
    teacher = council.people[who]
    await flow.say(teacher, teacher, "/submit")
    (reply,) = await flow.say(teacher, teacher, "Вот мой план урока")
    assert reply.text.startswith(expected) and "/cancel" in reply.text and "jpg, png" in reply.text
    (ask_title,) = await send_file(flow, teacher, DOCX, "План.docx")  # the step still waits for the file
    assert "название" in ask_title.text or "аталыш" in ask_title.text
    assert await flow.rows(Material) == []


async def test_cancel_still_ends_the_file_step(flow):
    council = await seed_council(flow, members=4)
    teacher = council.people[2]
    await flow.say(teacher, teacher, "/submit")
    (reply,) = await flow.say(teacher, teacher, "/cancel")
    assert "Жду файл" not in reply.text
    (reply,) = await flow.say(teacher, teacher, "просто текст")
    assert "Жду файл" not in reply.text  # no step: the general answer
