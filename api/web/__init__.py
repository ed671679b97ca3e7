"""The organiser's web app: server-rendered pages (Jinja2 + htmx) over the same services as the API.

One module per part of the organiser's flow; each route is thin and calls `api.service`,
`api.changes` or `api.solving`, exactly as the API's routes do.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.web import (
    access,
    capacity,
    downloads,
    edit,
    errors,
    imports,
    mail,
    new_event,
    overview,
    people,
    publish,
    revise,
    schedule,
    standby,
    start,
    stats,
    unscheduled,
)
from api.web.pages import STATIC_DIR


def install(app: FastAPI, api_validation_error: errors.ValidationHandler) -> None:
    """Add the pages, their static files and the browser-friendly error pages to `app`."""
    errors.install(app, api_validation_error)
    # downloads last: its /download/{what} would take the other routes' downloads
    pages = (
        start,
        new_event,
        imports,
        access,
        overview,
        publish,
        revise,
        schedule,
        edit,
        people,
        standby,
        unscheduled,
        stats,
        capacity,
        mail,
    )
    for module in (*pages, downloads):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
