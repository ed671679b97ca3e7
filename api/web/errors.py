"""Error pages a person can read: a browser never gets raw JSON from a page, a wrong address or a
missing sign-in. API paths (`/api/…`) and clients that do not ask for HTML keep the JSON answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api import openapi
from api.web.pages import render
from api.web.session import SignInRequired

ValidationHandler = Callable[[Request, RequestValidationError], Awaitable[Response]]

TITLES = {
    400: "The request could not be read",
    401: "Please sign in",
    403: "Not allowed",
    404: "Page not found",
    405: "Not available here",
    409: "Not now",
    503: "Busy for a moment",
    413: "The file is too large",
    422: "Something in the form needs fixing",
    500: "Something went wrong on our side",
}


def wants_html(request: Request) -> bool:
    """A browser asking for a page: not the API, and HTML in its Accept header."""
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_page(request: Request, status_code: int, message: str, hint: str = "") -> HTMLResponse:
    event_id = request.path_params.get("event_id")
    back = (f"/events/{event_id}", "Back to the event") if event_id and status_code != 401 else ("/", "Start page")
    return render(
        request,
        "error.html",
        status_code=status_code,
        title=TITLES.get(status_code, "Something went wrong"),
        message=message,
        hint=hint,
        back_url=back[0],
        back_label=back[1],
    )


def allowed_methods(request: Request) -> str:
    """The methods served at this path: Starlette's 405 names only the first route's (GET where
    GET and DELETE share a path, as two routes). An API path answers with its documented methods;
    a page with those of every route that would take the request."""
    documented = openapi.documented_methods(request.app, request.url.path)
    if documented is not None:
        return ", ".join(documented)
    return ", ".join(
        method
        for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in request.app.router.routes
        )
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        exc.headers = {**(exc.headers or {}), "Allow": allowed_methods(request)}
    if not wants_html(request):
        return await http_exception_handler(request, exc)
    detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "")
    if exc.status_code == status.HTTP_404_NOT_FOUND and detail == "Not Found":
        detail = "There is no page at this address. Check the link, or start from the start page."
    return error_page(request, exc.status_code, detail)


def _validation_error(api_answer: ValidationHandler) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if not wants_html(request):
            return await api_answer(request, exc)
        return _form_incomplete(request, exc)

    return handler


def _form_incomplete(request: Request, exc: RequestValidationError) -> Response:
    fields = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'form'}: {e.get('msg', '')}" for e in exc.errors()
    )
    return error_page(request, 422, f"The form was not complete: {fields}.", "Go back, correct it and send it again.")


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return error_page(
        request,
        401,
        "This browser is not signed in to this event.",
        "Open the private organiser link you were given when the event was created. If it was replaced, "
        "ask whoever replaced it for the new one.",
    )


async def _server_error(request: Request, exc: Exception) -> Response:
    if not wants_html(request):
        return Response("Internal Server Error", status_code=500, media_type="text/plain")
    return error_page(
        request,
        500,
        "The server could not finish this request. Nothing you did caused it.",
        "Try again in a moment; if it keeps happening, tell the people who run this server.",
    )


BUSY = "The database is busy with another change just now; nothing was changed. Try again in a few seconds."
RETRY_AFTER_SECONDS = 5


LOST = "The connection to the database was lost during this request; nothing was changed. Try again in a few seconds."


async def _database_busy(request: Request, exc: Exception) -> Response:
    """SQLite answered "database is locked" after its busy timeout (another process holds the
    write lock), or the database server dropped the connection mid-request (a restart, a killed
    backend): 503 with Retry-After, not a 500; the request's transaction was rolled back."""
    assert isinstance(exc, OperationalError)
    if "database is locked" in str(exc.orig):
        message = BUSY
    elif exc.connection_invalidated or "terminating connection" in str(exc.orig) or "closed" in str(exc.orig):
        message = LOST
    else:
        return await _server_error(request, exc)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if not wants_html(request):
        return JSONResponse({"detail": message}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE, headers=headers)
    page = error_page(request, 503, message, "Reload the page in a few seconds.")
    page.headers.update(headers)
    return page


def install(app: FastAPI, api_validation_error: ValidationHandler) -> None:
    """Pages for browsers; `api_validation_error` still answers the API's invalid requests."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, _database_busy)
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(500, _server_error)
    app.add_exception_handler(RequestValidationError, _validation_error(api_validation_error))
