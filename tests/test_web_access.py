"""The organiser's sign-in without accounts, CSRF, publishing and error pages, through the real app."""

from __future__ import annotations

import re
import time
from pathlib import Path

from tests.api_helpers import API_DATA, client_for, solve, upload, wait_for_job
from tests.web_helpers import HTML, csrf_of, signed_in_event


def test_start_page_offers_new_event_and_samples(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        page = client.get("/", headers=HTML)
        assert page.status_code == 200
        assert 'href="/events/new">New event</a>' in page.text
        assert "Try the sample Latvian Wood" in page.text
        assert page.headers["referrer-policy"] == "no-referrer" and page.headers["cache-control"] == "no-store"


def test_trying_a_sample_shows_the_organiser_link_once_and_signs_in(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        token = csrf_of(client)
        created = client.post("/samples/cluster-day", data={"csrf": token}, headers=HTML)
        assert created.status_code == 200
        assert "/o/" in created.text and "Keep this private organiser link" in created.text
        cookie = created.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/events/" in cookie
        event_id = created.text.split('href="/events/')[1].split('"')[0]
        overview = client.get(f"/events/{event_id}", headers=HTML)
        assert overview.status_code == 200 and "Latvian Wood" in overview.text


def test_organiser_link_signs_in_and_leaves_the_address_bar(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = signed_in_event(client)
        assert client.get(f"/events/{event_id}", headers=HTML).status_code == 200
    with client_for(tmp_path / "db.sqlite") as stranger:  # another browser, no cookie
        page = stranger.get(f"/events/{event_id}", headers=HTML)
        assert page.status_code == 401 and "Please sign in" in page.text and "organiser link" in page.text
        wrong = stranger.get("/o/not-a-token", headers=HTML)
        assert wrong.status_code == 404 and "does not work" in wrong.text


def test_state_changing_forms_need_the_csrf_token(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = signed_in_event(client)
        csrf_of(client, f"/events/{event_id}")
        refused = client.post(f"/events/{event_id}/solve", data={"mode": "fresh", "csrf": "0" * 64}, headers=HTML)
        assert refused.status_code == 403 and "Reload the page" in refused.text
        missing = client.post(f"/events/{event_id}/organiser-link", headers=HTML)
        assert missing.status_code == 403


def test_replacing_the_organiser_link_signs_other_browsers_out(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client, client_for(tmp_path / "db.sqlite") as other:
        event_id, headers = signed_in_event(client)
        token = headers["Authorization"].removeprefix("Bearer ")
        assert other.get(f"/o/{token}", headers=HTML, follow_redirects=False).status_code == 303
        csrf = csrf_of(client, f"/events/{event_id}")
        replaced = client.post(f"/events/{event_id}/organiser-link", data={"csrf": csrf}, headers=HTML)
        assert replaced.status_code == 200 and "Your new organiser link" in replaced.text
        assert client.get(f"/events/{event_id}", headers=HTML).status_code == 200
        assert other.get(f"/events/{event_id}", headers=HTML).status_code == 401
        assert client.get(f"/api/events/{event_id}", headers=headers).status_code == 401  # the old API token too


def test_sign_out_forgets_the_cookie(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = signed_in_event(client)
        csrf = csrf_of(client, f"/events/{event_id}")
        out = client.post(f"/events/{event_id}/sign-out", data={"csrf": csrf}, headers=HTML, follow_redirects=False)
        assert out.status_code == 303
        assert client.get(f"/events/{event_id}", headers=HTML).status_code == 401


def test_participants_see_the_published_version_only(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = signed_in_event(client)
        solve(client, event_id, headers, publish=False)
        link = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"][0]["agenda_url"]
        assert "no schedule yet" in client.get(link).text.lower()
        published = client.post(f"/api/events/{event_id}/publish", headers=headers)
        assert published.status_code == 200 and published.json()["previous_version"] is None
        assert "no schedule yet" not in client.get(link).text.lower()


def test_browsers_get_error_pages_and_the_api_keeps_json(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        page = client.get("/no/such/page", headers=HTML)
        assert page.status_code == 404 and "<h1>Page not found</h1>" in page.text
        api = client.get("/api/events/nope", headers=HTML)
        assert api.headers["content-type"].startswith("application/json")


def test_publishing_from_the_pages_shows_who_is_affected_and_their_agendas(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = signed_in_event(client)
        solve(client, event_id, headers, publish=False)
        preview = client.get(f"/events/{event_id}/publish", headers=HTML)
        assert preview.status_code == 200 and "Nothing is published yet" in preview.text
        csrf = csrf_of(client, f"/events/{event_id}/publish")
        done = client.post(f"/events/{event_id}/publish?version=1", data={"csrf": csrf}, headers=HTML)
        assert done.status_code == 200 and "Version 1 is published" in done.text
        assert "Everyone's first agenda is ready" in done.text
        # a hand edit through the API makes a draft version 2; publishing it names the two people moved
        meeting = client.get(f"/api/events/{event_id}/schedule", headers=headers).json()["meetings"][0]
        cancel = {"a": meeting["participant_a"], "b": meeting["participant_b"]}
        assert client.post(f"/api/events/{event_id}/meetings/cancel", json=cancel, headers=headers).status_code == 200
        preview = client.get(f"/events/{event_id}/publish", headers=HTML)
        assert "Participants now see version 1" in preview.text and "the agenda of 2 people" in preview.text
        assert "Cancelled: your meeting with" in preview.text
        done = client.post(f"/events/{event_id}/publish?version=2", data={"csrf": csrf}, headers=HTML)
        assert "Since version 1, the agenda of 2 people changed" in done.text
        # Their agendas are prepared in the background (tests/test_prepared_changed_agendas.py), then downloaded.
        page = f"/events/{event_id}/prepared/changed-agendas.pdf?version=2&since=1"
        assert client.post(page, data={"csrf": csrf}, headers=HTML).status_code == 200
        deadline = time.monotonic() + 60
        while "ready" not in client.get(page.replace("?", "/progress?"), headers=HTML).text:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        pdf = client.get(f"/events/{event_id}/download/changed-agendas.pdf?version=2&since=1")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        history = client.get(f"/events/{event_id}/versions", headers=HTML)
        assert "Meeting cancelled" in history.text and "published before" in history.text


def test_every_download_of_the_overview_answers(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = signed_in_event(client)
        solve(client, event_id, headers)
        overview = client.get(f"/events/{event_id}", headers=HTML).text
        links = re.findall(r'<a href="(/events/[^"]+/download/[^"]+)">(Download[^<]*)</a>', overview)
        assert len(links) == 5  # everyone's agendas (PDF, ZIP) are prepared first: tests/test_prepared_documents.py
        assert overview.count(f'action="/events/{event_id}/prepared/agendas.') == 2
        for href, _name in links:
            r = client.get(href)
            assert r.status_code == 200, (href, r.text[:200])
            assert "attachment" in r.headers["content-disposition"]
        book = client.get(f"/events/{event_id}/download/schedule.xlsx").content
        assert book[:2] == b"PK"
        links_csv = client.get(f"/events/{event_id}/download/participant-links.csv").text
        assert links_csv.splitlines()[0].lstrip("\ufeff").startswith("id,name,organisation,email,status,agenda_url")


def test_a_refused_all_request_shows_the_diagnosis_in_words(tmp_path: Path) -> None:
    toml = (
        b'name = "Tight"\nslot_minutes = 20\ntables = 1\nobjective = "all"\n'
        b'[[days]]\ndate = "2027-03-10"\nstart = "09:00"\nend = "09:20"\n'
    )
    people = "id,name,organisation\na,Ærø A,X\nb,Bø B,Y\nc,Çe C,Z\n".encode()
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = upload(client, event=toml, participants=people, wishes=b"requester,target\na,b\na,c\n")
        token = headers["Authorization"].removeprefix("Bearer ")
        client.get(f"/o/{token}", headers=HTML)
        csrf = csrf_of(client, f"/events/{event_id}")
        started = client.post(
            f"/events/{event_id}/solve", data={"csrf": csrf, "mode": "fresh", "time_limit": "2"}, headers=HTML
        )
        assert started.status_code == 200  # the overview, after the redirect
        job_id = client.get(f"/api/events/{event_id}/jobs", headers=headers).json()[0]["id"]
        assert wait_for_job(client, job_id, headers)["state"] == "failed"
        page = client.get(f"/events/{event_id}", headers=HTML).text
        assert "The solve did not produce a schedule" in page and "not every wished meeting can be placed" in page


def test_a_participant_reads_kindly_why_their_wishes_were_not_arranged(tmp_path: Path) -> None:
    # Nora comes after Olga has left: her wish to meet Olga cannot be arranged.
    participants = (
        API_DATA / "participants.csv"
    ).read_bytes() + "p9,Nora Myöhä,Late Oy,buyer,Finland,,11:20-12:00,\n".encode()
    wishes = (API_DATA / "wishes.csv").read_bytes() + b"p9,p4,1,\n"
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = upload(client, participants=participants, wishes=wishes)
        solve(client, event_id, headers)
        unmet = client.get(f"/api/events/{event_id}/unmet", headers=headers).json()["unmet"]
        assert [(u["requester"]["id"], u["reason"]) for u in unmet] == [("p9", "no_common_time")]
        links = {
            p["id"]: p["agenda_url"]
            for p in client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
        }
        nora = client.get(links["p9"]).text
        assert "Meetings you asked for that could not be arranged" in nora
        assert "Ольга Кузнецова: you are not at the event at the same time" in nora
        olga = client.get(links["p4"]).text  # the wish was Nora's, not hers
        assert "could not be arranged" not in olga
