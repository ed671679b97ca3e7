"""The mail operations the API's routes and the organiser's pages share: read a batch with its
log, preview one message. Plain functions over a session; nothing here knows HTTP."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.mail.batches import counts
from api.mail.rows import MailBatchRow, MailMessageRow


@dataclass(frozen=True)
class BatchView:
    batch: MailBatchRow
    counts: dict[str, int]
    recipients: list[MailMessageRow]

    @property
    def total(self) -> int:
        return len(self.recipients)

    @property
    def settled(self) -> int:
        return self.counts["sent"] + self.counts["failed"] + self.counts["refused"]


def batch_view(session: Session, event_id: str, batch_id: str) -> BatchView | None:
    """The batch of this event with every recipient (problems first, then by name); None if absent."""
    batch = session.get(MailBatchRow, batch_id) if "\x00" not in batch_id else None
    if batch is None or batch.event_id != event_id:
        return None
    rows = list(session.scalars(select(MailMessageRow).where(MailMessageRow.batch_id == batch_id)))
    order = {"refused": 0, "failed": 1, "sending": 2, "queued": 3, "sent": 4}
    rows.sort(key=lambda m: (order.get(m.status, 5), m.name.casefold(), m.pid))
    return BatchView(batch, counts(session, batch_id), rows)


def batches_of(session: Session, event_id: str) -> list[MailBatchRow]:
    """The event's batches, newest first."""
    return list(
        session.scalars(
            select(MailBatchRow).where(MailBatchRow.event_id == event_id).order_by(MailBatchRow.created_at.desc())
        )
    )
