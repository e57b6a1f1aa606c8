"""SQLite's one writer, in turns (db.engine.WriteTurns): one at a time, a short write before the long ones waiting."""

import asyncio

from db.engine import WriteTurns


async def test_one_writer_at_a_time_and_a_short_write_goes_before_the_long_ones_waiting():
    turns, order, inside = WriteTurns(), [], []

    async def write(name: str, short: bool, hold: float) -> None:
        async with turns.turn(short=short):
            inside.append(name)
            assert len(inside) == 1  # never two at once
            order.append(name)
            await asyncio.sleep(hold)
            inside.remove(name)

    first = asyncio.create_task(write("job 1", False, 0.05))
    await asyncio.sleep(0.01)  # job 1 writes; jobs 2 and 3 queue, then the outbox's mark arrives
    jobs = [asyncio.create_task(write(f"job {n}", False, 0.01)) for n in (2, 3)]
    await asyncio.sleep(0.01)
    mark = asyncio.create_task(write("outbox mark", True, 0.0))
    await asyncio.gather(first, *jobs, mark)
    assert order == ["job 1", "outbox mark", "job 2", "job 3"]
