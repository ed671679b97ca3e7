"""unmet.csv and the counts the reports show (docs/formats.md, "Unmet wishes")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from scheduler.io.codec import write_csv
from scheduler.unmet.explain import REASONS, UnmetWish
from scheduler.unmet.words import BLOCKER_SEPARATOR

UNMET_COLUMNS = ("requester", "target", "priority", "mutual", "reason", "detail", "blockers")


def write_unmet_csv(unmet: Iterable[UnmetWish]) -> str:
    """One row per unmet wish, in wishes.csv order; blockers joined by `BLOCKER_SEPARATOR`."""
    rows = [list(UNMET_COLUMNS)]
    for u in unmet:
        rows.append(
            [
                u.requester,
                u.target,
                str(u.priority),
                "yes" if u.mutual else "no",
                u.reason,
                u.detail,
                BLOCKER_SEPARATOR.join(u.blockers),
            ]
        )
    return write_csv(rows, formula_safe=True)


def reason_counts(unmet: Iterable[UnmetWish]) -> dict[str, int]:
    """How many unmet wishes have each reason, every reason listed, most specific first."""
    counts = Counter(u.reason for u in unmet)
    return {reason: counts[reason] for reason in REASONS}


def unmet_as_dict(u: UnmetWish) -> dict[str, Any]:
    return {
        "requester": u.requester,
        "target": u.target,
        "priority": u.priority,
        "mutual": u.mutual,
        "reason": u.reason,
        "detail": u.detail,
        "blockers": list(u.blockers),
    }
