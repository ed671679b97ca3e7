"""New event: the settings (a form, or an uploaded event.toml), then participants and wishes.

The three files go to `api.service.create_event`, the API's own path: the library's loader
judges them and nothing is stored unless they make a valid event. Its problems come back inline,
errors and warnings apart, with every typed value kept, and the files already chosen are kept
too (carried in the page, signed, not stored) so that the organiser only uploads the one fixed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from api import service
from api.deps import SecretDep, SessionDep, SettingsDep
from api.web import imports
from api.web.access import created_page
from api.web.event_form import EventForm, FieldProblems, on_the_form, time_zones
from api.web.pages import render
from api.web.uploads import UPLOAD_FORM, BadSeal, FormDep, TooLarge, Upload, read_upload, seal, unseal
from scheduler.io.event_file import EVENT_FILE
from scheduler.problems import EventError, Problem, summarised

router = APIRouter(include_in_schema=False)

FILES = (("event", "Event settings"), ("participants", "Participants"), ("wishes", "Wishes"))
KEEP = "new-event"  # the purpose of the files a form carries to its next try


@router.get("/events/new", response_class=HTMLResponse)
def new_event_page(request: Request) -> HTMLResponse:
    return _page(request, EventForm(), kept={})


@router.post("/events/new", response_class=HTMLResponse, dependencies=UPLOAD_FORM)
def create(request: Request, form: FormDep, session: SessionDep, secret: SecretDep, settings: SettingsDep) -> Response:
    """Check the settings and both tables together and create the event, or show every problem."""
    settings_form = EventForm.of(form)
    limit = settings.max_upload_bytes
    kept = _kept(form, secret, limit)
    try:
        for key, _label in FILES:
            upload = read_upload(form, key, limit)
            if upload is not None:
                kept[key] = upload
    except TooLarge as exc:
        return _page(request, settings_form, kept, status_code=status.HTTP_413_CONTENT_TOO_LARGE, failure=str(exc))
    if form.get("settings_from") == "form":  # the organiser chose the form over a kept event.toml
        kept.pop("event", None)
    from_form = "event" not in kept
    missing = [label for key, label in FILES[1:] if key not in kept]
    if missing:
        files = " and the ".join(m.lower() for m in missing)
        return _page(
            request,
            settings_form,
            kept,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            failure=f"Choose the {files} file{'s' if len(missing) > 1 else ''}.",
            from_form=from_form,
        )
    contents = (
        settings_form.toml() if from_form else kept["event"].data,
        kept["participants"].data,
        kept["wishes"].data,
    )
    if sum(len(c) for c in contents) > settings.upload_inline_bytes:  # read in the background, followed on a page
        return imports.queued(request, session, contents)
    try:
        created = service.create_event(
            session=session,
            secret=secret,
            event_toml=contents[0],
            participants_csv=contents[1],
            wishes_csv=contents[2],
        )
    except EventError as exc:
        session.rollback()
        judged = on_the_form(exc.problems, EVENT_FILE) if from_form else FieldProblems({}, exc.problems)
        return _page(
            request,
            settings_form,
            kept,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            problems=judged.rows,
            field_errors=judged.by_field,
            from_form=from_form,
        )
    session.commit()
    return created_page(request, created)


def _kept(form: FormData, secret: str, limit: int) -> dict[str, Upload]:
    """The files an earlier try of this form chose (a tampered one is simply dropped)."""
    kept = {}
    for key, _label in FILES:
        value = form.get(f"kept-{key}")
        if isinstance(value, str) and value:
            try:
                kept[key] = unseal(secret, f"{KEEP}:{key}", value, limit)
            except BadSeal:
                continue
    return kept


def _page(
    request: Request,
    settings_form: EventForm,
    kept: dict[str, Upload],
    status_code: int = status.HTTP_200_OK,
    failure: str = "",
    problems: list[Problem] | None = None,
    field_errors: dict[str, list[str]] | None = None,
    from_form: bool = True,
) -> HTMLResponse:
    secret: str = request.app.state.link_secret
    all_problems = [p.as_dict() for p in summarised(problems or [])]
    context: dict[str, Any] = {
        "form": settings_form,
        "rows": settings_form.rows(),
        "time_zones": time_zones(),
        "files": FILES,
        "kept": {key: (upload.name, seal(secret, f"{KEEP}:{key}", upload)) for key, upload in kept.items()},
        "from_form": from_form,
        "failure": failure,
        "errors": [p for p in all_problems if p["severity"] == "error"],
        "warnings": [p for p in all_problems if p["severity"] == "warning"],
        "field_errors": field_errors or {},
        "limit": request.app.state.settings.max_upload_bytes,
    }
    return render(request, "new_event.html", status_code=status_code, **context)
