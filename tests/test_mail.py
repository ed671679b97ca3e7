"""E-mail to participants, through a real SMTP server on 127.0.0.1 (aiosmtpd): what arrives, how
the names are encoded, retries, refusals, the per-recipient log and "never twice"; the bar: a
published change touching 7 of 300 people reaches exactly those 7."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi.testclient import TestClient

from api.mail.config import MailNotConfigured, smtp_config
from api.settings import Settings
from tests.api_helpers import client_for, settings_for, solve, upload, wait_for_state

SAMPLE_300 = Path(__file__).resolve().parents[1] / "sample_events" / "buyer-seller-day"
SENDER = "Matchday Ålborg <agenda@example.dk>"


@dataclass
class Sink:
    """What the SMTP server on 127.0.0.1 received, and how it should misbehave."""

    port: int = 0
    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address → the 5xx answer to RCPT
    busy_once: set[str] = field(default_factory=set)  # addresses answered 451 at DATA, once each
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        to = list(envelope.rcpt_tos)
        with self.lock:
            if to and to[0] in self.busy_once:
                self.busy_once.discard(to[0])
                return "451 4.3.0 Mailbox busy, try again later"
            assert isinstance(envelope.content, bytes)
            message = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            self.received.append(message)
            self.envelopes.append((str(envelope.mail_from), to))
        return f"250 2.0.0 Ok: queued as Q{len(self.received)}"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m, (_, rcpt) in zip(self.received, self.envelopes, strict=True) if address in rcpt]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sink() -> Iterator[Sink]:
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    handler.port = controller.port
    try:
        yield handler
    finally:
        controller.stop()


def mail_settings(tmp_path: Path, sink: Sink, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": sink.port,
        "smtp_security": "none",
        "mail_from": SENDER,
        "mail_reply_to": "organiser@example.org",
        "mail_retry_seconds": 0.01,
        "public_base_url": "https://matchday.example.org",
    }
    values.update(overrides)
    return settings_for(tmp_path / "mail.db", **values)


def mail_client(tmp_path: Path, sink: Sink, **overrides: Any) -> TestClient:
    from api.app import create_app

    return TestClient(create_app(mail_settings(tmp_path, sink, **overrides)))


def wait_for_batch(client: TestClient, event_id: str, batch_id: str, headers: dict[str, str]) -> dict[str, Any]:
    return wait_for_state(client, f"/api/events/{event_id}/mail/batches/{batch_id}", headers)


def send(client: TestClient, event_id: str, headers: dict[str, str], what: str, **body: Any) -> dict[str, Any]:
    r = client.post(f"/api/events/{event_id}/mail/{what}", json=body or None, headers=headers)
    assert r.status_code in (200, 202), r.text
    result: dict[str, Any] = r.json()
    assert (r.status_code == 202) == (result["batch_id"] is not None)
    return result


# --- settings ---------------------------------------------------------------------------------------


def test_without_smtp_settings_the_answer_says_how_to_configure(tmp_path: Path) -> None:
    with pytest.raises(MailNotConfigured, match="MATCHDAY_SMTP_HOST"):
        smtp_config(settings_for(tmp_path / "a.db"))
    with client_for(tmp_path / "a.db") as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        r = client.post(f"/api/events/{event_id}/mail/agendas", headers=headers)
        assert r.status_code == 409
        body = r.json()
        assert "MATCHDAY_SMTP_HOST and MATCHDAY_MAIL_FROM missing" in body["detail"]
        assert "MATCHDAY_SMTP_PASSWORD" in body["detail"] and "MATCHDAY_SMTP_HOST" in body["settings"]
        # the preview works before e-mail is set up, so the wording can be checked first
        preview = client.get(f"/api/events/{event_id}/mail/preview?participant=p2", headers=headers)
        assert preview.status_code == 200 and preview.json()["from"] is None


def test_settings_are_checked(tmp_path: Path) -> None:
    with pytest.raises(MailNotConfigured, match="MATCHDAY_MAIL_FROM: 'nobody' is not an e-mail address"):
        smtp_config(settings_for(tmp_path / "a.db", smtp_host="mail.example.org", mail_from="nobody"))
    config = smtp_config(settings_for(tmp_path / "a.db", smtp_host="mail.example.org", mail_from=SENDER))
    assert (config.port, config.security, config.sender.display_name) == (587, "starttls", "Matchday Ålborg")
    tls = smtp_config(settings_for(tmp_path / "a.db", smtp_host="m", mail_from=SENDER, smtp_security="tls"))
    assert tls.port == 465


# --- one small event: names, parts, retries, refusals, the log --------------------------------------


def test_agendas_arrive_multipart_with_encoded_names(tmp_path: Path, sink: Sink) -> None:
    with mail_client(tmp_path, sink) as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        result = send(client, event_id, headers, "agendas")
        assert result["queued"] == 2  # Søren and Jānis have addresses
        assert [p["id"] for p in result["without_email"]] == ["p3", "p4", "p5", "p6", "p7", "p8"]
        batch = wait_for_batch(client, event_id, result["batch_id"], headers)
    assert batch["state"] == "done" and batch["counts"]["sent"] == 2
    assert {r["answer"] for r in batch["recipients"]} == {"250 2.0.0 Ok: queued as Q1", "250 2.0.0 Ok: queued as Q2"}
    assert len(batch["without_email"]) == 6
    janis = sink.to("janis@example.lv")[0]
    # headers travel as RFC 2047 encoded words and decode back to the people's letters
    raw_to = janis.as_bytes().split(b"\nTo: ")[1].split(b"\n")[0]
    assert raw_to.isascii() and b"=?utf-8?" in raw_to
    assert janis["To"].addresses[0].display_name == "Jānis Bērziņš"
    assert janis["From"].addresses[0].display_name == "Matchday Ålborg"
    assert janis["From"].addresses[0].addr_spec == "agenda@example.dk"
    assert janis["Reply-To"].addresses[0].addr_spec == "organiser@example.org"
    assert janis["Subject"] == "Your agenda for Nordic–Baltic Circular B2B Day"
    assert janis.get_content_type() == "multipart/alternative"
    text = janis.get_body(("plain",))
    html = janis.get_body(("html",))
    assert text is not None and html is not None
    assert "Dear Jānis Bērziņš," in text.get_content()
    assert "https://matchday.example.org/agenda/" in text.get_content()
    assert "Dear Jānis Bērziņš," in html.get_content() and '<a href="https://matchday.example.org/agenda/' in (
        html.get_content()
    )
    assert sink.to("soren@example.dk")[0]["To"].addresses[0].display_name == "Søren Dybdahl"


def test_pdf_attached_on_request(tmp_path: Path, sink: Sink) -> None:
    with mail_client(tmp_path, sink) as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        result = send(client, event_id, headers, "agendas", attach_pdf=True)
        wait_for_batch(client, event_id, result["batch_id"], headers)
    message = sink.to("soren@example.dk")[0]
    assert message.get_content_type() == "multipart/mixed"
    attachments = list(message.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    assert attachments[0].get_filename() == "agenda-søren-dybdahl.pdf"
    assert attachments[0].get_content().startswith(b"%PDF")


def test_temporary_failure_is_retried_then_sent(tmp_path: Path, sink: Sink) -> None:
    sink.busy_once.add("janis@example.lv")
    with mail_client(tmp_path, sink) as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        batch = wait_for_batch(client, event_id, send(client, event_id, headers, "agendas")["batch_id"], headers)
    janis = next(r for r in batch["recipients"] if r["id"] == "p2")
    assert janis["status"] == "sent" and janis["attempts"] == 2
    assert len(sink.to("janis@example.lv")) == 1


def test_temporary_failures_give_up_after_the_attempts(tmp_path: Path, sink: Sink) -> None:
    sink.refuse["janis@example.lv"] = "452 4.2.2 Mailbox full"
    with mail_client(tmp_path, sink, mail_attempts=2) as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        batch = wait_for_batch(client, event_id, send(client, event_id, headers, "agendas")["batch_id"], headers)
        janis = next(r for r in batch["recipients"] if r["id"] == "p2")
        assert (janis["status"], janis["attempts"], janis["answer"]) == ("failed", 2, "452 4.2.2 Mailbox full")
        # a failed recipient is tried again by the next request; the sent one is not sent twice
        del sink.refuse["janis@example.lv"]
        again = send(client, event_id, headers, "agendas")
        assert again["queued"] == 1 and [p["id"] for p in again["already_sent"]] == ["p1"]
        second = wait_for_batch(client, event_id, again["batch_id"], headers)
    assert [(r["id"], r["status"]) for r in second["recipients"]] == [("p2", "sent")]
    assert len(sink.to("soren@example.dk")) == 1 and len(sink.to("janis@example.lv")) == 1


def test_refused_address_is_logged_with_the_servers_answer(tmp_path: Path, sink: Sink) -> None:
    sink.refuse["soren@example.dk"] = "550 5.1.1 <soren@example.dk>: Recipient address rejected: User unknown"
    with mail_client(tmp_path, sink) as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        batch = wait_for_batch(client, event_id, send(client, event_id, headers, "agendas")["batch_id"], headers)
    assert batch["counts"] | {} == {"queued": 0, "sending": 0, "sent": 1, "failed": 0, "refused": 1}
    soren = batch["recipients"][0]  # problems first
    assert soren["status"] == "refused" and soren["attempts"] == 1
    assert soren["answer"] == "550 5.1.1 <soren@example.dk>: Recipient address rejected: User unknown"
    assert sink.to("soren@example.dk") == [] and len(sink.to("janis@example.lv")) == 1


def test_unreachable_server_stops_the_batch_and_the_next_request_resumes(tmp_path: Path, sink: Sink) -> None:
    with mail_client(tmp_path, sink, smtp_port=_free_port(), mail_attempts=1) as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        batch = wait_for_batch(client, event_id, send(client, event_id, headers, "agendas")["batch_id"], headers)
    assert batch["state"] == "failed" and "Could not talk to the SMTP server 127.0.0.1" in batch["error"]
    assert batch["counts"]["queued"] == 2 and batch["counts"]["sent"] == 0
    with mail_client(tmp_path, sink) as client:  # the same database, the server now reachable
        again = send(client, event_id, headers, "agendas")
        assert again["queued"] == 2
        assert wait_for_batch(client, event_id, again["batch_id"], headers)["counts"]["sent"] == 2


def test_preview_shows_the_message_of_one_person(tmp_path: Path, sink: Sink) -> None:
    with mail_client(tmp_path, sink) as client:
        event_id, headers = upload(client)
        before = client.get(f"/api/events/{event_id}/mail/preview?participant=p2", headers=headers)
        assert before.status_code == 409 and "Nothing is published yet" in before.json()["detail"]
        solve(client, event_id, headers)
        r = client.get(f"/api/events/{event_id}/mail/preview?participant=p2", headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["to"] == "Jānis Bērziņš <janis@example.lv>" and body["from"] == SENDER
        assert body["subject"] == "Your agenda for Nordic–Baltic Circular B2B Day"
        assert "Dear Jānis Bērziņš," in body["text"] and "<h1" in body["html"]
        nobody = client.get(f"/api/events/{event_id}/mail/preview?participant=p3", headers=headers).json()
        assert nobody["to"] is None
        missing = client.get(f"/api/events/{event_id}/mail/preview?participant=zz", headers=headers)
        assert missing.status_code == 404
        first = client.get(f"/api/events/{event_id}/mail/preview?participant=p2&kind=changes", headers=headers)
        assert first.status_code == 409 and "first published version" in first.json()["detail"]
        assert client.post(f"/api/events/{event_id}/mail/changes", headers=headers).status_code == 409
        assert sink.received == []


def test_names_with_markup_are_escaped_in_html(tmp_path: Path, sink: Sink) -> None:
    from tests.api_helpers import API_DATA

    people = (API_DATA / "participants.csv").read_bytes().replace(b"J\xc4\x81nis B", b"<b>J\xc4\x81nis</b> B")
    with mail_client(tmp_path, sink) as client:
        event_id, headers = upload(client, participants=people)
        solve(client, event_id, headers)
        body = client.get(f"/api/events/{event_id}/mail/preview?participant=p2", headers=headers).json()
    assert "&lt;b&gt;Jānis&lt;/b&gt;" in body["html"] and "<b>Jānis" not in body["html"]
    assert "Dear <b>Jānis</b> Bērziņš," in body["text"]


# --- the bar: a change touching 7 of 300 people reaches those 7, once --------------------------------


def _seven_people_change(meetings: list[dict[str, Any]], reachable: set[str]) -> list[tuple[str, str]]:
    """Meetings to cancel that touch exactly 7 people, each with an e-mail address (`reachable`): two
    of one person's, then two disjoint pairs. (Five of the sample's people have no address; which
    meetings exist depends on the solve, so they are left out by name, not by luck.)"""
    meetings = [m for m in meetings if {m["participant_a"], m["participant_b"]} <= reachable]
    by_person: dict[str, list[dict[str, Any]]] = {}
    for m in meetings:
        for pid in (m["participant_a"], m["participant_b"]):
            by_person.setdefault(pid, []).append(m)
    hub = next(pid for pid, ms in sorted(by_person.items()) if len(ms) >= 2)
    chosen = [(m["participant_a"], m["participant_b"]) for m in by_person[hub][:2]]
    used = {p for pair in chosen for p in pair}
    for m in meetings:
        pair = (m["participant_a"], m["participant_b"])
        if len(chosen) == 4:
            break
        if not used & set(pair):
            chosen.append(pair)
            used |= set(pair)
    assert len(used) == 7
    return chosen


def test_a_change_touching_7_of_300_sends_exactly_7_messages(tmp_path: Path, sink: Sink) -> None:
    with mail_client(tmp_path, sink) as client:
        event_id, headers = upload(client, SAMPLE_300)
        solve(client, event_id, headers, time_limit=3.0)
        schedule = client.get(f"/api/events/{event_id}/schedule", headers=headers).json()
        listed = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
        pairs = _seven_people_change(schedule["meetings"], {p["id"] for p in listed if p["email"]})
        for a, b in pairs:
            r = client.post(f"/api/events/{event_id}/meetings/cancel", json={"a": a, "b": b}, headers=headers)
            assert r.status_code == 200, r.text
        published = client.post(f"/api/events/{event_id}/publish", headers=headers)
        assert published.status_code == 200, published.text
        affected = {p["id"] for p in published.json()["people_affected"]}
        assert len(affected) == 7

        result = send(client, event_id, headers, "changes")
        assert result["queued"] == 7 and result["without_email"] == []
        batch = wait_for_batch(client, event_id, result["batch_id"], headers)
        assert batch["counts"]["sent"] == 7

        # a second request for the same publication sends nothing, and says so
        again = send(client, event_id, headers, "changes")
        assert again["batch_id"] is None and again["queued"] == 0 and len(again["already_sent"]) == 7
        assert "Nothing to send" in again["message"]
        # publishing the same version again changes nothing, and sends nothing either
        assert client.post(f"/api/events/{event_id}/publish", headers=headers).status_code == 200
        assert send(client, event_id, headers, "changes")["queued"] == 0
        listing = client.get(f"/api/events/{event_id}/participants", headers=headers).json()
        people = {p["id"]: p for p in listing["data"]}

    assert len(sink.received) == 7
    by_address = {rcpt[0]: message for message, (_, rcpt) in zip(sink.received, sink.envelopes, strict=True)}
    assert set(by_address) == {people[pid]["email"] for pid in affected}
    for pid in affected:
        message = by_address[people[pid]["email"]]
        assert message["Subject"].endswith("has changed")
        text = message.get_body(("plain",))
        assert text is not None
        content = text.get_content()
        cancelled = [b if a == pid else a for a, b in pairs if pid in (a, b)]
        for partner in cancelled:  # each of this person's changes, and nobody else's
            assert f"Cancelled: your meeting with {people[partner]['name']} on " in content
        assert content.count("Cancelled: ") == len(cancelled)


# --- the batch function itself: resumable, idempotent ------------------------------------------------


def test_run_mail_batch_is_idempotent_and_never_resends_an_interrupted_message(tmp_path: Path, sink: Sink) -> None:
    from sqlalchemy import select, update

    from api.mail.batches import INTERRUPTED, request_batch, run_mail_batch
    from api.mail.rows import MailMessageRow
    from api.storage import Database, EventRow

    settings = mail_settings(tmp_path, sink)
    with mail_client(tmp_path, sink) as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
    db = Database(settings.database_url)
    try:
        with db.session() as s:
            row = s.get(EventRow, event_id)
            assert row is not None
            batch = request_batch(session=s, row=row, kind="agenda", attach_pdf=False, base_url="https://x.example")
            assert batch.batch is not None and batch.queued == 2
            batch_id = batch.batch.id
            # a run that stopped while talking to the server about Søren: whether it arrived is unknown
            s.flush()
            s.execute(
                update(MailMessageRow)
                .where(MailMessageRow.batch_id == batch_id, MailMessageRow.pid == "p1")
                .values(status="sending")
            )
        seen: list[tuple[int, int]] = []
        kwargs: dict[str, Any] = {
            "settings": settings,
            "secret": "s3cret",
            "progress": lambda d, t: seen.append((d, t)),
        }
        assert run_mail_batch(db, batch_id, **kwargs) == "done"
        assert run_mail_batch(db, batch_id, **kwargs) == "done"  # again: nothing more is sent
        with db.session() as s:
            rows = {m.pid: m for m in s.scalars(select(MailMessageRow).where(MailMessageRow.batch_id == batch_id))}
    finally:
        db.dispose()
    assert (rows["p1"].status, rows["p1"].answer) == ("failed", INTERRUPTED)
    assert rows["p2"].status == "sent" and rows["p2"].sent_at is not None
    assert [m["To"].addresses[0].addr_spec for m in sink.received] == ["janis@example.lv"]
    assert seen == [(2, 2)]
