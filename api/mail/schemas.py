"""The API's request and response shapes for e-mail (kept apart from the mail tables)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas import PersonRef

MailKind = Literal["agenda", "changes"]


class MailSendRequest(BaseModel):
    attach_pdf: bool = Field(False, description="Attach each person's agenda as a PDF.")


class MailRequestResult(BaseModel):
    """What a send request did."""

    kind: MailKind = Field(description='"agenda": every active participant\'s link; "changes": the affected only.')
    version: int = Field(description="The published version the messages are about.")
    previous_version: int | None = Field(description='"changes": the version published before, compared with.')
    batch_id: str | None = Field(description="The batch sending the messages; null when nothing was left to send.")
    queued: int = Field(description="Messages queued by this request.")
    already_sent: list[PersonRef] = Field(description="People who already got this message for this version.")
    without_email: list[PersonRef] = Field(description="People the message is for who have no e-mail address.")
    message: str = Field(description="What happened, in a sentence.")


class MailRecipient(BaseModel):
    id: str = Field(description="The participant's id.")
    name: str
    email: str
    status: Literal["queued", "sending", "sent", "failed", "refused"] = Field(
        description="refused: the server refused the address (a bounce); failed: any other answer, or "
        "temporary failures that lasted through every try."
    )
    attempts: int = Field(description="Tries so far (temporary failures are tried again).")
    answer: str | None = Field(description="The SMTP server's last answer, word for word.")
    sent_at: dt.datetime | None


class MailCounts(BaseModel):
    queued: int
    sending: int
    sent: int
    failed: int
    refused: int


class MailBatchPublic(BaseModel):
    """A batch's progress and its per-recipient log."""

    id: str
    kind: MailKind
    version: int
    previous_version: int | None
    attach_pdf: bool
    state: Literal["queued", "running", "done", "failed"] = Field(
        description="failed: the batch stopped (e.g. the server could not be reached); its unsent messages "
        "are sent by the next request."
    )
    error: str | None
    total: int = Field(description="Recipients with an address.")
    counts: MailCounts
    recipients: list[MailRecipient]
    without_email: list[PersonRef]
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class MailPreview(BaseModel):
    """One participant's message, as it would be sent now."""

    kind: MailKind
    participant: PersonRef
    to: str | None = Field(description="The To header; null when the participant has no e-mail address.")
    from_address: str | None = Field(alias="from", description="The sender; null until e-mail is set up.")
    reply_to: str | None
    subject: str
    text: str
    html: str

    model_config = {"populate_by_name": True}


class MailNotConfiguredDetail(BaseModel):
    detail: str = Field(description="What is missing and which environment variables to set.")
    settings: list[str] = Field(description="The environment variables of e-mail.")
