"""The schedule grid and edit on the day, through the real app (TestClient, signed in)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api import service
from api.storage import EventRow
from api.web import schedule as grid_module
from scheduler import edits
from scheduler.check.checker import check_schedule
from scheduler.domain import Event, Schedule
from tests.api_helpers import client_for, solve
from tests.web_helpers import HTML, csrf_of, signed_in_event

CAPTION = re.compile(r"<caption>(.*?)</caption>", re.S)
MOVE_FORM = re.compile(
    r'name="a" value="([^"]+)"><input type="hidden" name="b" value="([^"]+)">\s*'
    r'<input type="hidden" name="slot" value="(\d+)"><input type="hidden" name="table" value="([^"]+)">'
)


def latest(client: TestClient, event_id: str) -> tuple[Event, int, Schedule]:
    app = client.app
    with app.state.db.sessions() as session:  # type: ignore[attr-defined]
        row = session.get(EventRow, event_id)
        assert row is not None
        event = service.load_event(row)
        srow = service.schedule_row(session, event_id)
        assert srow is not None
        return event, srow.version, service.parse_schedule(event, srow)


def solved(client: TestClient) -> tuple[str, dict[str, str]]:
    event_id, headers = signed_in_event(client)
    solve(client, event_id, headers, publish=False)
    return event_id, headers


def page(client: TestClient, event_id: str, query: str = "") -> str:
    r = client.get(f"/events/{event_id}/schedule{query}", headers=HTML)
    assert r.status_code == 200, r.text
    return r.text


def test_grid_has_the_schedule_caption_every_table_and_each_meeting(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = solved(client)
        event, version, schedule = latest(client, event_id)
        html = page(client, event_id)
        assert CAPTION.search(html).group(1).startswith("Schedule")  # type: ignore[union-attr]
        assert f"Version <strong>{version}</strong>" in html and "draft" in html
        for m in schedule.meetings:
            assert f"select={m.a}~{m.b}" in html
            for pid in (m.a, m.b):
                assert event.participants[pid].name in html
        assert html.count('<th scope="row"') == len(event.days[0].slots)
        assert "Booth" in html  # booths are columns too


def test_tables_are_paged_and_a_page_holds_only_its_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grid_module, "PAGE_SIZE", 2)
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = solved(client)
        first, second = page(client, event_id, "?day=1&page=1"), page(client, event_id, "?day=1&page=2")
        assert '<th scope="col">Table 1</th>' in first and '<th scope="col">Table 3</th>' not in first
        assert '<th scope="col">Table 3</th>' in second and '<th scope="col">Table 1</th>' not in second
        assert 'aria-label="Tables"' in first and "page=2" in first
        assert CAPTION.search(second).group(1).startswith("Schedule")  # type: ignore[union-attr]
        assert page(client, event_id, "?day=1&page=99").count('<th scope="col"') > 1  # clamped, not an error


def test_search_lists_people_and_their_link_highlights_them(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = solved(client)
        event, _, schedule = latest(client, event_id)
        someone = schedule.meetings[0].a
        p = event.participants[someone]
        html = page(client, event_id, f"?q={p.organisation[:5].lower()}")
        assert "found for" in html and p.name in html
        assert f"person={someone}" in html
        nothing = page(client, event_id, "?q=zzzz-nobody")
        assert "0 people found" in nothing
        shown = page(client, event_id, f"?person={someone}")
        assert f"Showing <strong>{p.name}</strong>" in shown
        mine = [m for m in schedule.meetings if someone in (m.a, m.b)]
        assert shown.count('<td class="me') == len(mine)
        assert shown.count('<span class="where">') == len(mine)  # each row header says where they are


def test_selecting_a_meeting_lights_only_its_valid_cells(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = solved(client)
        event, _, schedule = latest(client, event_id)
        m = schedule.meetings[0]
        html = page(client, event_id, f"?select={m.a}~{m.b}")
        a, b = event.participants[m.a].name, event.participants[m.b].name
        assert f"Moving the meeting of {a} and {b}" in html and "Cancel selection" in html
        lit = {(int(s), t) for _, _, s, t in MOVE_FORM.findall(html)}
        expected = {(s.index, t) for s, t in edits.move_targets(event, schedule, m) if s.day == 0}
        assert lit == expected and lit
        assert html.count("Move here<") == len(lit)


def test_a_move_through_the_form_makes_a_new_valid_version(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = solved(client)
        event, version, schedule = latest(client, event_id)
        m = schedule.meetings[0]
        query = f"?select={m.a}~{m.b}"
        html = page(client, event_id, query)
        a, b, slot, table = MOVE_FORM.findall(html)[-1]
        token = csrf_of(client, f"/events/{event_id}/schedule{query}")
        data = {"csrf": token, "a": a, "b": b, "slot": slot, "table": table, "day": "1", "page": "1"}
        r = client.post(f"/events/{event_id}/schedule/move", data=data, headers=HTML, follow_redirects=False)
        assert r.status_code == 303, r.text
        assert "done=moved" in r.headers["location"]
        event, new_version, new = latest(client, event_id)
        assert new_version == version + 1 and check_schedule(event, new) == []
        moved = edits.find_meeting(event, new, m.a, m.b)
        assert (moved.slot, moved.table, moved.locked) == (int(slot), table, True)
        after = client.get(r.headers["location"], headers=HTML).text
        assert f"This is version {new_version}, a draft" in after


def test_pin_then_unpin_and_cancel_after_confirming(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = solved(client)
        event, version, schedule = latest(client, event_id)
        m = next(x for x in schedule.meetings if not x.locked)
        query = f"?select={m.a}~{m.b}"
        assert "Pin the meeting" in page(client, event_id, query)
        token = csrf_of(client, f"/events/{event_id}/schedule{query}")
        pair = {"csrf": token, "a": m.a, "b": m.b}
        r = client.post(f"/events/{event_id}/schedule/pin", data=pair | {"locked": "true"}, headers=HTML)
        assert r.status_code == 200 and "is pinned" in r.text
        assert edits.find_meeting(event, latest(client, event_id)[2], m.a, m.b).locked
        assert "Unpin the meeting" in page(client, event_id, query)
        r = client.post(f"/events/{event_id}/schedule/pin", data=pair | {"locked": "false"}, headers=HTML)
        assert "no longer pinned" in r.text
        confirm = page(client, event_id, query + "&confirm=cancel")
        assert "Cancel this meeting?" in confirm and "Yes, cancel the meeting" in confirm
        r = client.post(f"/events/{event_id}/schedule/cancel", data=pair, headers=HTML)
        assert r.status_code == 200 and "was cancelled" in r.text
        event, last, new = latest(client, event_id)
        assert last == version + 3 and len(new) == len(schedule) - 1 and check_schedule(event, new) == []


def test_a_refused_move_says_why_in_words(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = solved(client)
        event, version, schedule = latest(client, event_id)
        m, other = schedule.meetings[0], next(x for x in schedule.meetings if x.slot != schedule.meetings[0].slot)
        token = csrf_of(client, f"/events/{event_id}/schedule")
        onto = {"csrf": token, "a": m.a, "b": m.b, "slot": str(other.slot), "table": other.table}
        r = client.post(f"/events/{event_id}/schedule/move", data=onto, headers=HTML)
        assert r.status_code == 422
        assert "Not changed." in r.text and "breaks" in r.text and "rule 5" in r.text
        assert "Traceback" not in r.text and CAPTION.search(r.text)
        gone = {"csrf": token, "a": m.a, "b": "nobody", "slot": "0", "table": "1"}
        r = client.post(f"/events/{event_id}/schedule/move", data=gone, headers=HTML)
        assert r.status_code == 422 and "&#39;nobody&#39; is not a participant" in r.text
        assert latest(client, event_id)[1] == version


def test_edits_need_the_csrf_token(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = solved(client)
        _, version, schedule = latest(client, event_id)
        m = schedule.meetings[0]
        for action, extra in (("pin", {"locked": "true"}), ("cancel", {})):
            r = client.post(f"/events/{event_id}/schedule/{action}", data={"a": m.a, "b": m.b, **extra}, headers=HTML)
            assert r.status_code == 403
        assert latest(client, event_id)[1] == version


def test_no_schedule_yet_and_older_versions_are_not_edited(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = signed_in_event(client)
        assert "No schedule yet" in page(client, event_id)
        solve(client, event_id, headers, publish=False)
        _, _, schedule = latest(client, event_id)
        m = schedule.meetings[0]
        token = csrf_of(client, f"/events/{event_id}/schedule")
        client.post(f"/events/{event_id}/schedule/pin", data={"csrf": token, "a": m.a, "b": m.b, "locked": "true"})
        old = page(client, event_id, f"?version=1&select={m.a}~{m.b}")
        assert "older version" in old and "Only the latest version can be edited" in old
        assert "Move here<" not in old and "select=" not in old.split("<table")[1]
