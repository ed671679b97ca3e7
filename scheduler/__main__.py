"""`python -m scheduler …`: the command line (see scheduler/cli.py)."""

import sys

from scheduler.cli import main

if __name__ == "__main__":
    sys.exit(main())
