"""Run a command with the wall clock moved to another date (libfaketime), e.g. the flow tests a year ahead:

    python scripts/at_date.py "2028-02-29 09:00:00" -m pytest tests/flows

The clock starts at that moment (UTC) and runs on; the monotonic clock is left alone (DONT_FAKE_MONOTONIC=1) so
asyncio's timers keep working. The command is run with this Python.
"""

from __future__ import annotations

import os
import sys

import libfaketime


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    moment, command = sys.argv[1], sys.argv[2:]
    env = dict(os.environ)
    env.update(libfaketime.get_reload_information()[1])
    env.update({"FAKETIME": f"@{moment}", "DONT_FAKE_MONOTONIC": "1", "TZ": "UTC"})
    os.execve(sys.executable, [sys.executable, *command], env)


if __name__ == "__main__":
    main()
