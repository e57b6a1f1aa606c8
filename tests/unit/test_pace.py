"""Telegram's pace: about one message a second to a chat (short bursts), at most 20 a minute to a group."""

from bot.runtime.outbox import Pace


def test_a_private_chat_gets_a_burst_then_about_one_a_second():
    pace = Pace(per_chat_burst=3, per_chat_interval=1.0)
    now = 1000.0
    for _ in range(3):
        assert pace.wait(42, now) == 0
        pace.sent(42, now)
    assert 2.9 < pace.wait(42, now) <= 3.0  # the burst is spent
    assert pace.wait(43, now) == 0  # another chat is not held up


def test_a_group_gets_at_most_twenty_a_minute():
    pace = Pace(per_chat_burst=1000, per_chat_interval=1.0, group_per_minute=20)
    now = 1000.0
    for i in range(20):
        assert pace.wait(-100, now + i) == 0
        pace.sent(-100, now + i)
    assert pace.wait(-100, now + 20) == 40  # the 21st waits until the first is a minute old
    assert pace.wait(-100, now + 61) == 0


def test_retry_after_pauses_the_chat():
    pace = Pace()
    pace.pause(-100, 1005.0)
    assert pace.wait(-100, 1000.0) == 5.0
    assert pace.wait(-100, 1006.0) == 0
