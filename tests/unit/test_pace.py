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


def test_the_whole_bot_keeps_its_rate_over_all_chats():
    pace = Pace(per_second=25)  # a bucket of 2.5: a tenth of a second's worth
    now, sent = 1000.0, 0
    for step in range(1000):  # one second, tried every millisecond, each to another chat
        wait, whole_bot = pace.reserve(step, now + step / 1000)
        sent += wait == 0
        assert wait == 0 or whole_bot
    assert 25 <= sent <= 28  # the rate plus the small burst, under Telegram's 30


def test_a_direct_answer_goes_first_and_the_queue_waits_the_longer():
    pace = Pace(per_second=10)  # a bucket of 1
    assert pace.reserve(1, 1000.0) == (0, False)
    for chat in range(2, 7):  # five answers to people in the same moment: none of them waits
        pace.count(chat, 1000.0)
    wait, whole_bot = pace.reserve(7, 1000.0)
    assert whole_bot and 0.59 < wait <= 0.6  # the queue takes its next turn after theirs
    assert pace.reserve(7, 1000.6) == (0, False)


def test_without_a_rate_only_the_chats_are_paced():
    pace = Pace()
    assert all(pace.reserve(chat, 1000.0) == (0, False) for chat in range(100))
