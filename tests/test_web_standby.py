"""The standby page of the organiser's app: the suggestions per freed meeting, a confirmation that
makes a draft version and comes back with a notice, a refusal in words, and errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_helpers import client_for, solve
from fastapi.testclient import TestClient
from test_api_standby import tight_event
from web_helpers import HTML, csrf_of, signed_in_event

AT = "2027-03-10T09:00"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[TestClient, str, dict[str, str]]]:
    folder = tmp_path / "event"
    folder.mkdir()
    files = tight_event()
    for name, key in (("event.toml", "event"), ("participants.csv", "participants"), ("wishes.csv", "wishes")):
        (folder / name).write_bytes(files[key])
    with client_for(tmp_path / "matchday.db") as client:
        event_id, headers = signed_in_event(client, folder)
        solve(client, event_id, headers)
        yield client, event_id, headers


def test_the_page_lists_suggestions_and_a_confirmation_makes_a_draft(
    site: tuple[TestClient, str, dict[str, str]],
) -> None:
    client, event_id, headers = site
    path = f"/events/{event_id}/people/a/standby"
    person = client.get(f"/events/{event_id}/people/a", headers=HTML)
    assert f'href="{path}"' in person.text
    page = client.get(path, params={"at": AT}, headers=HTML)
    assert page.status_code == 200, page.text
    assert "Standby for A" in page.text and "09:00–09:20" in page.text
    assert "<caption>Who could meet P at 09:00 instead</caption>" in page.text
    assert 'name="other" value="x"' in page.text and 'name="other" value="y"' not in page.text  # y is busy
    token = csrf_of(client, f"{path}?at={AT}")
    form = {"csrf": token, "partner": "p", "other": "x", "table": "1", "at": AT}
    table = page.text.split('name="table" value="')[1].split('"')[0]
    r = client.post(path, data={**form, "table": table}, headers=HTML, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"{path}?at={AT.replace(':', '%3A')}&done=2"
    done = client.get(r.headers["location"], headers=HTML)
    assert "Replacement confirmed. This is version 2, a draft" in done.text
    latest = client.get(f"/api/events/{event_id}/schedule", headers=headers).json()
    assert latest["version"] == 2 and latest["kind"] == "standby"
    pairs = {(m["participant_a"], m["participant_b"]) for m in latest["meetings"]}
    assert ("p", "x") in pairs or ("x", "p") in pairs
    assert "has no meetings still to come" in done.text


def test_a_refusal_is_shown_in_words_and_nothing_stored(site: tuple[TestClient, str, dict[str, str]]) -> None:
    client, event_id, headers = site
    path = f"/events/{event_id}/people/z/standby"
    token = csrf_of(client, f"{path}?at={AT}")
    form = {"csrf": token, "partner": "y", "other": "p", "table": "1", "at": AT}
    r = client.post(path, data=form, headers=HTML, follow_redirects=False)
    assert r.status_code == 422
    assert "Not changed." in r.text and "double_booked" in r.text
    assert client.get(f"/api/events/{event_id}/schedule", headers=headers).json()["version"] == 1
    without = client.post(path, data={k: v for k, v in form.items() if k != "csrf"}, headers=HTML)
    assert without.status_code in (400, 403)


def test_errors(site: tuple[TestClient, str, dict[str, str]]) -> None:
    client, event_id, _ = site
    r = client.get(f"/events/{event_id}/people/nobody/standby", headers=HTML)
    assert r.status_code == 404 and "is not a participant" in r.text
    r = client.get(f"/events/{event_id}/people/a/standby", params={"at": "2027-03-10T22:00"}, headers=HTML)
    assert r.status_code == 422 and "outside the event" in r.text
    r = client.get(f"/events/{event_id}/people/a/standby", params={"at": "soon"}, headers=HTML)
    assert r.status_code == 422 and "is not a local date and time" in r.text
    default = client.get(f"/events/{event_id}/people/a/standby", headers=HTML)  # now: after the event
    assert default.status_code == 200 and 'value="2027-03-10T09:00"' in default.text
