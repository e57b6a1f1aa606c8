"""Reading the chair's agenda: date formats, numbering, reporters, and every refusal (cl. 7.5)."""

from datetime import date, datetime

import pytest

from bot.agenda import parse_agenda, parse_day, parse_items
from bot.errors import KeneshError
from bot.i18n import I18n, create_i18n
from tests.conftest import BISHKEK

NOW = datetime(2026, 11, 25, 23, 30, tzinfo=BISHKEK)  # late evening: "today" is still the 25th


@pytest.fixture(autouse=True)
def russian():
    i18n = create_i18n("ky")
    with i18n.context(), i18n.use_locale("ru"):
        yield I18n.get_current()


def parse(text):
    return parse_agenda(text, now=NOW, tz=BISHKEK)


@pytest.mark.parametrize("first_line", ["02.12.2026 15:00", "2.12.2026 15:00", "2026-12-02 15:00", "02.12.2026 15.00"])
def test_date_formats_and_the_seventh_day_is_allowed(first_line):
    agenda = parse(first_line + "\n1. Маселе")
    assert agenda.when.starts_at == datetime(2026, 12, 2, 15, 0, tzinfo=BISHKEK)
    assert agenda.when.place is None


def test_place_is_the_rest_of_the_first_line():
    assert parse("10.12.2026 15:00 Кабинет 12, 2-кабат\nМаселе").when.place == "Кабинет 12, 2-кабат"


def test_items_numbering_and_reporters():
    items = parse_items(
        [
            "1. Мектептин методикалык темасы — Осмонова Г.",
            "2) Окуу-методикалык иштер - Асанов А.",
            "- Окуу топторунун иш пландары",
            "  ",
            "• Ар кандай",
            "Башка маселе -- Петрова А. А.",
        ]
    )
    assert [(i.title, i.reporter) for i in items] == [
        ("Мектептин методикалык темасы", "Осмонова Г."),
        ("Окуу-методикалык иштер - Асанов А.", None),  # a hyphen is the title's own, never a reporter
        ("Окуу топторунун иш пландары", None),
        ("Ар кандай", None),
        ("Башка маселе", "Петрова А. А."),
    ]


def test_only_the_last_em_dash_or_double_hyphen_gives_a_reporter():
    items = parse_items(
        [
            "1. 5-11 - класстар: окуу - тарбия иштери",
            "2. Итоги I – II четверти — Асанова Б. — Осмонова Г.",
            "3. Отчёт -- Сыдыков Н.",
            "4. Темасы —",
        ]
    )
    assert [(i.title, i.reporter) for i in items] == [
        ("5-11 - класстар: окуу - тарбия иштери", None),
        ("Итоги I – II четверти — Асанова Б.", "Осмонова Г."),
        ("Отчёт", "Сыдыков Н."),
        ("Темасы —", None),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("01.12.2026 15:00\nМаселе", "Самая ранняя дата, которую можно выбрать сегодня, — 2 декабря 2026 г."),
        ("25.11.2026 23:00\nМаселе", "Это время уже прошло"),
        ("32.12.2026 15:00\nМаселе", "Даты «32 декабря» нет"),
        ("10.12.2026\nМаселе", "Не могу прочитать"),
        ("10.12.2026 15:00", "В повестке нет вопросов"),
        ("", "В первой строке"),
        ("10.12.2026 15:00\n" + "\n".join(f"Маселе {i}" for i in range(21)), "не больше 20 вопросов, а здесь 21"),
        ("10.12.2026 15:00\n" + "ы" * 301, "не больше 300 символов"),
        ("10.12.2026 15:00 " + "К" * 201 + "\nМаселе", "Место слишком длинное"),
    ],
)
def test_refusals(text, message):
    with pytest.raises(KeneshError) as caught:
        parse(text)
    assert message in caught.value.render().replace("\u202f", " ")


def test_twenty_items_of_300_characters_are_fine():
    agenda = parse("10.12.2026 15:00\n" + "\n".join("ы" * 300 for _ in range(20)))
    assert len(agenda.items) == 20


# --- the one reader of a typed date (bot.agenda.parse_day) -------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "today", "past", "read"),
    [
        ("21.12", date(2026, 11, 25), False, date(2026, 12, 21)),  # this year's, still to come
        ("21.12.", date(2026, 11, 25), False, date(2026, 12, 21)),
        ("25.11", date(2026, 11, 25), False, date(2026, 11, 25)),  # today is not past
        ("20.11", date(2026, 11, 25), False, date(2026, 11, 20)),  # 5 days ago: that day (the caller: "passed")
        ("10.01", date(2027, 1, 13), False, date(2027, 1, 10)),  # not a meeting a year ahead, unsaid
        ("20.09", date(2026, 11, 25), False, date(2027, 9, 20)),  # gone months ago: next year's
        ("29.02", date(2026, 11, 25), False, date(2028, 2, 29)),  # the next leap year
        ("1.10", date(2026, 11, 25), True, date(2026, 10, 1)),  # a day that has been (an order)
        ("21.12", date(2026, 11, 25), True, date(2025, 12, 21)),
        ("21.12.2030", date(2026, 11, 25), False, date(2030, 12, 21)),  # a year given is kept
        ("2027-01-05", date(2026, 11, 25), False, date(2027, 1, 5)),
    ],
)
def test_a_date_without_a_year_is_the_next_such_day(typed, today, past, read):
    assert parse_day(typed, today, past=past) == read


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("31.02.2027", "Даты «31 февраля» нет: последний день этого месяца — 28 февраля"),
        ("29.02.2027", "Даты «29 февраля» нет: последний день этого месяца — 28 февраля"),
        ("30.02", "Даты «30 февраля» нет: последний день этого месяца — 29 февраля"),
        ("31.04", "Даты «31 апреля» нет: последний день этого месяца — 30 апреля"),
        ("0.04", "Даты «0 апреля» нет: последний день этого месяца — 30 апреля"),
        ("12.13.2026", "Месяца 13 нет. Сначала день, потом месяц, например: 02.12.2026"),
    ],
)
def test_a_day_that_cannot_exist_is_named(typed, says):
    with pytest.raises(KeneshError) as refused:
        parse_day(typed, date(2026, 11, 25))
    assert refused.value.render() == says


def test_a_day_that_cannot_exist_is_named_in_kyrgyz(russian):
    with russian.use_locale("ky"):
        with pytest.raises(KeneshError) as refused:
            parse_day("31.02.2027", date(2026, 11, 25))
        assert refused.value.render() == "31-февраль деген күн жок: ал айдын акыркы күнү — 28-февраль"


@pytest.mark.parametrize("typed", ["завтра", "21/12", "2026.12.21", "21.12.26", "", "1.2.3.4"])
def test_what_is_no_date_is_left_to_the_caller_to_explain(typed):
    with pytest.raises(ValueError):
        parse_day(typed, date(2026, 11, 25))


def test_the_settings_dates_are_read_by_the_same_reader():
    from bot.ops.councils import parse_day as pedcouncil_day
    from bot.ops.councils import parse_number_and_date

    today = date(2026, 11, 25)
    assert parse_number_and_date("№15 1.09", today) == ("15", date(2026, 9, 1))  # an order that has been
    assert pedcouncil_day("28.05", today) == date(2027, 5, 28)  # the last pedagogical council, to come
    with pytest.raises(KeneshError) as refused:
        parse_number_and_date("15 31.09.2026", today)
    assert refused.value.render() == "Даты «31 сентября» нет: последний день этого месяца — 30 сентября"
