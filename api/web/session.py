"""Organiser access in the browser, without accounts: the private organiser link and CSRF.

Creating an event gives a private organiser link, `/o/<organiser token>` (the token is also the
API's Bearer token). Opening it signs the browser in: the token goes into an HttpOnly,
SameSite=Lax cookie scoped to that event's pages (`/events/<id>`), and the browser is sent on
at once, so the secret leaves the address bar, later URLs, Referer headers and (redacted) the
access log. Replacing the link replaces the token: every browser signed in with the old one is
signed out.

Every state-changing form carries a CSRF token: an HMAC, under the server secret, of a random
per-browser value kept in a cookie of its own (a signed double-submit cookie). htmx sends it as
the `X-CSRF-Token` header; plain forms as the hidden field `csrf`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets

from fastapi import HTTPException, Request, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.security import digest
from api.storage import EventRow

ORGANISER_COOKIE = "matchday_organiser"
CSRF_COOKIE = "matchday_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
COOKIE_DAYS = 60


class SignInRequired(Exception):
    """The browser holds no valid organiser link for this event (never signed in, signed out, or
    the link was replaced)."""

    def __init__(self, event_id: str):
        super().__init__(event_id)
        self.event_id = event_id


def event_path(event_id: str) -> str:
    return f"/events/{event_id}"


def secure_cookies(request: Request) -> bool:
    """Secure cookies over HTTPS, and on loopback, which browsers treat as a secure context; a plain
    HTTP address on a venue's network would never get the cookie back, so there it is left off."""
    if request.url.scheme == "https":
        return True
    host = request.url.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sign_in(request: Request, response: Response, event_id: str, token: str) -> None:
    response.set_cookie(
        ORGANISER_COOKIE,
        token,
        max_age=COOKIE_DAYS * 86400,
        path=event_path(event_id),
        secure=secure_cookies(request),
        httponly=True,
        samesite="lax",
    )


def sign_out(request: Request, response: Response, event_id: str) -> None:
    response.delete_cookie(
        ORGANISER_COOKIE, path=event_path(event_id), secure=secure_cookies(request), httponly=True, samesite="lax"
    )


def event_by_token(session: Session, token: str) -> EventRow | None:
    if not token or len(token) > 200:
        return None
    return session.scalar(select(EventRow).where(EventRow.organiser_token_hash == digest(token)))


def signed_in_event(request: Request, session: Session, event_id: str) -> EventRow:
    """The event of the path, if this browser signed in to it; `SignInRequired` otherwise (which
    says nothing about whether the event exists)."""
    row = event_by_token(session, request.cookies.get(ORGANISER_COOKIE, ""))
    if row is None or row.id != event_id:
        raise SignInRequired(event_id)
    return row


# --- CSRF -------------------------------------------------------------------------------------


def _csrf_for(secret: str, nonce: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{nonce}".encode(), hashlib.sha256).hexdigest()


def csrf_nonce(request: Request) -> str:
    """This browser's CSRF nonce: its cookie's, or a new one (set on the response by `remember_csrf`)."""
    nonce: str | None = getattr(request.state, "csrf_nonce", None)
    if nonce is None:
        nonce = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        request.state.csrf_nonce = nonce
    return nonce


def csrf_token(request: Request) -> str:
    """The token a page puts into its forms."""
    return _csrf_for(request.app.state.link_secret, csrf_nonce(request))


def remember_csrf(request: Request, response: Response) -> None:
    """Set the nonce cookie when the page made a new one."""
    nonce = getattr(request.state, "csrf_nonce", None)
    if nonce is not None and request.cookies.get(CSRF_COOKIE) != nonce:
        response.set_cookie(
            CSRF_COOKIE, nonce, path="/", secure=secure_cookies(request), httponly=True, samesite="strict"
        )


async def verify_csrf(request: Request) -> None:
    """A dependency of every state-changing page route: 403 unless the request carries this
    browser's CSRF token (header from htmx, form field from a plain form)."""
    nonce = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    expected = _csrf_for(request.app.state.link_secret, nonce)
    if not nonce or not hmac.compare_digest(sent, expected):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="This form has expired or was not sent from matchday's own page. Reload the page and try again.",
        )
