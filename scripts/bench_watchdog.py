"""The daily trimester check (cl. 7.4) over a district's worth of councils.

    .venv/bin/python scripts/bench_watchdog.py [councils]

Seeds the councils (default 2,000; tests/seeding.py says the mix) in a migrated SQLite database in a temporary
directory, runs the check once on a day when most of them are due a warning, and prints the time it took, the
number of SQL statements it sent (counted with SQLAlchemy's before_cursor_execute event) and the warnings queued.
The same count for 10 councils is printed beside it: it must not grow with the number of councils.
Times are the best of 3 runs, each on a freshly seeded database. The process holds what the bot holds (aiogram
and the bot's modules: some 270,000 objects), so a full garbage collection triggered by the check's thousands
of new objects costs ~0.2 s of CPU; the second figure is with those startup objects frozen (`gc.freeze()`, as
a long-running server does once after start), which the bot's start-up could adopt.
A script, not a test (tests/flows/test_watchdog.py checks the count).
"""

from __future__ import annotations

import asyncio
import gc
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select  # noqa: E402

from bot.i18n import create_i18n  # noqa: E402
from bot.ops import watchdog  # noqa: E402
from db.engine import create_engine, make_sessionmaker, migrate  # noqa: E402
from db.models import OutboxMessage  # noqa: E402
from tests.seeding import WARNING_DAY, seed_councils  # noqa: E402


async def measure(
    councils: int, directory: str, run: int | str = 0
) -> tuple[float, float, list[str], int, dict[str, int]]:
    engine = create_engine(f"sqlite+aiosqlite:///{directory}/watchdog-{councils}-{run}.db".replace(" ", "-"))
    try:
        await migrate(engine)
        sessionmaker = make_sessionmaker(engine)
        kinds = await seed_councils(sessionmaker, councils, WARNING_DAY)
        i18n = create_i18n("ky")
        statements = []

        def count(_connection, _cursor, statement, *_args) -> None:
            statements.append(statement)

        event.listen(engine.sync_engine, "before_cursor_execute", count)
        start, cpu_start = time.perf_counter(), time.process_time()
        async with sessionmaker() as session:
            with i18n.context():
                await watchdog.daily_check(session, now=WARNING_DAY, tz=WARNING_DAY.tzinfo, default_locale="ky")
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        event.remove(engine.sync_engine, "before_cursor_execute", count)
        async with sessionmaker() as session:
            queued = await session.scalar(select(func.count()).select_from(OutboxMessage))
        return elapsed, cpu, statements, queued or 0, kinds
    finally:
        await engine.dispose()


async def best_of(runs: int, councils: int, directory: str, label: str) -> tuple:
    """Each run on a freshly seeded database (a check writes its warnings); the best of `runs` is the figure
    least disturbed by whatever else the machine runs (the median is printed beside it)."""
    results = [await measure(councils, directory, f"{label}{run}") for run in range(runs)]
    elapsed, cpu, statements, queued, kinds = min(results, key=lambda result: result[0])
    median = sorted(result[0] for result in results)[len(results) // 2]
    print(
        f"daily check, {label}: {elapsed:.3f} s, best of {runs} (median {median:.3f} s; {cpu:.3f} s of CPU), "
        f"{len(statements)} SQL statements, {queued} posts queued"
    )
    return statements, kinds


async def main(councils: int, runs: int = 3) -> None:
    with tempfile.TemporaryDirectory() as directory:
        _small_time, _small_cpu, small, _small_queued, kinds = await measure(10, directory)
        print(f"10 councils: {len(small)} SQL statements")
        statements, kinds = await best_of(runs, councils, directory, "as the bot runs")
        gc.collect()
        gc.freeze()
        await best_of(runs, councils, directory, "startup objects frozen")
    print(f"councils: {councils} ({', '.join(f'{k} {v}' for k, v in kinds.items())})")
    for statement, times in Counter(" ".join(s.split())[:100] for s in statements).most_common():
        print(f"  {times:5d} x {statement}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
