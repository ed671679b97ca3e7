"""The organiser's people list, one person's view and status change, the Unscheduled tray and the
statistics page, through the real app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from api import service
from api.app import create_app
from api.storage import EventRow
from scheduler.candidates import candidate_pairs, pair_key
from scheduler.domain import Meeting, Schedule
from scheduler.report import schedule_stats
from tests.api_helpers import API_DATA, IdleRunner, big_event, client_for, event_files, settings_for, solve
from tests.web_helpers import HTML, csrf_of, signed_in_event

# One more person, free only at the end of the morning, who wishes (both ways) to meet p4, who leaves
# at 10:20: a wished pair that can never meet.
LATE = "p9,Nora Myöhä,Late Oy,buyer,Finland,,11:20-12:00,\n"
PARTICIPANTS = (API_DATA / "participants.csv").read_bytes() + LATE.encode()
WISHES = (API_DATA / "wishes.csv").read_bytes() + b"p9,p4,1,\np4,p9,2,\n"


def _upload_signed_in(client: TestClient, **files: bytes) -> tuple[str, dict[str, str]]:
    r = client.post("/api/events", files=event_files(API_DATA, **files))
    assert r.status_code == 201, r.text
    body = r.json()
    assert client.get(f"/o/{body['organiser_token']}", headers=HTML, follow_redirects=False).status_code == 303
    return body["id"], {"Authorization": f"Bearer {body['organiser_token']}"}


def _store_version(client: TestClient, event_id: str, meetings: list[Meeting]) -> int:
    """Store a hand-made version (as a hand edit would), for figures that must not hang on a solve."""
    with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        row = session.get(EventRow, event_id)
        assert row is not None
        event = service.load_event(row)
        return service.add_schedule_version(
            session=session, row=row, event=event, schedule=Schedule.of(meetings), kind="move"
        ).version


def _rows(page: str, table_class: str) -> list[str]:
    body = page.split(f'<table class="{table_class}">', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr[ >].*?</tr>", body, flags=re.S)[1:]  # without the header row


# --- people list ------------------------------------------------------------------------------


def test_people_list_shows_everyone_with_meetings_and_holes_and_searches(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = signed_in_event(client)
        job = solve(client, event_id, headers, publish=False)
        page = client.get(f"/events/{event_id}/people", headers=HTML)
        assert page.status_code == 200
        rows = _rows(page.text, "people")
        assert len(rows) == 8
        api = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
        for person, row in zip(api, rows, strict=True):  # file order, the API's meeting counts
            assert person["name"] in row and person["organisation"] in row and person["country"] in row
            cells = re.findall(r'<td class="num">(\d+)', row)
            assert int(cells[0]) == person["meetings"], row
        assert sum(p["meetings"] for p in api) == 2 * job["progress"]["meetings"]
        assert f'href="/events/{event_id}/people/p2"' in page.text

        found = client.get(f"/events/{event_id}/people", params={"q": "rīgas"}, headers=HTML).text
        assert [r for r in _rows(found, "people") if "Jānis Bērziņš" in r] and len(_rows(found, "people")) == 1
        assert "1 of 8 people match “rīgas”" in found
        nobody = client.get(f"/events/{event_id}/people", params={"q": "zzz"}, headers=HTML).text
        assert "Nobody matches" in nobody and '<table class="people">' not in nobody


def test_people_list_is_paged(tmp_path: Path) -> None:
    files = big_event(people=230)
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = _upload_signed_in(client, **files)
        first = client.get(f"/events/{event_id}/people", headers=HTML).text
        assert len(_rows(first, "people")) == 100 and "page 1 of 3" in first
        assert f'href="/events/{event_id}/people?page=3"' in first
        last = client.get(f"/events/{event_id}/people", params={"page": 3}, headers=HTML).text
        rows = _rows(last, "people")
        assert len(rows) == 30 and "Osoba Żółć 200<" in rows[0] and "Osoba Żółć 229<" in rows[-1]
        one = client.get(f"/events/{event_id}/people", params={"q": "żółć 229", "page": 2}, headers=HTML).text
        assert len(_rows(one, "people")) == 1 and "Osoba Żółć 229<" in one  # page 2 of 1: the last page
        many = client.get(f"/events/{event_id}/people", params={"q": "żółć", "page": 2}, headers=HTML).text
        assert "Osoba Żółć 100<" in _rows(many, "people")[0]
        assert f'href="/events/{event_id}/people?q=%C5%BC%C3%B3%C5%82%C4%87&amp;page=3"' in many  # the search kept


# --- one person -------------------------------------------------------------------------------


def test_person_page_shows_their_day_wishes_and_links(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = _upload_signed_in(client, participants=PARTICIPANTS, wishes=WISHES)
        solve(client, event_id, headers, publish=False)
        schedule = client.get(f"/api/events/{event_id}/schedule", headers=headers).json()
        mine = [m for m in schedule["meetings"] if "p1" in (m["participant_a"], m["participant_b"])]
        page = client.get(f"/events/{event_id}/people/p1", headers=HTML)
        assert page.status_code == 200
        text = page.text
        assert "<h1>Søren Dybdahl</h1>" in text
        day = _rows(text, "day")
        meetings = [r for r in day if 'class="meeting"' in r]
        assert len(meetings) == len(mine) > 0
        for m, r in zip(mine, meetings, strict=True):
            other = m["name_b"] if m["participant_a"] == "p1" else m["name_a"]
            assert m["start"] in r and other in r
            assert ("mutual" in r) == m["mutual"]
        p2 = next(r for r in meetings if "Jānis Bērziņš" in r)  # p1 and p2 asked for each other
        assert "mutual" in p2 and "priorities 1 and 1" in p2
        if any("Gülşen Yıldız" in r for r in meetings):  # only p7 asked for p1
            assert "Gülşen asked" in next(r for r in meetings if "Gülşen Yıldız" in r)
        if any("Αλέξανδρος" in r for r in meetings):  # only p1 asked for p3
            assert "Søren asked" in next(r for r in meetings if "Αλέξανδρος" in r)
        assert f'href="/events/{event_id}/people/p1/agenda.pdf">Download their agenda (PDF)</a>' in text
        assert f'href="/events/{event_id}/schedule?person=p1"' in text
        assert re.search(r'href="http://testserver/agenda/[^"]+" rel="noreferrer">Their private agenda page', text)
        # wishes both ways: p1 asked p2 and p3; p2 and p7 asked p1
        made = text.split("Who they asked for", 1)[1].split("Who asked for them", 1)[0]
        received = text.split("Who asked for them", 1)[1]
        assert "Jānis Bērziņš" in made and "Αλέξανδρος Παπαδόπουλος" in made
        assert "Gülşen Yıldız" in received and "Αλέξανδρος" not in received

        late = client.get(f"/events/{event_id}/people/p9", headers=HTML).text  # Nora can never meet Olga
        assert "not met" in late and "Ольга Кузнецова" in late
        pdf = client.get(f"/events/{event_id}/people/p1/agenda.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert client.get(f"/events/{event_id}/people/nobody", headers=HTML).status_code == 404


def test_person_page_counts_holes(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = signed_in_event(client)
        # p1 meets p2 in the first slot and p3 in the fourth: slots 2 and 3 are one hole (a run)
        _store_version(client, event_id, [Meeting(0, "1", "p1", "p2"), Meeting(3, "1", "p1", "p3")])
        text = client.get(f"/events/{event_id}/people/p1", headers=HTML).text
        assert "2 meetings, 1 hole</caption>" in text
        assert text.count('class="hole"') == 2
        people = client.get(f"/events/{event_id}/people", headers=HTML).text
        p1 = next(r for r in _rows(people, "people") if "Søren" in r)
        assert re.findall(r'<td class="num">(\d+)', p1) == ["2", "1"]
        # Olga (p4) leaves at 10:20; a hand-made version still has her meet at 11:00: the empty slots
        # between, the ones she is away included, are one hole, as the list counts it
        _store_version(client, event_id, [Meeting(0, "1", "p4", "p3"), Meeting(5, "2", "p4", "p6")])
        olga = client.get(f"/events/{event_id}/people/p4", headers=HTML).text
        assert "2 meetings, 1 hole</caption>" in olga and "not available between two meetings" in olga
        people = client.get(f"/events/{event_id}/people", headers=HTML).text
        p4 = next(r for r in _rows(people, "people") if "Ольга" in r)
        assert re.findall(r'<td class="num">(\d+)', p4) == ["2", "1"]


def test_marking_a_person_cancelled_stores_a_new_revision_and_asks_for_a_re_solve(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = signed_in_event(client)
        solve(client, event_id, headers, publish=False)
        before = client.get(f"/api/events/{event_id}", headers=headers).json()["revision"]
        page = f"/events/{event_id}/people/p2"
        form = client.get(page, headers=HTML).text
        assert 'value="cancelled"' in form and 'value="absent"' in form and 'value="registered"' not in form

        refused = client.post(f"{page}/status", data={"status": "cancelled", "csrf": "0" * 64}, headers=HTML)
        assert refused.status_code == 403
        assert client.get(f"/api/events/{event_id}", headers=headers).json()["revision"] == before

        token = csrf_of(client, page)
        done = client.post(
            f"{page}/status", data={"status": "cancelled", "csrf": token}, headers=HTML, follow_redirects=False
        )
        assert done.status_code == 303 and done.headers["location"] == f"{page}?changed=cancelled"
        assert client.get(f"/api/events/{event_id}", headers=headers).json()["revision"] == before + 1
        api = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
        assert next(p for p in api if p["id"] == "p2")["status"] == "cancelled"
        shown = client.get(done.headers["location"], headers=HTML).text
        assert "Jānis Bērziņš is now cancelled." in shown
        assert f'href="/events/{event_id}#solve">Re-solve on the overview</a>' in shown
        assert "made before the latest changes" in shown and 'value="registered"' in shown

        again = client.post(
            f"{page}/status", data={"status": "cancelled", "csrf": token}, headers=HTML, follow_redirects=False
        )
        assert again.status_code == 303 and "changed" not in again.headers["location"]  # no new revision
        assert client.get(f"/api/events/{event_id}", headers=headers).json()["revision"] == before + 1
        back = client.post(f"{page}/status", data={"status": "registered", "csrf": token}, headers=HTML)
        assert back.status_code == 200 and "is now registered" in back.text
        bad = client.post(f"{page}/status", data={"status": "gone", "csrf": token}, headers=HTML)
        assert bad.status_code == 422
        assert client.get(f"/api/events/{event_id}", headers=headers).json()["revision"] == before + 2


@contextmanager
def _queued_solve(tmp_path: Path) -> Iterator[tuple[TestClient, str, dict[str, str]]]:
    """A signed-in event whose solve stays queued (nobody runs it)."""
    app = create_app(settings_for(tmp_path / "db.sqlite"), runner_factory=lambda db, s: IdleRunner())
    with TestClient(app) as client:
        event_id, headers = signed_in_event(client)
        r = client.post(f"/api/events/{event_id}/solve", json={"time_limit": 5}, headers=headers)
        assert r.status_code == 202, r.text
        yield client, event_id, headers


def test_status_changes_are_refused_while_a_solve_runs(tmp_path: Path) -> None:
    with _queued_solve(tmp_path) as (client, event_id, headers):
        page = f"/events/{event_id}/people/p3"
        shown = client.get(page, headers=HTML).text
        assert "A solve of this event is running" in shown and 'value="cancelled"' not in shown
        token = csrf_of(client, page)
        refused = client.post(f"{page}/status", data={"status": "absent", "csrf": token}, headers=HTML)
        assert refused.status_code == 409 and "wait for it or cancel it" in refused.text
        assert client.get(f"/api/events/{event_id}", headers=headers).json()["revision"] == 1


# --- the Unscheduled tray ---------------------------------------------------------------------


def test_unscheduled_tray_lists_the_pairs_without_a_meeting(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = _upload_signed_in(client, participants=PARTICIPANTS, wishes=WISHES)
        empty = client.get(f"/events/{event_id}/unscheduled", headers=HTML).text
        assert "No schedule yet" in empty
        solve(client, event_id, headers, publish=False)
        page = client.get(f"/events/{event_id}/unscheduled", headers=HTML)
        assert page.status_code == 200
        assert "<caption>Unscheduled</caption>" in page.text
        rows = [r for r in _rows(page.text, "unscheduled") if 'class="group"' not in r]
        late = [r for r in rows if "Nora Myöhä" in r]
        assert len(late) == 1 and "Ольга Кузнецова" in late[0] and "mutual" in late[0]
        assert f'href="/events/{event_id}/people/p9"' in late[0] and f'href="/events/{event_id}/people/p4"' in late[0]
        assert "priorities 2 and 1" in late[0]  # Olga (p4) asked at 2, Nora at 1
        assert "never available at the same time" in late[0] and "Why not</th>" in page.text
        assert '<th scope="rowgroup" colspan="4">No common time</th>' in page.text
        # every listed pair is a wished pair that did not meet in the stored version
        meetings = client.get(f"/api/events/{event_id}/schedule", headers=headers).json()["meetings"]
        met = {pair_key(m["participant_a"], m["participant_b"]) for m in meetings}
        wished = {tuple(sorted(line.split(",")[:2])) for line in WISHES.decode().splitlines()[1:]}
        assert len(rows) == len(wished - met)


def test_unscheduled_tray_is_grouped_paged_and_searchable(tmp_path: Path) -> None:
    files = big_event(people=160, wishes_each=10)
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = _upload_signed_in(client, **files)
        _store_version(client, event_id, [])  # nobody meets: every wished pair is unscheduled
        page = client.get(f"/events/{event_id}/unscheduled", headers=HTML).text
        first = [r for r in _rows(page, "unscheduled") if 'class="group"' not in r]
        assert len(first) == 100 and 'rel="next"' in page
        total = int(re.search(r"([\d,]+) wished pairs got no meeting", page).group(1).replace(",", ""))  # type: ignore[union-attr]
        wished = {tuple(sorted(line.split(",")[:2])) for line in files["wishes"].decode().splitlines()[1:]}
        assert total == len(wished)
        second = client.get(f"/events/{event_id}/unscheduled", params={"page": 2}, headers=HTML).text
        assert [r for r in _rows(second, "unscheduled") if 'class="group"' not in r][0] not in first
        points = [int(x) for x in re.findall(r'<td class="num">(\d+)</td>', "".join(first))]
        assert points == sorted(points, reverse=True)  # one reason (nobody meets: all could still be added): by worth
        found = client.get(f"/events/{event_id}/unscheduled", params={"q": "Żółć 17"}, headers=HTML).text
        shown = [r for r in _rows(found, "unscheduled") if 'class="group"' not in r]
        assert shown and all("17" in re.sub(r'href="[^"]*"', "", r) for r in shown)
        assert any("Osoba Żółć 17<" in r for r in shown)


# --- statistics -------------------------------------------------------------------------------


def test_statistics_show_the_figures_and_table_use_per_slot(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = signed_in_event(client)
        assert "No schedule yet" in client.get(f"/events/{event_id}/stats", headers=HTML).text
        solve(client, event_id, headers, publish=False)
        version = client.get(f"/api/events/{event_id}/schedule", headers=headers).json()
        page = client.get(f"/events/{event_id}/stats", headers=HTML)
        assert page.status_code == 200
        text = page.text
        meetings = version["meetings"]
        with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            row = session.get(EventRow, event_id)
            assert row is not None
            event = service.load_event(row)
            srow = service.schedule_row(session, event_id)
            assert srow is not None
            holes = schedule_stats(event, service.parse_schedule(event, srow)).holes
        assert f"<dt>Meetings</dt><dd>{len(meetings)}</dd>" in text
        assert f"<dt>Mutual meetings</dt><dd>{sum(m['mutual'] for m in meetings)}</dd>" in text
        assert f"<dt>Points</dt><dd>{version['points']}</dd>" in text
        assert f"<dt>Holes</dt><dd>{holes}</dd>" in text
        if version["bound"] is not None:
            assert f"<dt>Best possible (bound)</dt><dd>{version['bound']}</dd>" in text
        slots = _rows(text, "slot-use")
        assert len(slots) == 8  # 09:00-12:00 in 20-minute slots, less the 10:20-10:40 break
        used = [int(n) for n in re.findall(r'<td class="num">(\d+) of 3</td>', "".join(slots))]
        per_slot: dict[str, int] = {}
        for m in meetings:
            if m["table"] in {"1", "2", "3"}:
                per_slot[m["start"]] = per_slot.get(m["start"], 0) + 1
        assert used == [per_slot.get(r.split('class="time">')[1][:5], 0) for r in slots]
        assert "At own tables" in text  # p7 meets at Booth Ğ


def test_statistics_list_people_without_a_meeting(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = signed_in_event(client)
        _store_version(client, event_id, [Meeting(0, "1", "p1", "p2")])
        text = client.get(f"/events/{event_id}/stats", headers=HTML).text
        with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            stored = session.get(EventRow, event_id)
            assert stored is not None
            event = service.load_event(stored)
        could = {pid for pair in candidate_pairs(event) for pid in pair.people} - {"p1", "p2"}
        listed = set(
            re.findall(rf'href="/events/{event_id}/people/(p\d)"', text.split("People without a meeting</h2>")[1])
        )
        assert listed == could and "p8" not in listed  # Eve asked for nobody and nobody for her
        assert f"<dt>People without a meeting</dt><dd>{len(could)}</dd>" in text
        assert "This version has no proven bound" in text


def test_pages_need_the_organiser_sign_in(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = signed_in_event(client)
    with client_for(tmp_path / "db.sqlite") as stranger:
        for path in ("people", "people/p1", "unscheduled", "stats"):
            assert stranger.get(f"/events/{event_id}/{path}", headers=HTML).status_code == 401, path
