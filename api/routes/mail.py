"""E-mail to participants: send everyone their agenda link, or after a published change "your
agenda changed" to the people affected only; follow a batch's progress and its per-recipient log;
preview one message before sending. The work is `api.mail`'s; sending runs in the background."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import JSONResponse

from api.deps import EventDep, SecretDep, SessionDep, SettingsDep
from api.mail import batches
from api.mail.compose import reply_address
from api.mail.config import SETTINGS_VARIABLES, MailNotConfigured, smtp_config
from api.mail.runner import BatchRunner
from api.mail.schemas import (
    MailBatchPublic,
    MailCounts,
    MailKind,
    MailNotConfiguredDetail,
    MailPreview,
    MailRecipient,
    MailRequestResult,
    MailSendRequest,
)
from api.mail.service import batch_view
from api.routes._common import Responses, base_url, commit
from api.schemas import PersonRef
from api.service import load_event

router = APIRouter(prefix="/api/events/{event_id}/mail", tags=["e-mail"])

BATCH_NOT_FOUND = "Mail batch not found"
SEND_RESPONSES: Responses = {
    200: {"model": MailRequestResult, "description": "Nothing was left to send (everyone already got it)."},
    409: {
        "model": MailNotConfiguredDetail,
        "description": "E-mail is not set up on this server (the detail says how), nothing is published yet, "
        'or ("changes") there is no earlier publication to compare with.',
    },
}


def not_configured(exc: MailNotConfigured) -> JSONResponse:
    """409 saying which environment variables set e-mail up, instead of failing later."""
    body = MailNotConfiguredDetail(detail=str(exc), settings=list(SETTINGS_VARIABLES))
    return JSONResponse(body.model_dump(), status_code=status.HTTP_409_CONFLICT)


def _send(
    kind: MailKind,
    row: EventDep,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
    body: MailSendRequest | None,
) -> MailRequestResult | JSONResponse:
    try:
        smtp_config(settings)
    except MailNotConfigured as exc:
        return not_configured(exc)
    try:
        result = batches.request_batch(
            session=session,
            row=row,
            kind=kind,
            attach_pdf=body.attach_pdf if body else False,
            base_url=base_url(request, settings),
        )
    except batches.NothingToSend as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
    commit(session)
    if result.batch is not None:
        runner: BatchRunner = request.app.state.mailer
        runner.submit(result.batch.id)
    else:
        response.status_code = status.HTTP_200_OK
    return MailRequestResult(
        kind=kind,
        version=result.version,
        previous_version=result.previous_version,
        batch_id=result.batch.id if result.batch else None,
        queued=result.queued,
        already_sent=[PersonRef(id=p.id, name=p.name) for p in result.already_sent],
        without_email=[PersonRef(id=p.id, name=p.name) for p in result.without_email],
        message=result.message,
    )


@router.post(
    "/agendas", status_code=status.HTTP_202_ACCEPTED, response_model=MailRequestResult, responses=SEND_RESPONSES
)
def send_agendas(
    row: EventDep,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
    body: MailSendRequest | None = None,
) -> MailRequestResult | JSONResponse:
    """Send every active participant their private agenda link for the published version (202 with
    the batch); whoever already got it for this version is not sent it again."""
    return _send("agenda", row, session, settings, request, response, body)


@router.post(
    "/changes", status_code=status.HTTP_202_ACCEPTED, response_model=MailRequestResult, responses=SEND_RESPONSES
)
def send_changes(
    row: EventDep,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
    body: MailSendRequest | None = None,
) -> MailRequestResult | JSONResponse:
    """Send "your agenda changed", with their own changes, to the people whose meetings differ between
    the version published before and the published one; nobody else, and nobody twice."""
    return _send("changes", row, session, settings, request, response, body)


@router.get("/batches/{batch_id}", response_model=MailBatchPublic, responses={404: {"description": BATCH_NOT_FOUND}})
def read_batch(row: EventDep, session: SessionDep, batch_id: str) -> MailBatchPublic:
    """A batch's progress and per-recipient log (the server's answer to each message)."""
    view = batch_view(session, row.id, batch_id)
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=BATCH_NOT_FOUND)
    b = view.batch
    return MailBatchPublic(
        id=b.id,
        kind=b.kind,  # type: ignore[arg-type]  # stored as one of MailKind
        version=b.version,
        previous_version=b.previous_version,
        attach_pdf=b.attach_pdf,
        state=b.state,  # type: ignore[arg-type]
        error=b.error,
        total=view.total,
        counts=MailCounts(**view.counts),
        recipients=[
            MailRecipient(
                id=m.pid,
                name=m.name,
                email=m.email,
                status=m.status,  # type: ignore[arg-type]
                attempts=m.attempts,
                answer=m.answer,
                sent_at=m.sent_at,
            )
            for m in view.recipients
        ],
        without_email=[PersonRef(id=p["id"], name=p["name"]) for p in b.without_email],
        created_at=b.created_at,
        started_at=b.started_at,
        finished_at=b.finished_at,
    )


@router.get(
    "/preview",
    response_model=MailPreview,
    responses={404: {"description": "No such participant."}, 409: {"description": "Nothing published yet."}},
)
def preview(
    row: EventDep,
    session: SessionDep,
    settings: SettingsDep,
    secret: SecretDep,
    request: Request,
    participant: Annotated[str, Query(description="The participant's id.")],
    kind: Annotated[MailKind, Query(description="Which message.")] = "agenda",
) -> MailPreview:
    """One participant's message for the published version, exactly as it would be sent (works before
    e-mail is set up, so the wording can be checked first)."""
    try:
        draft = batches.draft_for(
            session=session,
            row=row,
            kind=kind,
            pid=participant,
            secret=secret,
            base_url=base_url(request, settings),
            reply_to=settings.mail_reply_to,
        )
    except KeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Participant not found") from None
    except batches.NothingToSend as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
    event = load_event(row)
    person = event.participants[participant]
    return MailPreview(
        kind=kind,
        participant=PersonRef(id=participant, name=person.name),
        to=str(draft.to) if draft.to else None,
        from_address=settings.mail_from or None,
        reply_to=reply_address(event, settings.mail_reply_to),
        subject=draft.subject,
        text=draft.text,
        html=draft.html,
    )
