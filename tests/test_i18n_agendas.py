"""The bar of issue 10's languages: a participant with `language = fr` gets a French page, PDF,
calendar and e-mail, with dates as the French write them (« mercredi 17 février 2027 ») and 24-hour
times; the same for German and Latvian. Through the service, as participants receive them; the
PDFs are read back as text with pdftotext, the e-mail from a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from scheduler.i18n import LANGUAGES
from tests.api_helpers import API_DATA, client_for, solve, upload
from tests.test_mail import Sink, mail_client, send, sink, wait_for_batch  # noqa: F401  (sink: fixture)

# 17 February 2027 is a Wednesday; p1 reads French, p2 Latvian, p3 German, the others the event's
# language (English); p3 gets an address so that all three receive an e-mail.
TOML = (API_DATA / "event.toml").read_bytes().replace(b'"2027-03-10"', b'"2027-02-17"')
PEOPLE = (
    (API_DATA / "participants.csv")
    .read_text(encoding="utf-8")
    .replace("email,available,table\n", "email,available,table,language\n")
    .replace("soren@example.dk,,\n", "soren@example.dk,,,FR\n")
    .replace("janis@example.lv,,\n", "janis@example.lv,,,lv-LV\n")
    .replace("Greece,,,\n", "Greece,alexandros@example.gr,,,de\n")
)  # the other rows stop short of the language column: empty, the event's language
# What each language must show: the event's date, a sentence of the page, the PDF button.
EXPECTED = {
    "fr": ("mercredi 17 février 2027", "Télécharger le PDF", "rendez-vous", "Rendez-vous avec"),
    "de": ("Mittwoch, 17. Februar 2027", "PDF herunterladen", "Termin", "Termin mit"),
    "lv": ("trešdiena, 2027. gada 17. februāris", "Lejupielādēt PDF", "tikšanās", "Tikšanās:"),
}
OWNER = {"fr": "p1", "lv": "p2", "de": "p3"}
TIME_RANGE = re.compile(r"\b(0[89]|1[0-2]):[0-5]\d–(0[89]|1[0-2]):[0-5]\d\b")


@dataclass(frozen=True)
class Published:
    client: TestClient
    people: dict[str, dict[str, Any]]  # the participants listing, by id
    event_id: str
    headers: dict[str, str]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    client = client_for(tmp_path_factory.mktemp("i18n") / "db.sqlite")
    with client:
        event_id, headers = upload(client, event=TOML, participants=PEOPLE.encode())
        solve(client, event_id, headers)
        people = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
        yield Published(client, {p["id"]: p for p in people}, event_id, headers)


def _path(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[1].join(("/", ""))


@pytest.mark.parametrize("language", list(EXPECTED))
def test_the_page_is_in_the_participants_language(published: Published, language: str) -> None:
    client, people = published.client, published.people
    page = client.get(_path(people[OWNER[language]]["agenda_url"])).text
    date, button, word, _ = EXPECTED[language]
    assert f'<html lang="{language}">' in page
    assert date in page and button in page and word in page
    assert "Download PDF" not in page and "Wednesday" not in page
    assert TIME_RANGE.search(page) and not re.search(r"\d (AM|PM)\b", page)


def test_the_language_switch_links_every_language_and_the_choice_carries_to_the_pdf(published: Published) -> None:
    client, people = published.client, published.people
    url = _path(people["p1"]["agenda_url"])
    page = client.get(url).text
    links = re.findall(r'<a href="([^"]+)" hreflang="([a-z]{2})"', page)
    assert sorted(code for _, code in links) == sorted(set(LANGUAGES) - {"fr"})
    assert '<span lang="fr" aria-current="true">Français</span>' in page
    german = client.get(dict((code, href) for href, code in links)["de"]).text
    assert '<html lang="de">' in german and "Mittwoch, 17. Februar 2027" in german
    assert f'href="{url}.pdf?lang=de"' in german  # the PDF button follows the chosen language
    assert "Mittwoch" in _pdf_text(client.get(f"{url}.pdf?lang=de").content)
    assert '<html lang="fr">' in client.get(f"{url}?lang=xx").text  # an unknown choice: their own


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


@pytest.mark.parametrize("language", list(EXPECTED))
def test_the_pdf_is_in_the_participants_language(published: Published, language: str) -> None:
    client, people = published.client, published.people
    text = _pdf_text(client.get(_path(people[OWNER[language]]["agenda_pdf_url"])).content)
    date, _, word, _ = EXPECTED[language]
    assert date in text and word in text
    assert "Wednesday" not in text and "meetings" not in text
    assert TIME_RANGE.search(text)


@pytest.mark.parametrize("language", list(EXPECTED))
def test_the_calendar_entries_are_in_the_participants_language(published: Published, language: str) -> None:
    client, people = published.client, published.people
    calendar = Calendar.from_ical(client.get(_path(people[OWNER[language]]["agenda_ics_url"])).content)
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert summaries and all(s.startswith(EXPECTED[language][3]) for s in summaries), summaries


def test_someone_without_a_language_gets_the_events(published: Published) -> None:
    client, people = published.client, published.people
    page = client.get(_path(people["p5"]["agenda_url"])).text
    assert '<html lang="en">' in page and "Wednesday 17 February 2027" in page and "Download PDF" in page


def test_the_e_mail_is_in_the_participants_language(tmp_path: Path, sink: Sink) -> None:  # noqa: F811
    with mail_client(tmp_path, sink) as client:
        event_id, headers = upload(client, event=TOML, participants=PEOPLE.encode())
        solve(client, event_id, headers)
        result = send(client, event_id, headers, "agendas", attach_pdf=True)
        wait_for_batch(client, event_id, result["batch_id"], headers)
    expected = {
        "soren@example.dk": ("Votre programme pour", "Bonjour Søren Dybdahl,", "fr"),
        "janis@example.lv": ("Jūsu grafiks:", "Labdien, Jānis Bērziņš!", "lv"),
        "alexandros@example.gr": ("Ihr Terminplan für", "Guten Tag Αλέξανδρος Παπαδόπουλος,", "de"),
    }
    for address, (subject, greeting, language) in expected.items():
        (message,) = sink.to(address)
        assert message["Subject"].startswith(subject)
        text, html = message.get_body(("plain",)), message.get_body(("html",))
        assert text is not None and html is not None
        date = EXPECTED[language][0]
        for body in (text.get_content(), html.get_content()):
            assert greeting in body and date in body and TIME_RANGE.search(body)
        assert f'lang="{language}"' in html.get_content()
        (attachment,) = list(message.iter_attachments())
        assert date in _pdf_text(attachment.get_content())


def test_the_organiser_sets_a_language_through_the_api(published: Published) -> None:
    client, people = published.client, published.people
    r = client.patch(
        f"/api/events/{published.event_id}/participants/p8",
        json={"language": "pl-PL"},
        headers=published.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["participant"]["language"] == "pl"
    page = client.get(_path(people["p8"]["agenda_url"])).text
    assert '<html lang="pl">' in page and "środa, 17 lutego 2027" in page
