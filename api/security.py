"""Tokens: organiser tokens (random, stored only as hashes) and participant links (HMAC-derived).

A participant's link token is HMAC(server secret, event id, participant id, link version),
so the organiser can list every link at any time without the links being stored, and bumping
the version revokes one person's link. Lookups go through the SHA-256 digest of a token. A link
(a participant's, or the organiser's `/o/<token>`) is as good as a password, so access logs show
it redacted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets


def new_organiser_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """What is stored and looked up instead of a token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def participant_token(secret: str, event_id: str, participant_id: str, version: int) -> str:
    """The link token of one participant (their id in participants.csv) at one link version."""
    message = f"agenda:{event_id}:{participant_id}:{version}".encode()
    mac = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")[:40]


_PRIVATE_TOKEN = re.compile(r"(/agenda/|/o/)(?!fonts/)[A-Za-z0-9_-]+")


def redact_private_links(text: str) -> str:
    """`/agenda/<token>.pdf` → `/agenda/[token].pdf`, `/o/<token>` → `/o/[token]`: what an access
    log may keep of a participant's or an organiser's private link."""
    return _PRIVATE_TOKEN.sub(r"\1[token]", text)


class RedactPrivateLinks(logging.Filter):
    """Keeps link tokens out of access logs (uvicorn logs the request path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_private_links(record.msg)
        if isinstance(record.args, tuple):  # uvicorn's access formatter unpacks exactly these
            record.args = tuple(_redacted(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _redacted(v) for k, v in record.args.items()}
        return True


def _redacted(value: object) -> object:
    if isinstance(value, str):
        return redact_private_links(value)
    if isinstance(value, bytes):
        return redact_private_links(value.decode("utf-8", "replace"))
    return value


def redact_access_log(logger_name: str = "uvicorn.access") -> None:
    """Install `RedactPrivateLinks` on the access logger, once."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactPrivateLinks) for f in logger.filters):
        logger.addFilter(RedactPrivateLinks())
