"""What the one door for text a person supplies (bot/text_input.py `clean_update`) costs per update.

Every update passes it before any handler, the vote press too (the hot path): this prints microseconds per
update for a vote press, a command with Cyrillic text, and a message that needs cleaning.

    .venv/bin/python scripts/bench_text_door.py
"""

from __future__ import annotations

import timeit

from aiogram.types import Update

from bot.text_input import clean_update

PERSON = {"id": 10, "is_bot": False, "first_name": "Гүлнара", "last_name": "Осмонова", "language_code": "ky"}
GROUP = {"id": -100, "type": "supergroup", "title": "Мектеп №5"}
UPDATES = {
    "vote press": {
        "update_id": 1,
        "callback_query": {
            "id": "1",
            "chat_instance": "1",
            "data": "v:1:for",
            "from": PERSON,
            "message": {"message_id": 5, "date": 0, "chat": GROUP, "text": "Добуш берүү\nБекитүү"},
        },
    },
    "command": {
        "update_id": 2,
        "message": {"message_id": 1, "date": 0, "chat": GROUP, "from": PERSON, "text": "/vote 1 Планды бекитүү"},
    },
    "a message to clean": {
        "update_id": 3,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {**GROUP, "title": "Мектеп\x07 №5"},
            "from": {**PERSON, "first_name": "Гүл\ufffeнара"},
            "text": "/vote 1 Планды\x0b бекитүү",
        },
    },
}


def main() -> None:
    runs = 20_000
    for name, raw in UPDATES.items():
        update = Update.model_validate(raw)
        best = min(timeit.repeat(lambda update=update: clean_update(update), number=runs, repeat=5))
        print(f"{name:20} {best / runs * 1e6:6.2f} µs per update")


if __name__ == "__main__":
    main()
