"""The tables of long work done away from the request: prepared documents (everyone's agendas as
one PDF or a ZIP, rendered once per event, version and kind; the re-issued agendas of the people a
change affects, once per pair of versions) and imports (a big upload, stored raw,
parsed and validated later, ending in the created event or its problems).

Both rows go queued → running → done | failed. A document's bytes are kept in the database
(`data`, bytea on PostgreSQL): every web process and worker reaches the database, whereas a shared
folder would be one more thing to set up across machines; a 300-person agenda PDF is a few MB, and
only the latest requested version of each kind is kept per event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.storage import Base, new_id, utcnow

ACTIVE = ("queued", "running")
CHANGED_AGENDAS = "changed-agendas.pdf"  # the agendas of the people affected between two versions
KINDS = ("agendas.pdf", "agendas.zip", CHANGED_AGENDAS)
NO_VERSION = 0  # `from_version` of a document that compares with nothing (versions start at 1)


class PreparedDocumentRow(Base):
    """One document of one version of an event (of a pair of versions, for the changes between
    them), being or done rendering."""

    __tablename__ = "prepared_documents"
    __table_args__ = (UniqueConstraint("event_id", "version", "from_version", "kind"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)  # the schedule version rendered
    kind: Mapped[str] = mapped_column(String(32))  # one of KINDS
    # changed-agendas.pdf: the older version the changes are counted from; NO_VERSION for the other
    # kinds, and for the agendas of a first publication (changes from no schedule at all). Not NULL,
    # so that the unique key holds for every kind (NULLs never collide in a unique key).
    from_version: Mapped[int] = mapped_column(Integer, default=NO_VERSION)
    # What else the document shows (event revision, link base URL, every person's link version):
    # a request whose inputs differ renders it again.
    fingerprint: Mapped[str] = mapped_column(String(64))
    base_url: Mapped[str] = mapped_column(String)  # where the printed QR codes point
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    data: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)  # read to send only
    size: Mapped[int | None] = mapped_column(Integer, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(200), default=None)  # host:pid:start of the renderer
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class ImportRow(Base):
    """One upload too big to parse in its request: its three files until it is settled, then the
    event it created or changed (`event_id`) or the problems that refused it (`problems`, as the
    422 body). A replacement waiting for the organiser's confirmation is "checked"."""

    __tablename__ = "imports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    # The organiser token handed out with the 202 answer: it reads the import and then the event.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    event_toml: Mapped[bytes] = mapped_column(LargeBinary)
    participants_csv: Mapped[bytes] = mapped_column(LargeBinary)
    wishes_csv: Mapped[bytes] = mapped_column(LargeBinary)
    # Deleting the event deletes its import too (its warnings may quote the files).
    event_id: Mapped[str | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # A replacement of an existing event's participants and/or wishes (`api.prepared.replacements`):
    # `event_id` is that event from the start, `base_revision` the revision the files were sent
    # against; None for a new event. `stage` "check" ends "checked" with the `changes` worked out
    # (the organiser confirms them on a page), "apply" stores them. `replaced`: file names by key.
    base_revision: Mapped[int | None] = mapped_column(Integer, default=None)
    stage: Mapped[str | None] = mapped_column(String(16), default=None)
    replaced: Mapped[dict[str, str] | None] = mapped_column(JSON, default=None)
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
