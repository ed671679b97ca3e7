"""Tokens: organiser tokens (random, stored only as hashes) and participant links (HMAC-derived).

A participant's link token is HMAC(server secret, event id, participant id, link version),
so the organiser can list every link at any time without the links being stored, and bumping
the version revokes one person's link. Lookups go through the SHA-256 digest of a token. A link
(a participant's, or the organiser's `/o/<token>`) is as good as a password, so access logs show
it redacted.

The server secret is never kept in the database (whoever reads a copy of it could make every
link): it is the `secret_key` setting, or else a key file outside the database, generated on
first start (`link_key`). The database keeps only a fingerprint of it, so that a process with a
different key (another machine without the file) refuses to start instead of handing out links
that do not work. A database from before keeps its secret in clear: the first start moves it to
the key file and removes it, so every link stays valid.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
import time
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from api.storage import Database, SecretRow

LINK_SECRET = "participant_links"  # the clear secret of databases from before the key file
LINK_FINGERPRINT = "participant_links.fingerprint"


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


class KeyMismatch(RuntimeError):
    """This process's link key is not the one the database's links were made with."""


def default_key_file(database_url: str) -> Path:
    """Where the link key is kept when no `secret_key_file` is set: beside a SQLite database
    (`matchday.db.key`), else `matchday-secret.key` in the working directory."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(f"{url.database}.key")
    return Path("matchday-secret.key")


def fingerprint(key: str) -> str:
    """What the database keeps of the key: enough to tell keys apart, nothing to make links with."""
    return "hmac-sha256:" + hmac.new(key.encode("utf-8"), b"matchday link key check", hashlib.sha256).hexdigest()


def link_key(db: Database, configured: str | None, key_file: Path) -> str:
    """The participant-link secret: `configured` (the `secret_key` setting), else the key file's,
    created on first start from a database's old clear secret or at random. Raises KeyMismatch
    when the database's links were made with another key."""
    with db.session() as s:
        old = s.get(SecretRow, LINK_SECRET)
        legacy = old.value if old is not None else None
    key = configured or _read_or_create(key_file, legacy or secrets.token_urlsafe(48))
    if legacy is not None and not configured and not hmac.compare_digest(key, legacy):
        raise KeyMismatch(
            f"the key file {key_file} holds another key than the one this database's links were made with; "
            "move it away and start again (the database's key is then moved into a new key file)"
        )
    mark = fingerprint(key)
    with db.session() as s:
        known = s.get(SecretRow, LINK_FINGERPRINT)
        if known is not None and not hmac.compare_digest(known.value, mark):
            raise KeyMismatch(
                "the participant-link key of this process is not the one this database's links were made with: "
                + (
                    "MATCHDAY_SECRET_KEY differs from before"
                    if configured
                    else f"copy the key file {key_file} of the first server here (or set MATCHDAY_SECRET_KEY_FILE "
                    "to it), or set MATCHDAY_SECRET_KEY on every server"
                )
            )
    if known is None:
        try:
            with db.session() as s:
                s.add(SecretRow(name=LINK_FINGERPRINT, value=mark))
        except IntegrityError:  # another process stored it first: it must be the same key
            return link_key(db, configured, key_file)
    if legacy is not None:
        with db.session() as s:  # moved to the key file (or replaced by the setting): out of the database
            stale = s.get(SecretRow, LINK_SECRET)
            if stale is not None:
                s.delete(stale)
    return key


def _read_or_create(path: Path, new: str) -> str:
    """The key in `path`, which is created (readable by its owner only) holding `new` when it does
    not exist; processes starting together all read the one that was written first."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(40):  # another process may have created it a moment ago and be writing it
            text = path.read_text(encoding="utf-8").strip()
            if text:
                return text
            time.sleep(0.05)
        raise KeyMismatch(f"the key file {path} is empty; delete it or restore it") from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(new + "\n")
        f.flush()
        os.fsync(f.fileno())
    return new
