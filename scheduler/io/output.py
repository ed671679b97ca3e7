"""Writing an output file so that no reader ever sees half of it (a schedule, a PDF, a report)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from scheduler.problems import MatchdayError


class OutputError(MatchdayError):
    """An output folder, or a file in it, cannot be written; the message names it and says why."""


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path`."""
    tmp: str | None = None
    try:
        with tempfile.NamedTemporaryFile(
            "wb", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
        ) as f:
            tmp = f.name
            f.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot be written ({exc.strerror or exc})") from None
