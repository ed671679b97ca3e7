"""The mail tables: one row per batch (a send request) and one per recipient, whose unique key
(event, published version, kind, participant) is what makes a message never go out twice for
one publication."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.storage import MAX_ID_LENGTH, Base, new_id, utcnow

# A batch: queued → running → done (every recipient settled) or failed (stopped, e.g. the server
# could not be reached; its unsent recipients stay queued for the next send request).
BATCH_ACTIVE = ("queued", "running")

# A recipient: queued → sending → sent | failed (the server's answer) | refused (the address).
# "sending" is claimed before the SMTP conversation, so no second runner can send it too.
SETTLED = ("sent", "failed", "refused")


class MailBatchRow(Base):
    """One send request: a kind of message for one published version of an event."""

    __tablename__ = "mail_batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "agenda" or "changes"
    version: Mapped[int] = mapped_column(Integer)  # the published version the messages are about
    previous_version: Mapped[int | None] = mapped_column(Integer, default=None)  # "changes": compared with
    attach_pdf: Mapped[bool] = mapped_column(Boolean, default=False)
    base_url: Mapped[str] = mapped_column(String)  # where participants' links point
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    # [{"id", "name"}]: the people the batch was for who have no e-mail address
    without_email: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class MailMessageRow(Base):
    """One recipient of one kind of message for one publication, and what became of it."""

    __tablename__ = "mail_messages"
    __table_args__ = (UniqueConstraint("event_id", "version", "kind", "pid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("mail_batches.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    pid: Mapped[str] = mapped_column(String(MAX_ID_LENGTH))
    name: Mapped[str] = mapped_column(String)
    email: Mapped[str] = mapped_column(String)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    answer: Mapped[str | None] = mapped_column(Text, default=None)  # the server's last answer
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)
