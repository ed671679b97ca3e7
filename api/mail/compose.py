"""Composing participants' e-mail: Jinja2 templates in templates/mail/ (every sentence whole and
marked for translation with jinja2.ext.i18n; null translations until catalogues exist) turned into
a standard-library `EmailMessage`: multipart/alternative text and HTML, a PDF attached when asked,
and names with any letters ("Jānis Bērziņš") encoded in the headers by the `email` package itself.

A `Draft` is what the organiser previews; `to_message` makes the message that is sent from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from scheduler import i18n
from scheduler.diff import MeetingChange
from scheduler.domain import Event, ParticipantId, Schedule, SlotIndex
from scheduler.export.html import TEMPLATES_DIR, long_date
from scheduler.export.tables import place
from scheduler.i18n.dates import time_range

ENV = Environment(
    loader=FileSystemLoader(str(TEMPLATES_DIR)),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
)
i18n.install(ENV)  # gettext and date filters of the language being rendered (`i18n.using`)

KINDS = ("agenda", "changes")


@dataclass(frozen=True)
class Links:
    """A participant's private addresses: the agenda page, its PDF and the calendar file."""

    page: str
    pdf: str
    ics: str

    @staticmethod
    def of(base_url: str, token: str) -> Links:
        root = f"{base_url.rstrip('/')}/agenda/{token}"
        return Links(root, f"{root}.pdf", f"{root}.ics")


@dataclass(frozen=True)
class Draft:
    """One participant's message before it is sent: what the preview shows."""

    kind: str
    to: Address | None  # None: the participant has no (usable) e-mail address
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class MeetingLine:
    when: str
    place: str
    partner: str
    organisation: str


@dataclass(frozen=True)
class ChangeLine:
    kind: str  # "added", "cancelled", "moved", "table_changed"
    partner: str
    organisation: str
    old_when: str
    old_place: str
    new_when: str
    new_place: str


def recipient(name: str, email: str) -> Address | None:
    """The participant's address with their name, or None when there is no usable address."""
    email = email.strip()
    if not email or "@" not in email or any(c in email for c in " <>,;\r\n"):
        return None
    try:
        return Address(display_name=name, addr_spec=email)
    except (ValueError, IndexError):  # the email package's parse errors are ValueErrors
        return None


def _span(event: Event, slot: SlotIndex) -> str:
    s = event.slots[slot]
    return time_range(s.start, s.end, i18n.current_language())


def _when(event: Event, slot: SlotIndex | None) -> str:
    """ "Wednesday 10 March 2027, 09:20–09:40"; the day is named even on a one-day event, since
    an e-mail is read out of context."""
    if slot is None:
        return ""
    return f"{long_date(event.slots[slot].date)}, {_span(event, slot)}"


def _who(event: Event, pid: ParticipantId) -> tuple[str, str]:
    p = event.participants.get(pid)
    return (p.name, p.organisation) if p else (pid, "")


def meeting_days(event: Event, schedule: Schedule, pid: ParticipantId) -> list[tuple[str, list[MeetingLine]]]:
    """The person's meetings by day: (the day's long date, its meetings in time order)."""
    days: dict[dt.date, list[MeetingLine]] = {}
    for m in schedule.for_person(pid):
        partner, organisation = _who(event, m.b if m.a == pid else m.a)
        slot = event.slots[m.slot]
        days.setdefault(slot.date, []).append(MeetingLine(_span(event, m.slot), place(m.table), partner, organisation))
    return [(long_date(day), lines) for day, lines in sorted(days.items())]


def change_lines(event: Event, changes: Iterable[MeetingChange], pid: ParticipantId) -> list[ChangeLine]:
    """One person's changes, in time order, with the places already written out."""
    out = []
    for c in changes:
        partner, organisation = _who(event, c.partner(pid))
        out.append(
            ChangeLine(
                c.kind,
                partner,
                organisation,
                _when(event, c.old_slot),
                place(c.old_table) if c.old_table else "",
                _when(event, c.new_slot),
                place(c.new_table) if c.new_table else "",
            )
        )
    return out


def _render(kind: str, **context: Any) -> tuple[str, str, str]:
    context.setdefault("lang", i18n.current_language())  # the HTML's lang attribute
    subject = ENV.get_template(f"mail/{kind}.subject.txt").render(**context)
    text = ENV.get_template(f"mail/{kind}.txt").render(**context)
    html = ENV.get_template(f"mail/{kind}.html").render(**context)
    return " ".join(subject.split()), text.strip() + "\n", html


def agenda_draft(
    event: Event, schedule: Schedule, pid: ParticipantId, links: Links, contact: str | None, pdf_attached: bool
) -> Draft:
    """ "Your agenda": the private link, and the person's meetings as a reminder, in their language."""
    with i18n.using(event.language_of(pid)):
        return _agenda_draft(event, schedule, pid, links, contact, pdf_attached)


def _agenda_draft(
    event: Event, schedule: Schedule, pid: ParticipantId, links: Links, contact: str | None, pdf_attached: bool
) -> Draft:
    person = event.participants[pid]
    days = meeting_days(event, schedule, pid)
    subject, text, html = _render(
        "agenda",
        event_name=event.name,
        name=person.name,
        links=links,
        days=days,
        meetings=sum(len(lines) for _, lines in days),
        contact=contact,
        pdf_attached=pdf_attached,
    )
    return Draft("agenda", recipient(person.name, person.email), subject, text, html)


def changes_draft(
    event: Event,
    changes: Iterable[MeetingChange],
    pid: ParticipantId,
    links: Links,
    contact: str | None,
    pdf_attached: bool,
) -> Draft:
    """ "Your agenda changed": this person's changes only (added, cancelled, moved), in their language."""
    person = event.participants[pid]
    with i18n.using(event.language_of(pid)):
        subject, text, html = _render(
            "changes",
            event_name=event.name,
            name=person.name,
            links=links,
            changes=change_lines(event, changes, pid),
            contact=contact,
            pdf_attached=pdf_attached,
        )
    return Draft("changes", recipient(person.name, person.email), subject, text, html)


def reply_address(event: Event, default: str | None) -> str | None:
    """Where replies go: the event's contact_email (event.toml, when the event has one), else the
    service's MATCHDAY_MAIL_REPLY_TO."""
    contact = getattr(event, "contact_email", None)
    return (contact or "").strip() or default


def to_message(
    draft: Draft,
    sender: Address,
    reply_to: str | None,
    pdf: tuple[bytes, str] | None = None,
    now: dt.datetime | None = None,
) -> EmailMessage:
    """The message to send: text and HTML alternatives (and the PDF `(data, filename)` attached).

    Raises ValueError when the draft has no recipient.
    """
    if draft.to is None:
        raise ValueError("the participant has no e-mail address")
    message = EmailMessage()  # policy.default: RFC 2047 encoded words for non-ASCII names
    message["Subject"] = draft.subject
    message["From"] = sender
    message["To"] = draft.to
    if reply_to:
        message["Reply-To"] = reply_to
    message["Date"] = format_datetime(now or dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid(domain=sender.domain or None)
    message["Auto-Submitted"] = "auto-generated"  # asks mail servers not to answer with holiday replies
    # quoted-printable keeps every line 7-bit, whatever the server says of 8BITMIME
    message.set_content(draft.text, cte="quoted-printable")
    message.add_alternative(draft.html, subtype="html", cte="quoted-printable")
    if pdf is not None:
        data, filename = pdf
        message.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return message
