"""`python -m scheduler …`: the command line (see scheduler/cli.py)."""

import time

# The start of this command's own work, read before the heavy imports below: --time-limit counts
# from here, never from an earlier program's start in the same process (`bash -c '… && python …'`).
STARTED = time.monotonic()

import sys  # noqa: E402

from scheduler.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(started=STARTED))
