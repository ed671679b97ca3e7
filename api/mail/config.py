"""SMTP settings as one checked value, or a `MailNotConfigured` that tells the organiser which
environment variables to set: the feature explains itself instead of failing."""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Literal

from api.settings import Settings

Security = Literal["none", "starttls", "tls"]
DEFAULT_PORTS: dict[str, int] = {"none": 25, "starttls": 587, "tls": 465}

HOW_TO_CONFIGURE = (
    'Set MATCHDAY_SMTP_HOST and MATCHDAY_MAIL_FROM (e.g. "Matchday team <agenda@example.org>"), and as '
    "your mail provider requires MATCHDAY_SMTP_PORT, MATCHDAY_SMTP_SECURITY (starttls, tls or none), "
    "MATCHDAY_SMTP_USER and MATCHDAY_SMTP_PASSWORD; optionally MATCHDAY_MAIL_REPLY_TO (replies go to the "
    "event's contact_email when it has one). Put them in the environment or in a .env file beside the "
    "service, then restart it."
)
SETTINGS_VARIABLES = (
    "MATCHDAY_SMTP_HOST",
    "MATCHDAY_SMTP_PORT",
    "MATCHDAY_SMTP_SECURITY",
    "MATCHDAY_SMTP_USER",
    "MATCHDAY_SMTP_PASSWORD",
    "MATCHDAY_MAIL_FROM",
    "MATCHDAY_MAIL_REPLY_TO",
)


class MailNotConfigured(Exception):
    """E-mail cannot be sent: the message says what is missing (`problem`) and how to set it."""

    def __init__(self, problem: str, *, summary: str | None = None):
        super().__init__(f"{summary or problem} {HOW_TO_CONFIGURE}")
        self.problem = problem


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: Security
    user: str | None
    password: str | None
    timeout: float
    sender: Address
    reply_to: str | None  # the service's default; an event's contact_email comes first
    attempts: int
    retry_seconds: float


def parse_address(value: str) -> Address:
    """ "Name <a@b.org>" or "a@b.org" as an Address; ValueError for anything else."""
    name, addr = parseaddr(value)
    if not addr or "@" not in addr:
        raise ValueError(f"'{value}' is not an e-mail address")
    return Address(display_name=name, addr_spec=addr)


def smtp_config(settings: Settings) -> SmtpConfig:
    """The SMTP settings, checked; raises MailNotConfigured with what to do."""
    missing = [
        name
        for name, value in (("MATCHDAY_SMTP_HOST", settings.smtp_host), ("MATCHDAY_MAIL_FROM", settings.mail_from))
        if not (value or "").strip()
    ]
    if missing:
        names = " and ".join(missing)
        raise MailNotConfigured(
            f"Not set yet: {names}.", summary=f"E-mail is not set up on this server ({names} missing)."
        )
    assert settings.smtp_host is not None and settings.mail_from is not None
    try:
        sender = parse_address(settings.mail_from)
    except ValueError as exc:
        raise MailNotConfigured(f"MATCHDAY_MAIL_FROM: {exc}.") from None
    if settings.smtp_user and settings.smtp_password is None:
        raise MailNotConfigured("MATCHDAY_SMTP_USER is set but MATCHDAY_SMTP_PASSWORD is not.")
    return SmtpConfig(
        host=settings.smtp_host.strip(),
        port=settings.smtp_port or DEFAULT_PORTS[settings.smtp_security],
        security=settings.smtp_security,
        user=settings.smtp_user or None,
        password=settings.smtp_password,
        timeout=settings.smtp_timeout,
        sender=sender,
        reply_to=(settings.mail_reply_to or "").strip() or None,
        attempts=settings.mail_attempts,
        retry_seconds=settings.mail_retry_seconds,
    )
