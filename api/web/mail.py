"""E-mail in the organiser's app: what would be sent to whom (with a preview of one person's
message), Send, then the batch's progress and per-recipient log. Thin: `api.mail` does the work."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from api import service
from api.deps import SecretDep, SessionDep, SettingsDep
from api.mail import batches
from api.mail.compose import Draft, reply_address
from api.mail.config import MailNotConfigured, smtp_config
from api.mail.runner import BatchRunner
from api.mail.schemas import MailKind
from api.mail.service import batch_view, batches_of
from api.routes._common import base_url, commit
from api.storage import EventRow
from api.web.deps import CSRF, WebEventDep
from api.web.pages import PAGE_HEADERS, render

router = APIRouter(include_in_schema=False)

KIND_LABELS = {"agenda": "Your agenda", "changes": "Your agenda changed"}


def _plan(session: SessionDep, row: EventRow, kind: str) -> tuple[batches.Plan | None, str | None]:
    try:
        return batches.plan(session, row, kind), None
    except batches.NothingToSend as exc:
        return None, str(exc)


@router.get("/events/{event_id}/mail", response_class=HTMLResponse)
def mail_page(
    row: WebEventDep,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    secret: SecretDep,
    kind: Annotated[MailKind | None, Query()] = None,
    person: Annotated[str | None, Query(max_length=200)] = None,
    nothing: Annotated[MailKind | None, Query()] = None,
) -> HTMLResponse:
    """Who gets which message for the published version, one message previewed, and the batches so far."""
    try:
        smtp_config(settings)
        configuration = None
    except MailNotConfigured as exc:  # the page lists the settings itself: only what is wrong
        configuration = exc.problem
    event = service.load_event(row)
    plans = {k: _plan(session, row, k) for k in ("agenda", "changes")}
    chosen: str = kind or ("changes" if plans["changes"][0] and plans["changes"][0].todo else "agenda")
    plan = plans[chosen][0]
    draft: Draft | None = None
    preview_error = plans[chosen][1]
    candidates = [p for p, _ in plan.todo] if plan else []
    people = list(service.participants_of(session, row.id))
    if plan is not None:
        pid = person if person in event.participants else (candidates[0].pid if candidates else None)
        if pid is None and chosen == "agenda":
            pid = next((p.pid for p in people if p.status not in ("cancelled", "absent")), None)
        if pid is not None:
            try:
                draft = batches.draft_for(
                    session=session,
                    row=row,
                    kind=chosen,
                    pid=pid,
                    secret=secret,
                    base_url=base_url(request, settings),
                    reply_to=settings.mail_reply_to,
                )
            except (KeyError, batches.NothingToSend) as exc:
                preview_error = str(exc)
        person = pid
    return render(
        request,
        "mail.html",
        event=row,
        section="overview",
        configuration=configuration,
        plans=plans,
        kind=chosen,
        kind_labels=KIND_LABELS,
        person=person,
        people=people,
        affected={p.pid for p, _ in plan.todo} | {x.id for x in plan.already_sent} if plan else set(),
        draft=draft,
        preview_error=preview_error,
        sender=settings.mail_from,
        reply_to=reply_address(event, settings.mail_reply_to),
        nothing=nothing,
        batches=batches_of(session, row.id)[:10],
    )


@router.post("/events/{event_id}/mail", dependencies=CSRF)
def send(
    row: WebEventDep,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    kind: Annotated[MailKind, Form()],
    attach_pdf: Annotated[bool, Form()] = False,
) -> Response:
    """Queue the messages, then show the batch's progress (or say that nothing was left to send)."""
    try:
        smtp_config(settings)
    except MailNotConfigured as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
    try:
        result = batches.request_batch(
            session=session, row=row, kind=kind, attach_pdf=attach_pdf, base_url=base_url(request, settings)
        )
    except batches.NothingToSend as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
    commit(session)
    if result.batch is None:
        target = f"/events/{row.id}/mail?kind={kind}&nothing={kind}"
    else:
        runner: BatchRunner = request.app.state.mailer
        runner.submit(result.batch.id)
        target = f"/events/{row.id}/mail/batches/{result.batch.id}"
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER, headers=PAGE_HEADERS)


def _view(session: SessionDep, row: EventRow, batch_id: str) -> object:
    view = batch_view(session, row.id, batch_id)
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="There is no such mail batch for this event.")
    return view


@router.get("/events/{event_id}/mail/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(row: WebEventDep, request: Request, session: SessionDep, batch_id: str) -> HTMLResponse:
    """A batch's progress (live while it runs) and what the server answered for each person."""
    return render(
        request,
        "mail_batch.html",
        event=row,
        section="overview",
        view=_view(session, row, batch_id),
        kind_labels=KIND_LABELS,
    )


@router.get("/events/{event_id}/mail/batches/{batch_id}/progress", response_class=HTMLResponse)
def batch_progress(row: WebEventDep, request: Request, session: SessionDep, batch_id: str) -> HTMLResponse:
    """The live part of the batch page, polled by htmx while the batch runs."""
    return render(request, "mail_progress.html", event=row, view=_view(session, row, batch_id))
