"""Download names keep people's names: Content-Disposition carries the name with its letters as
`filename*` (RFC 6266 / RFC 8187) and a transliterated ASCII twin as `filename`, on every route
that serves a file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from scheduler.export.filenames import file_name, slug, unicode_slug
from tests.api_helpers import client_for, solve, upload

# --- the names themselves ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "ascii_slug", "kept"),
    [
        ("Søren Dybdahl", "soren-dybdahl", "søren-dybdahl"),  # Danish
        ("Ærø Ålborg", "aero-alborg", "ærø-ålborg"),
        ("Jānis Bērziņš", "janis-berzins", "jānis-bērziņš"),  # Latvian
        ("Αλέξανδρος Παπαδόπουλος", "alexandros-papadopoylos", "αλέξανδρος-παπαδόπουλος"),  # Greek
        ("Ольга Кузнецова", "olga-kuznetsova", "ольга-кузнецова"),  # Cyrillic, a soft sign inside
        ("Ілля Зінченко", "illya-zinchenko", "ілля-зінченко"),  # Ukrainian
    ],
)
def test_names_transliterate_and_keep_their_letters(name: str, ascii_slug: str, kept: str) -> None:
    assert slug(name) == ascii_slug
    assert unicode_slug(name) == kept
    assert file_name("agenda", name, ext="pdf") == type(file_name("x", ext="pdf"))(
        name=f"agenda-{kept}.pdf", ascii=f"agenda-{ascii_slug}.pdf"
    )


def test_names_lose_what_a_file_name_cannot_hold() -> None:
    hostile = 'a/b\\c"d\x00e:f*g?h<i>j|k\nl'
    for made in file_name(hostile, ext="pdf").name, file_name(hostile, ext="pdf").ascii:
        assert made == "a-b-c-d-e-f-g-h-i-j-k-l.pdf"
    assert file_name("   ", "—", ext="csv", fallback="schedule") == type(file_name("x", ext="csv"))(
        name="schedule.csv", ascii="schedule.csv"
    )
    long = file_name("Å" * 500, ext="pdf")
    assert len(long.name) <= 64 and len(long.ascii) <= 64


# --- the headers of every download route -------------------------------------------------------


# RFC 6266's grammar for the two parameters as sent here: a quoted ASCII name without quotes or
# backslashes, and an ext-value of only attr-chars and %XX escapes (RFC 8187).
PLAIN = re.compile(r'(?:^|;\s*)filename="([\x20-\x21\x23-\x5b\x5d-\x7e]+)"(?:;|$)')
EXTENDED = re.compile(r"(?:^|;\s*)filename\*=UTF-8''((?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-F]{2})+)(?:;|$)")


def disposition(response: Any) -> tuple[str, str, str]:
    """(the ASCII `filename`, the `filename*` decoded, the raw header) of a response."""
    header = response.headers["content-disposition"]
    plain, extended = PLAIN.search(header), EXTENDED.search(header)
    assert plain and extended, header
    return plain.group(1), unquote(extended.group(1), encoding="utf-8", errors="strict"), header


@pytest.fixture(scope="module")
def event(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The API test event (Søren, Jānis, a Greek and a Ukrainian participant), solved, then one
    meeting cancelled, so that there are two versions to compare."""
    with client_for(tmp_path_factory.mktemp("downloads") / "matchday.db") as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        first = client.get(f"/api/events/{event_id}/schedule", headers=headers).json()["meetings"][0]
        r = client.post(
            f"/api/events/{event_id}/meetings/cancel",
            json={"a": first["participant_a"], "b": first["participant_b"]},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        people = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
        yield {"client": client, "id": event_id, "headers": headers, "people": {p["id"]: p for p in people}}


PEOPLE = {
    "p1": ("agenda-soren-dybdahl.pdf", "agenda-søren-dybdahl.pdf"),
    "p2": ("agenda-janis-berzins.pdf", "agenda-jānis-bērziņš.pdf"),
    "p3": ("agenda-alexandros-papadopoylos.pdf", "agenda-αλέξανδρος-παπαδόπουλος.pdf"),
    "p4": ("agenda-olga-kuznetsova.pdf", "agenda-ольга-кузнецова.pdf"),
}


@pytest.mark.parametrize("pid", sorted(PEOPLE))
def test_agenda_downloads_keep_the_persons_name(event: dict[str, Any], pid: str) -> None:
    client: TestClient = event["client"]
    ascii_name, name = PEOPLE[pid]
    person = event["people"][pid]
    for r in (
        client.get(f"/api/events/{event['id']}/participants/{pid}/agenda.pdf", headers=event["headers"]),
        client.get(person["agenda_pdf_url"]),
    ):
        assert r.status_code == 200, r.text
        assert disposition(r)[:2] == (ascii_name, name)
    ics = client.get(person["agenda_ics_url"])
    assert ics.status_code == 200
    event_part = "nordic-baltic-circular-b2b-day"
    assert disposition(ics)[:2] == (
        f"{event_part}-{ascii_name.removeprefix('agenda-').removesuffix('.pdf')}.ics",
        f"{event_part}-{name.removeprefix('agenda-').removesuffix('.pdf')}.ics",
    )


def _download_paths(client: TestClient) -> list[str]:
    """Every documented route that answers with a file (PDF, CSV, calendar), for GET."""
    paths = client.get("/openapi.json").json()["paths"]
    files = ("application/pdf", "text/csv", "text/calendar")
    return sorted(
        path
        for path, ops in paths.items()
        if "get" in ops and set(ops["get"]["responses"].get("200", {}).get("content", {})) & set(files)
    )


def test_every_download_route_sends_both_names(event: dict[str, Any]) -> None:
    client: TestClient = event["client"]
    token = event["people"]["p1"]["agenda_url"].rsplit("/", 1)[1]
    paths = _download_paths(client)
    assert len(paths) >= 10, paths  # schedule.csv ×2, diff.csv and its agendas, 3 organiser PDFs, 3 agendas, .ics
    for path in paths:
        url = path.replace("{event_id}", event["id"]).replace("{participant_id}", "p1")
        url = url.replace("{token}", token).replace("{version}", "1")
        url = url.replace("{kind}", "agendas.pdf")  # prepared by GET …/agendas.pdf, which sorts before it
        r = client.get(url, headers=event["headers"])
        assert r.status_code == 200, (path, r.text)
        ascii_name, name, header = disposition(r)
        assert header.startswith("attachment; ") and "filename*=UTF-8''" in header, header
        assert name.rsplit(".", 1)[1] == ascii_name.rsplit(".", 1)[1]
        assert "participant" not in ascii_name and ascii_name.count("-") >= 1, (path, ascii_name)
