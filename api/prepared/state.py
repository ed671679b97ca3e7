"""The life of a prepared document or an import row, in one place: queued → running → done | failed.

Every transition is a conditional UPDATE, so that several processes on one database never settle a
row twice. A running row names its owner (host:pid:start, as solves do): a web process that starts
again takes up what a dead one of this machine left, and a procrastinate worker that died is
noticed by the workers' sweep (`api.jobs.procrastinate_runner.sweep_stalled`), which runs the task
again or, after `job_max_attempts`, settles the row through `give_up`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, update

from api.jobs.state import owner_is_dead
from api.prepared.rows import ACTIVE, ImportRow, PreparedDocumentRow
from api.storage import Database, utcnow

Row = type[PreparedDocumentRow] | type[ImportRow]


def stopped(attempts: int) -> str:
    """The error of work whose process stopped `attempts` times (killed, out of memory)."""
    times = f"{attempts} time{'s' if attempts != 1 else ''}"
    return f"the process doing this stopped {times} (killed, or out of memory); ask again, and tell the operator"


def claim(db: Database, model: Row, item_id: str, owner: str, *, retake: bool = False) -> bool:
    """Move a queued row to "running" for `owner`; with `retake` also a running one (the task queue
    runs it again because its worker died). False when it is settled (or another process has it)."""
    states = ACTIVE if retake else ("queued",)
    with db.session() as s:
        result = s.execute(
            update(model)
            .where(model.id == item_id, model.state.in_(states))
            .values(state="running", worker=owner, started_at=utcnow(), attempts=model.attempts + 1)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def settle(db: Database, model: Row, item_id: str, state: str, **values: Any) -> bool:
    """End a row that is still active ("done" or "failed", with what it produced)."""
    if isinstance(values.get("error"), str):
        values["error"] = values["error"].replace("\x00", "\\x00")  # PostgreSQL text cannot hold NUL
    with db.session() as s:
        result = s.execute(
            update(model)
            .where(model.id == item_id, model.state.in_(ACTIVE))
            .values(state=state, finished_at=utcnow(), **values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def give_up(db: Database, model: Row, item_id: str, attempts: int) -> bool:
    """The task queue stopped retrying: the row fails with a message saying why."""
    return settle(db, model, item_id, "failed", error=stopped(attempts))


def orphans(db: Database, model: Row) -> list[str]:
    """Rows a web process of the embedded mode must take up on start: queued ones, and running ones
    whose owner is a dead process of this machine (set back to queued here)."""
    with db.session() as s:
        rows = s.execute(select(model.id, model.state, model.worker).where(model.state.in_(ACTIVE))).all()
        found = []
        for item_id, state, owner in rows:
            if state == "running":
                if not owner_is_dead(owner):
                    continue
                reset = s.execute(
                    update(model)
                    .where(model.id == item_id, model.state == "running", or_(model.worker == owner))
                    .values(state="queued", worker=None)
                )
                if not reset.rowcount:  # type: ignore[attr-defined]
                    continue
            found.append(item_id)
        return found
