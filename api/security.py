"""Tokens: organiser tokens (random, stored only as hashes) and participant links (HMAC-derived).

A participant's link token is HMAC(server secret, event id, participant row id, link version),
so the organiser can list every link at any time without the links being stored, and bumping
the version revokes one person's link. Lookups go through the SHA-256 digest of a token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def new_organiser_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """What is stored and looked up instead of a token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def participant_token(secret: str, event_id: str, participant_row_id: int, version: int) -> str:
    message = f"agenda:{event_id}:{participant_row_id}:{version}".encode()
    mac = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")[:40]
