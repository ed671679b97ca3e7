"""The organiser's e-mail pages: how to set e-mail up when it is not, the preview, Send, then the
batch's progress and log; sending through a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import html
import re
import time
from pathlib import Path

from fastapi.testclient import TestClient
from test_mail import Sink, mail_client, sink  # noqa: F401 - `sink` is a fixture
from web_helpers import HTML, csrf_of, signed_in_event

from tests.api_helpers import client_for, solve


def _batch_page(client: TestClient, location: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        page = client.get(location, headers=HTML)
        assert page.status_code == 200, page.text
        if "Sending…" not in page.text:
            return page.text
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_without_settings_the_page_says_how_to_configure(tmp_path: Path) -> None:
    with client_for(tmp_path / "w.db") as client:
        event_id, headers = signed_in_event(client)
        before = client.get(f"/events/{event_id}/mail", headers=HTML)
        assert before.status_code == 200
        assert "Nothing is published yet" in before.text
        solve(client, event_id, headers)
        page = client.get(f"/events/{event_id}/mail", headers=HTML)
    assert page.status_code == 200
    assert "E-mail is not set up on this server yet." in page.text
    for variable in ("MATCHDAY_SMTP_HOST", "MATCHDAY_MAIL_FROM", "MATCHDAY_SMTP_SECURITY", "MATCHDAY_SMTP_PASSWORD"):
        assert variable in page.text
    # the settings are listed once, with only what is wrong beneath (not the same advice again in prose)
    assert page.text.count("MATCHDAY_SMTP_SECURITY") == 1
    assert "Not set yet: MATCHDAY_SMTP_HOST and MATCHDAY_MAIL_FROM." in page.text
    assert page.text.count("not set up on this server") == 1  # the heading says it; the hint names what is missing
    assert re.search(r"<button type=\"submit\" disabled>Send to 2 people</button>", page.text)
    # the preview works meanwhile: Jānis's message, escaped into the sandboxed frame
    assert 'sandbox=""' in page.text
    frame = re.search(r'srcdoc="([^"]*)"', page.text)
    assert frame is not None and "Dear Søren Dybdahl," in html.unescape(frame.group(1))


def test_preview_send_progress_and_log(tmp_path: Path, sink: Sink) -> None:  # noqa: F811
    sink.refuse["soren@example.dk"] = "550 5.1.1 User unknown"
    with mail_client(tmp_path, sink) as client:
        event_id, headers = signed_in_event(client)
        solve(client, event_id, headers)
        page = client.get(f"/events/{event_id}/mail?kind=agenda&person=p2", headers=HTML)
        assert page.status_code == 200
        assert "Send to 2 people" in page.text and "6 people have no e-mail address" in page.text
        assert "Jānis Bērziņš &lt;janis@example.lv&gt;" in page.text  # the To of the preview
        assert "Your agenda for Nordic–Baltic Circular B2B Day" in page.text

        assert client.post(f"/events/{event_id}/mail", data={"kind": "agenda"}, headers=HTML).status_code == 403
        token = csrf_of(client, f"/events/{event_id}/mail")
        sent = client.post(
            f"/events/{event_id}/mail", data={"csrf": token, "kind": "agenda"}, headers=HTML, follow_redirects=False
        )
        assert sent.status_code == 303 and "/mail/batches/" in sent.headers["location"]
        log = _batch_page(client, sent.headers["location"])
        assert "Done, with problems:" in log and "1 sent, 1 not delivered" in log
        assert "550 5.1.1 User unknown" in log and "250 2.0.0 Ok: queued as Q1" in log
        assert "Not sent: no e-mail address (6)" in log and "Ольга Кузнецова" in log
        # the live part alone, as htmx polls it: no longer polling once done
        part = client.get(sent.headers["location"] + "/progress", headers=HTML)
        assert part.status_code == 200 and "hx-trigger" not in part.text

        again = client.post(
            f"/events/{event_id}/mail", data={"csrf": token, "kind": "agenda"}, headers=HTML, follow_redirects=False
        )
        assert again.status_code == 303 and again.headers["location"].endswith("nothing=agenda")
        told = client.get(again.headers["location"], headers=HTML)
        assert "Nothing was sent." in told.text and "Nothing left to send" in told.text
        missing = client.get(f"/events/{event_id}/mail/batches/nope", headers=HTML)
        assert missing.status_code == 404
    assert len(sink.received) == 1
