"""One SMTP conversation for a batch, and each message's outcome in the server's own words.

Outcomes: "sent"; "temporary" (a 4xx reply, a dropped or refused connection: worth another try);
"refused" (the server refused the recipient's address with a 5xx reply: a bounced address);
"failed" (any other permanent answer). A lost connection is reopened on the next try.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from types import TracebackType
from typing import Literal

from api.mail.config import SmtpConfig

Outcome = Literal["sent", "temporary", "refused", "failed"]


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    answer: str  # the server's reply ("250 2.0.0 OK ...", "550 5.1.1 No such user") or what went wrong


class ConnectionTrouble(Exception):
    """The server cannot be reached, or refuses this service's login: no message can go out."""


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(words.split())}".strip()


def _kind(code: int) -> Outcome:
    return "temporary" if 400 <= code < 500 else "failed"


class Mailer:
    """Sends messages over one connection, opened on first use and reopened after it drops."""

    def __init__(self, config: SmtpConfig):
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        context = ssl.create_default_context()
        try:
            smtp: smtplib.SMTP
            if c.security == "tls":
                smtp = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=context)
            else:
                smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            smtp.ehlo_or_helo_if_needed()
            if c.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if c.user:
                smtp.login(c.user, c.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise ConnectionTrouble(
                f"The SMTP server refused the login of {c.user}: {_reply(exc.smtp_code, exc.smtp_error)}"
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise ConnectionTrouble(f"The SMTP server {c.host}:{c.port} does not support {c.security}: {exc}") from None
        except (OSError, smtplib.SMTPException) as exc:  # refused, unreachable, TLS failure, a 4xx greeting
            raise ConnectionTrouble(f"Could not talk to the SMTP server {c.host}:{c.port}: {exc}") from None
        return smtp

    def send(self, message: EmailMessage, to: str) -> Result:
        """Send one message to one address; never raises for what the server answers about it.

        The conversation (MAIL, RCPT, DATA) is spelled out rather than `send_message`, so that the
        server's reply to each step, the final "250 ... queued as ..." included, is what the log keeps.
        Raises ConnectionTrouble when the server cannot be reached or refuses the login.
        """
        if self._smtp is None:
            self._smtp = self._connect()
        smtp = self._smtp
        data = message.as_bytes(policy=policy.SMTP)
        try:
            code, text = smtp.mail(self.config.sender.addr_spec)
            if code != 250:
                self._reset()
                return Result(_kind(code), _reply(code, text))
            code, text = smtp.rcpt(to)
            if code not in (250, 251):
                self._reset()
                return Result("temporary" if 400 <= code < 500 else "refused", _reply(code, text))
            code, text = smtp.data(data)
        except smtplib.SMTPResponseException as exc:  # the answer to DATA itself, or a closing 421
            self._reset()
            return Result(_kind(exc.smtp_code), _reply(exc.smtp_code, exc.smtp_error))
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            return Result("temporary", f"Connection lost: {exc}")
        except smtplib.SMTPException as exc:
            self._reset()
            return Result("failed", str(exc))
        if code != 250:
            self._reset()
            return Result(_kind(code), _reply(code, text))
        return Result("sent", _reply(code, text))

    def _reset(self) -> None:
        """After a refused message: RSET so the connection is clean for the next one."""
        if self._smtp is None:
            return
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (smtplib.SMTPException, OSError):
            self._smtp.close()
        self._smtp = None
