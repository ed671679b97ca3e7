"""A helper process never outlives the process that started it.

Solves, PDF renders and the days' hole polish run in child processes; a parent that is killed
(a cancelled solve, a web process stopped with kill -9) cannot ask them to stop, and a pool
process waiting on a queue whose other end its siblings keep open would wait forever. On Linux
the kernel kills the child with its parent (PR_SET_PDEATHSIG: note that it follows the parent
*thread* that started the child); a pid poll covers other systems and a parent gone before that
was armed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PARENT_POLL_SECONDS = 1.0


def die_with_parent(parent_pid: int) -> None:
    """Arm SIGKILL on the parent's death, and poll its pid as a fallback; exits at once when the
    parent is already gone (it died before the signal was armed)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(70)

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_SECONDS)
            if os.getppid() != parent_pid:
                os._exit(70)

    threading.Thread(target=watch, name="matchday-parent-watch", daemon=True).start()
