"""Organiser access without accounts: the page that hands out the private organiser link, opening
it (sign in), signing out, and replacing the link (which signs every other browser out)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import service
from api.deps import SessionDep, SettingsDep
from api.routes._common import base_url, commit
from api.security import digest, new_organiser_token
from api.web.deps import CSRF, WebEventDep
from api.web.pages import PAGE_HEADERS, render
from api.web.session import ORGANISER_COOKIE, event_by_token, event_path, sign_in, sign_out
from scheduler.problems import summarised

router = APIRouter(include_in_schema=False)


def organiser_link(request: Request, token: str) -> str:
    settings = request.app.state.settings
    return f"{base_url(request, settings)}/o/{token}"


def created_page(request: Request, created: service.CreatedEvent) -> HTMLResponse:
    """The one time the organiser link and API token are shown; this browser is signed in."""
    response = render(
        request,
        "created.html",
        event=created.row,
        link=organiser_link(request, created.organiser_token),
        token=created.organiser_token,
        warnings=[p.as_dict() for p in summarised(created.warnings)],
        replaced=False,
    )
    sign_in(request, response, created.row.id, created.organiser_token)
    return response


@router.get("/o/{token}")
def open_organiser_link(token: str, request: Request, session: SessionDep) -> Response:
    """Sign this browser in and go on to the event at once: the secret leaves the address bar."""
    row = event_by_token(session, token)
    if row is None:
        return render(
            request,
            "error.html",
            status_code=status.HTTP_404_NOT_FOUND,
            title="This organiser link does not work",
            message="The link is wrong, was replaced by a new one, or its event was deleted.",
            hint="If someone replaced the link, ask them for the new one.",
            back_url="/",
            back_label="Start page",
        )
    response = RedirectResponse(event_path(row.id), status_code=status.HTTP_303_SEE_OTHER, headers=PAGE_HEADERS)
    sign_in(request, response, row.id, token)
    return response


@router.post("/events/{event_id}/sign-out", dependencies=CSRF)
def sign_out_page(event_id: str, request: Request) -> Response:
    response = RedirectResponse("/?signed_out=1", status_code=status.HTTP_303_SEE_OTHER, headers=PAGE_HEADERS)
    sign_out(request, response, event_id)
    return response


@router.post("/events/{event_id}/organiser-link", response_class=HTMLResponse, dependencies=CSRF)
def replace_organiser_link(row: WebEventDep, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """A new organiser link and API token; the old ones stop working everywhere (this browser
    stays signed in with the new one)."""
    token = new_organiser_token()
    row.organiser_token_hash = digest(token)
    commit(session)
    response = render(
        request,
        "created.html",
        event=row,
        link=organiser_link(request, token),
        token=token,
        warnings=[],
        replaced=True,
    )
    sign_in(request, response, row.id, token)
    return response


def current_token(request: Request) -> str:
    """The organiser token this browser signed in with (its cookie), to show as the API token."""
    return request.cookies.get(ORGANISER_COOKIE, "")
