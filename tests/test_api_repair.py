"""On the day, through the real app and worker processes: people cancel, a meeting is cancelled,
moved or pinned by hand, a late registrant arrives; each re-solve repairs the latest version and
stores a new one; diffs name exactly the people whose day changed, and their calendars update.

The inline event has room for every wished pair (a fresh solve reaches its bound at once), so a
repair has no reason to move a meeting that nothing forced to move, and the tests can say exactly
which meetings stay.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from api_helpers import big_event, client_for, pdf_pages, solve, squash, upload, wait_for_job
from fastapi.testclient import TestClient
from icalendar import Calendar

from api.storage import Database

TOML = b"""name = "Harbour Repair Day"
timezone = "Europe/Helsinki"
slot_minutes = 20
tables = 4

[[days]]
date = "2027-03-10"
start = "09:00"
end = "12:00"
"""
DAY = "2027-03-10"
NAMES = {
    "q1": "Søren Dybdahl",
    "q2": "Jānis Bērziņš",
    "q3": "Αλέξανδρος Παπαδόπουλος",
    "q4": "Ольга Кузнецова",
    "q5": "Łukasz Wiśniewski",
    "q6": "Šárka Nováková",
    "q7": "Gülşen Yıldız",
    "q8": "Eve Example",
    "q9": "Aino Virtanen",
    "q10": "Mateo García",
}
# q10 is only there until 10:40 (slots 1-5 of 9).
PEOPLE = "id,name,organisation,email,available\n" + "".join(
    f"{pid},{name},Org {pid},{pid}@example.org,{'09:00-10:40' if pid == 'q10' else ''}\n" for pid, name in NAMES.items()
)
PAIRS = [(1, 2), (1, 3), (1, 4), (2, 5), (3, 6), (4, 7), (5, 8), (6, 9), (7, 10), (8, 9), (2, 10), (3, 7)]
WISHES = "requester,target,priority\n" + "".join(f"q{a},q{b},1\nq{b},q{a},2\n" for a, b in PAIRS)
FILES = {"event": TOML, "participants": PEOPLE.encode(), "wishes": WISHES.encode()}

Place = tuple[str, int, str]  # day, slot, table


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with client_for(tmp_path_factory.mktemp("repair") / "matchday.db") as c:
        yield c


def _new_event(client: TestClient) -> tuple[str, dict[str, str]]:
    event_id, headers = upload(client, **FILES)
    solve(client, event_id, headers, time_limit=2)
    return event_id, headers


def _schedule(client: TestClient, event_id: str, headers: dict[str, str], version: int | None = None) -> Any:
    url = f"/api/events/{event_id}/schedule" + (f"?version={version}" if version else "")
    r = client.get(url, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def _places(schedule: dict[str, Any]) -> dict[tuple[str, str], Place]:
    """Each meeting's place by its pair (a < b)."""
    return {
        tuple(sorted((m["participant_a"], m["participant_b"]))): (m["day"], m["slot"], m["table"])  # type: ignore[misc]
        for m in schedule["meetings"]
    }


def _links(client: TestClient, event_id: str, headers: dict[str, str]) -> dict[str, Any]:
    people = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
    return {p["id"]: p for p in people}


def _vevents(client: TestClient, url: str) -> dict[str, Any]:
    """The calendar's meetings by partner name."""
    r = client.get(url)
    assert r.status_code == 200
    return {
        re.sub(r"^(Cancelled: meeting|Meeting) with ", "", str(e["SUMMARY"])).split(" (")[0]: e
        for e in Calendar.from_ical(r.content).walk("VEVENT")
    }


# --- two people cancel, then a repair ------------------------------------------------------------


@pytest.fixture(scope="module")
def two_cancelled(client: TestClient) -> dict[str, Any]:
    """Solve, mark q1 cancelled and q5 absent, re-solve (a repair by default)."""
    event_id, headers = _new_event(client)
    v1 = _schedule(client, event_id, headers)
    ics_before = {pid: _vevents(client, p["agenda_ics_url"]) for pid, p in _links(client, event_id, headers).items()}
    changed = []
    for pid, status in (("q1", "cancelled"), ("q5", "absent")):
        r = client.patch(f"/api/events/{event_id}/participants/{pid}", json={"status": status}, headers=headers)
        assert r.status_code == 200, r.text
        changed.append(r.json())
    info = client.get(f"/api/events/{event_id}", headers=headers).json()
    job = solve(client, event_id, headers, time_limit=2)
    return {
        "id": event_id,
        "headers": headers,
        "v1": v1,
        "v2": _schedule(client, event_id, headers),
        "changed": changed,
        "info_before_repair": info,
        "job": job,
        "ics_before": ics_before,
        "gone": {"q1", "q5"},
    }


def test_marking_people_cancelled_changes_the_event_not_the_schedule(two_cancelled: dict[str, Any]) -> None:
    first, second = two_cancelled["changed"]
    assert first["participant"]["status"] == "cancelled" and second["participant"]["status"] == "absent"
    assert second["event_revision"] == first["event_revision"] + 1 == 3
    assert first["participant"]["agenda_url"].startswith("http://testserver/agenda/")
    info = two_cancelled["info_before_repair"]
    assert info["revision"] == 3 and info["latest_schedule_version"] == 1
    assert info["schedule_is_current"] is False


def test_repair_is_the_default_and_keeps_unaffected_meetings_in_place(
    client: TestClient, two_cancelled: dict[str, Any]
) -> None:
    job, gone = two_cancelled["job"], two_cancelled["gone"]
    assert job["options"]["mode"] == "repair" and job["options"]["previous_version"] == 1
    assert job["schedule_version"] == 2
    before, after = _places(two_cancelled["v1"]), _places(two_cancelled["v2"])
    unaffected = {pair: place for pair, place in before.items() if not set(pair) & gone}
    assert unaffected and {pair: after[pair] for pair in unaffected} == unaffected
    assert not {p for pair in after for p in pair} & gone
    assert two_cancelled["v2"]["kind"] == "repair" and two_cancelled["v2"]["based_on"] == 1
    info = client.get(f"/api/events/{two_cancelled['id']}", headers=two_cancelled["headers"]).json()
    assert info["schedule_is_current"] is True and info["latest_schedule_version"] == 2


def test_versions_list_the_repair_report(client: TestClient, two_cancelled: dict[str, Any]) -> None:
    event_id, headers = two_cancelled["id"], two_cancelled["headers"]
    versions = client.get(f"/api/events/{event_id}/schedules", headers=headers).json()
    assert [(v["version"], v["kind"], v["based_on"]) for v in versions] == [
        (1, "solve", None),
        (2, "repair", 1),
    ]
    lost = sum(1 for pair in _places(two_cancelled["v1"]) if set(pair) & two_cancelled["gone"])
    report = versions[1]["repair"]
    assert report["lost"] == lost and report["kept"] == len(two_cancelled["v1"]["meetings"]) - lost
    assert report["moved"] == report["added"] == 0
    assert report["points_before"] == two_cancelled["v1"]["points"]
    assert report["points_after"] == two_cancelled["v2"]["points"] and report["points_fresh_solve"] > 0
    assert versions[1]["changes"]["cancelled"] == lost and versions[1]["event_revision"] == 3
    stats = client.get(f"/api/events/{event_id}/stats", headers=headers).json()
    assert stats["kind"] == "repair" and stats["repair"] == report
    # the old version stays downloadable, as JSON and as schedule.csv
    old = client.get(f"/api/events/{event_id}/schedules/1", headers=headers)
    assert old.status_code == 200 and _places(old.json()) == _places(two_cancelled["v1"])
    old_csv = client.get(f"/api/events/{event_id}/schedules/1.csv", headers=headers)
    assert old_csv.status_code == 200 and old_csv.headers["content-type"].startswith("text/csv")
    assert len(list(csv.DictReader(io.StringIO(old_csv.text)))) == len(two_cancelled["v1"]["meetings"])
    assert "schedule-v1.csv" in old_csv.headers["content-disposition"]
    assert client.get(f"/api/events/{event_id}/schedules/9", headers=headers).status_code == 404


def _expected_changes(two_cancelled: dict[str, Any]) -> tuple[set[tuple[str, str]], set[str]]:
    dropped = {pair for pair in _places(two_cancelled["v1"]) if set(pair) & two_cancelled["gone"]}
    return dropped, {p for pair in dropped for p in pair}


def test_diff_json_lists_exactly_the_changes_and_who_is_affected(
    client: TestClient, two_cancelled: dict[str, Any]
) -> None:
    event_id, headers = two_cancelled["id"], two_cancelled["headers"]
    r = client.get(f"/api/events/{event_id}/diff", headers=headers)  # default: the latest two
    assert r.status_code == 200, r.text
    diff = r.json()
    dropped, affected = _expected_changes(two_cancelled)
    assert (diff["from_version"], diff["to_version"]) == (1, 2)
    assert {(m["a"], m["b"]) for m in diff["meetings"]} == dropped
    assert {m["change"] for m in diff["meetings"]} == {"cancelled"}
    v1 = _places(two_cancelled["v1"])
    for m in diff["meetings"]:
        assert (m["old"]["day"], m["old"]["slot"], m["old"]["table"]) == v1[(m["a"], m["b"])]
        assert m["new"] is None
    assert set(diff["people_affected"]) == affected == {p["id"] for p in diff["people"]}
    assert diff["summary"]["cancelled"] == len(dropped) and diff["summary"]["people_affected"] == len(affected)
    links = _links(client, event_id, headers)
    for person in diff["people"]:
        assert person["agenda_url"] == links[person["id"]]["agenda_url"]
        assert person["agenda_ics_url"] == links[person["id"]]["agenda_ics_url"]
        assert person["email"] == f"{person['id']}@example.org" and person["name"] == NAMES[person["id"]]
        mine = {tuple(sorted((m["a"], m["b"]))) for m in diff["meetings"] if person["id"] in (m["a"], m["b"])}
        assert len(person["cancelled"]) == len(mine) and not person["added"] and not person["moved"]
    explicit = client.get(f"/api/events/{event_id}/diff?from=1&to=2", headers=headers).json()
    assert explicit == diff
    backwards = client.get(f"/api/events/{event_id}/diff?from=2&to=1", headers=headers).json()
    assert {m["change"] for m in backwards["meetings"]} == {"added"}


def test_diff_csv_has_a_row_per_person_and_change(client: TestClient, two_cancelled: dict[str, Any]) -> None:
    event_id, headers = two_cancelled["id"], two_cancelled["headers"]
    r = client.get(f"/api/events/{event_id}/diff.csv", headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    dropped, affected = _expected_changes(two_cancelled)
    assert len(rows) == 2 * len(dropped)  # each meeting, once for each side
    assert {row["person"] for row in rows} == affected
    assert {tuple(sorted((row["person"], row["partner"]))) for row in rows} == dropped
    assert {row["change"] for row in rows} == {"cancelled"} and all(row["new_slot"] == "" for row in rows)
    links = _links(client, event_id, headers)
    assert all(row["agenda_url"] == links[row["person"]]["agenda_url"] for row in rows)
    assert "Søren Dybdahl" in r.text


def test_reissued_agendas_pdf_holds_only_the_people_affected(client: TestClient, two_cancelled: dict[str, Any]) -> None:
    r = client.get(f"/api/events/{two_cancelled['id']}/diff/agendas.pdf", headers=two_cancelled["headers"])
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pages = [squash(p) for p in pdf_pages(r.content)]
    _, affected = _expected_changes(two_cancelled)
    assert len(pages) == len(affected)
    for pid in sorted(affected):
        assert any(squash(NAMES[pid]) in page[:200] for page in pages), pid
    for page in pages:  # each agenda says what changed for its person
        assert "Changedsincescheduleversion1" in page and "Cancelled:yourmeetingwith" in page


def test_ics_of_an_affected_person_cancels_the_dropped_meeting(
    client: TestClient, two_cancelled: dict[str, Any]
) -> None:
    links = _links(client, two_cancelled["id"], two_cancelled["headers"])
    dropped, affected = _expected_changes(two_cancelled)
    partner = next(p for p in sorted(affected) if p not in two_cancelled["gone"])
    before, after = two_cancelled["ics_before"][partner], _vevents(client, links[partner]["agenda_ics_url"])
    assert set(after) == set(before)  # updated in place, nothing added
    lost = {NAMES[p] for pair in dropped if partner in pair for p in pair if p != partner}
    assert lost
    for name, event in after.items():
        old_sequence = int(before[name]["SEQUENCE"])
        if name in lost:
            assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) > old_sequence
        else:  # unchanged meetings keep their SEQUENCE
            assert str(event["STATUS"]) == "CONFIRMED" and int(event["SEQUENCE"]) == old_sequence
        assert str(event["UID"]) == str(before[name]["UID"])
    unaffected = next(p for p in NAMES if p not in affected and two_cancelled["ics_before"][p])
    again = _vevents(client, links[unaffected]["agenda_ics_url"])
    assert {n: int(e["SEQUENCE"]) for n, e in again.items()} == {
        n: int(e["SEQUENCE"]) for n, e in two_cancelled["ics_before"][unaffected].items()
    }


# --- hand edits ----------------------------------------------------------------------------------


def test_cancel_one_meeting_declines_it_and_no_repair_brings_it_back(client: TestClient) -> None:
    event_id, headers = _new_event(client)
    v1 = _places(_schedule(client, event_id, headers))
    pair = ("q6", "q9")
    r = client.post(f"/api/events/{event_id}/meetings/cancel", json={"a": "q9", "b": "q6"}, headers=headers)
    assert r.status_code == 200, r.text
    edit = r.json()
    assert edit["created"] and edit["kind"] == "cancel" and edit["version"] == 2 and edit["based_on"] == 1
    assert edit["people_affected"] == ["q6", "q9"] and edit["meeting"] is None
    assert edit["changes"]["cancelled"] == 1 and edit["changes"]["kept"] == len(v1) - 1
    assert edit["diff_url"].endswith(f"/api/events/{event_id}/diff?from=1&to=2")
    wishes = client.get(f"/api/events/{event_id}/wishes", headers=headers).json()["data"]
    status = {(w["requester"], w["target"]): w["status"] for w in wishes}
    assert status[("q6", "q9")] == status[("q9", "q6")] == "declined"
    assert sum(1 for s in status.values() if s == "declined") == 2
    v2 = _places(_schedule(client, event_id, headers))
    assert pair not in v2 and {k: v for k, v in v1.items() if k != pair} == v2
    diff = client.get(f"/api/events/{event_id}/diff", headers=headers).json()
    assert [(m["change"], m["a"], m["b"]) for m in diff["meetings"]] == [("cancelled", *pair)]
    # q6 and q9 have plenty of free time, yet the repair leaves the pair out
    solve(client, event_id, headers, time_limit=2)
    v3 = _schedule(client, event_id, headers)
    assert v3["version"] == 3 and pair not in _places(v3) and _places(v3) == v2
    fresh = solve(client, event_id, headers, time_limit=2, mode="fresh")
    assert fresh["options"]["mode"] == "fresh" and pair not in _places(_schedule(client, event_id, headers))
    missing = client.post(f"/api/events/{event_id}/meetings/cancel", json={"a": "q6", "b": "q9"}, headers=headers)
    assert missing.status_code == 404 and "no meeting" in missing.json()["detail"]


def _free_slot(schedule: dict[str, Any], people: tuple[str, str], slots: range) -> int:
    busy = {m["slot"] for m in schedule["meetings"] if {m["participant_a"], m["participant_b"]} & set(people)}
    return next(s for s in slots if s not in busy)


def test_invalid_move_is_refused_with_the_rule_in_words(client: TestClient) -> None:
    event_id, headers = _new_event(client)
    schedule = _schedule(client, event_id, headers)
    q10 = next(m for m in schedule["meetings"] if "q10" in (m["participant_a"], m["participant_b"]))
    a, b = q10["participant_a"], q10["participant_b"]
    url = f"/api/events/{event_id}/meetings/move"
    late = _free_slot(schedule, (a, b), range(9, 5, -1))  # after 10:40, when q10 has left
    r = client.post(url, json={"a": a, "b": b, "day": DAY, "slot": late}, headers=headers)
    assert r.status_code == 422, r.text
    body = r.json()
    assert "nothing was changed" in body["detail"]
    assert [(v["rule"], v["code"]) for v in body["violations"]] == [(3, "unavailable")]
    assert "Mateo García (q10) is not available then" in body["violations"][0]["message"]
    assert body["violations"][0]["slot"] == late and body["violations"][0]["people"] == ["q10"]
    # into a slot where one of them already meets somebody else
    other = next(
        m
        for m in schedule["meetings"]
        if a in (m["participant_a"], m["participant_b"]) and b not in (m["participant_a"], m["participant_b"])
    )
    r = client.post(url, json={"a": a, "b": b, "day": DAY, "slot": other["slot"]}, headers=headers)
    assert r.status_code == 422
    assert any(v["rule"] == 2 and "has 2 meetings" in v["message"] for v in r.json()["violations"])
    r = client.post(url, json={"a": a, "b": b, "day": DAY, "slot": 12}, headers=headers)
    assert r.status_code == 422 and r.json()["detail"] == "2027-03-10 has slots 1 to 9, not 12"
    r = client.post(url, json={"a": a, "b": b, "day": DAY, "slot": q10["slot"], "table": "Booth 9"}, headers=headers)
    assert r.status_code == 422 and [v["code"] for v in r.json()["violations"]] == ["unknown_table"]
    versions = client.get(f"/api/events/{event_id}/schedules", headers=headers).json()
    assert len(versions) == 1  # nothing was stored


def test_valid_move_locks_the_meeting_and_a_later_repair_keeps_it(client: TestClient) -> None:
    event_id, headers = _new_event(client)
    schedule = _schedule(client, event_id, headers)
    pair = ("q8", "q9")
    old = _places(schedule)[pair]
    slot = _free_slot(schedule, pair, range(9, 0, -1))
    table = next(t for t in "4321" if not any(m["slot"] == slot and m["table"] == t for m in schedule["meetings"]))
    ics = _links(client, event_id, headers)["q8"]["agenda_ics_url"]
    r = client.post(
        f"/api/events/{event_id}/meetings/move",
        json={"a": "q8", "b": "q9", "day": DAY, "slot": slot, "table": table},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    edit = r.json()
    assert edit["kind"] == "move" and edit["version"] == 2 and edit["people_affected"] == ["q8", "q9"]
    assert edit["meeting"]["slot"] == slot and edit["meeting"]["table"] == table and edit["meeting"]["locked"]
    assert edit["changes"]["moved"] == 1
    moved = next(m for m in _schedule(client, event_id, headers)["meetings"] if m["participant_a"] == "q8")
    assert (moved["slot"], moved["table"], moved["locked"]) == (slot, table, True)
    diff = client.get(f"/api/events/{event_id}/diff", headers=headers).json()
    [change] = diff["meetings"]
    assert change["change"] == "moved" and change["old"]["slot"] == old[1] and change["new"]["slot"] == slot
    assert diff["people_affected"] == ["q8", "q9"]
    # A hand edit is a draft: participants see it once it is published.
    assert int(_vevents(client, ics)[NAMES["q9"]]["SEQUENCE"]) == 0
    assert client.post(f"/api/events/{event_id}/publish", headers=headers).json()["version"] == 2
    assert int(_vevents(client, ics)[NAMES["q9"]]["SEQUENCE"]) == 1
    page = client.get(_links(client, event_id, headers)["q8"]["agenda_url"]).text
    assert "Changed since schedule version 1" in page
    assert f"Moved: your meeting with {NAMES['q9']} is now at" in page and f"Table {table}" in page
    untouched = client.get(_links(client, event_id, headers)["q3"]["agenda_url"]).text
    assert "Changed since" not in untouched
    # a change elsewhere, then a repair: the locked meeting stays exactly there
    assert (
        client.patch(f"/api/events/{event_id}/participants/q2", json={"status": "absent"}, headers=headers).status_code
        == 200
    )
    solve(client, event_id, headers, time_limit=2)
    after = _schedule(client, event_id, headers)
    kept = next(m for m in after["meetings"] if (m["participant_a"], m["participant_b"]) == pair)
    assert (kept["day"], kept["slot"], kept["table"], kept["locked"]) == (DAY, slot, table, True)


def test_pin_locks_a_meeting_without_affecting_anyone(client: TestClient) -> None:
    event_id, headers = _new_event(client)
    url = f"/api/events/{event_id}/meetings/pin"
    r = client.post(url, json={"a": "q3", "b": "q6"}, headers=headers)
    assert r.status_code == 200, r.text
    edit = r.json()
    assert edit["created"] and edit["kind"] == "pin" and edit["version"] == 2
    assert edit["meeting"]["locked"] and edit["people_affected"] == [] and edit["changes"]["kept"] > 0
    again = client.post(url, json={"a": "q6", "b": "q3"}, headers=headers).json()
    assert not again["created"] and again["version"] == 2
    assert client.get(f"/api/events/{event_id}/diff", headers=headers).json()["meetings"] == []
    unpinned = client.post(url, json={"a": "q3", "b": "q6", "locked": False}, headers=headers).json()
    assert unpinned["created"] and not unpinned["meeting"]["locked"] and unpinned["version"] == 3
    versions = client.get(f"/api/events/{event_id}/schedules", headers=headers).json()
    assert [v["edit"]["action"] for v in versions[1:]] == ["pin", "unpin"]
    assert client.post(url, json={"a": "q1", "b": "q9"}, headers=headers).status_code == 404
    assert client.post(url, json={"a": "q1", "b": "nobody"}, headers=headers).status_code == 404


# --- late registrant, cut-off ----------------------------------------------------------------------


def test_late_participant_with_a_wish_gets_a_meeting(client: TestClient) -> None:
    event_id, headers = _new_event(client)
    r = client.post(
        f"/api/events/{event_id}/participants",
        json={
            "id": "q11",
            "name": "Zoë Late-Comer",
            "organisation": "Nouveau Oy",
            "email": "zoe@example.org",
        },
        headers=headers,
    )
    assert r.status_code == 201, r.text
    newcomer = r.json()["participant"]
    assert newcomer["id"] == "q11" and newcomer["meetings"] == 0 and newcomer["status"] == "registered"
    page = client.get(newcomer["agenda_url"])
    assert page.status_code == 200 and "Zoë Late-Comer" in page.text
    url = f"/api/events/{event_id}/wishes"
    r = client.post(url, json={"requester": "q11", "target": "q3", "priority": 3}, headers=headers)
    assert r.status_code == 201 and r.json()["created"] and r.json()["wish"]["priority"] == 3
    r = client.post(url, json={"requester": "q11", "target": "q3", "priority": 1}, headers=headers)
    assert r.status_code == 200 and not r.json()["created"] and r.json()["wish"]["priority"] == 1
    wishes = client.get(url, headers=headers).json()
    assert wishes["count"] == 2 * len(PAIRS) + 1
    before = _places(_schedule(client, event_id, headers))
    solve(client, event_id, headers, time_limit=2)
    after = _schedule(client, event_id, headers)
    assert ("q11", "q3") in _places(after)
    assert all(after_place == before[pair] for pair, after_place in _places(after).items() if pair in before)
    people = _links(client, event_id, headers)
    assert people["q11"]["meetings"] == 1 and people["q11"]["agenda_url"] == newcomer["agenda_url"]
    assert "Αλέξανδρος Παπαδόπουλος" in client.get(newcomer["agenda_url"]).text
    diff = client.get(f"/api/events/{event_id}/diff", headers=headers).json()
    assert diff["people_affected"] == ["q11", "q3"]
    assert diff["people"][0]["added"][0]["partner"] == "q3"


def test_cutoff_keeps_every_meeting_before_it(client: TestClient) -> None:
    event_id, headers = _new_event(client)
    v1 = _schedule(client, event_id, headers)
    starts = {m["start"] for m in v1["meetings"]}
    person = next(
        p
        for p in NAMES
        if len({m["start"] for m in v1["meetings"] if p in (m["participant_a"], m["participant_b"])}) >= 2
    )
    mine = sorted(m["start"] for m in v1["meetings"] if person in (m["participant_a"], m["participant_b"]))
    cutoff = mine[-1]  # the person's last meeting is re-planned, the earlier ones are history
    assert (
        client.patch(
            f"/api/events/{event_id}/participants/{person}", json={"status": "cancelled"}, headers=headers
        ).status_code
        == 200
    )
    hour, minute = map(int, cutoff.split(":"))
    utc = f"{DAY}T{hour - 2:02d}:{minute:02d}:00Z"  # Helsinki is UTC+2 in March
    job = solve(client, event_id, headers, time_limit=2, cutoff=utc, move_cost=5, drop_cost=7)
    assert job["options"] == {
        "mode": "repair",
        "previous_version": 1,
        "cutoff": f"{DAY}T{cutoff}:00",
        "move_cost": 5,
        "drop_cost": 7,
        "publish": True,
    }
    v2 = _schedule(client, event_id, headers)
    history = {
        (m["participant_a"], m["participant_b"], m["day"], m["slot"], m["table"])
        for m in v1["meetings"]
        if m["start"] < cutoff
    }
    kept = {(m["participant_a"], m["participant_b"], m["day"], m["slot"], m["table"]) for m in v2["meetings"]}
    assert history and history <= kept
    assert any(person in m[:2] for m in history)  # history stays, whatever the person's status now
    assert not [
        m for m in v2["meetings"] if person in (m["participant_a"], m["participant_b"]) and m["start"] >= cutoff
    ]
    versions = client.get(f"/api/events/{event_id}/schedules", headers=headers).json()
    assert versions[-1]["cutoff"] == f"{DAY}T{cutoff}:00" and starts


# --- invalid changes, options, access -----------------------------------------------------------------


def test_an_invalid_change_is_422_with_the_loader_problems_and_stores_nothing(client: TestClient) -> None:
    event_id, headers = upload(client, **FILES)
    base = f"/api/events/{event_id}"
    r = client.patch(f"{base}/participants/q2", json={"available": "2027-04-01 09:00-10:00"}, headers=headers)
    assert r.status_code == 422, r.text
    body = r.json()
    assert "nothing was changed" in body["detail"]
    [problem] = [p for p in body["problems"] if p["severity"] == "error"]
    assert (problem["file"], problem["row"], problem["column"]) == ("participants.csv", 3, "available")
    r = client.post(f"{base}/participants", json={"id": "q3", "name": "Again"}, headers=headers)
    assert r.status_code == 422 and any(p["code"] == "duplicate_id" for p in r.json()["problems"])
    r = client.post(f"{base}/wishes", json={"requester": "q1", "target": "q99"}, headers=headers)
    assert r.status_code == 422 and any(p["code"] == "unknown_participant" for p in r.json()["problems"])
    r = client.post(f"{base}/wishes", json={"requester": "q1", "target": "q1"}, headers=headers)
    assert r.status_code == 422 and any(p["code"] == "self_wish" for p in r.json()["problems"])
    assert client.patch(f"{base}/participants/q2", json={"status": "gone"}, headers=headers).status_code == 422
    assert client.patch(f"{base}/participants/q2", json={}, headers=headers).status_code == 422
    for cap in (1.5, True, "2"):  # a cap is a JSON whole number, never rounded or coerced
        assert client.patch(f"{base}/participants/q2", json={"max_meetings": cap}, headers=headers).status_code == 422
    assert client.patch(f"{base}/participants/nobody", json={"status": "absent"}, headers=headers).status_code == 404
    info = client.get(base, headers=headers).json()
    assert info["revision"] == 1 and info["participants"] == 10
    # a valid change of availability keeps the rest of the file as uploaded
    r = client.patch(f"{base}/participants/q2", json={"available": "10:00-12:00", "max_meetings": 2}, headers=headers)
    assert r.status_code == 200 and r.json()["participant"]["available"] == "10:00-12:00"
    assert r.json()["participant"]["max_meetings"] == 2 and r.json()["event_revision"] == 2
    db: Database = client.app.state.db  # type: ignore[attr-defined]
    from api.storage import EventRow

    with db.sessions() as s:
        row = s.get(EventRow, event_id)
        assert row is not None
        lines = row.participants_csv.decode().splitlines()
    assert lines[0] == "id,name,organisation,email,available,max_meetings"
    assert lines[2] == "q2,Jānis Bērziņš,Org q2,q2@example.org,10:00-12:00,2"
    assert lines[1] == "q1,Søren Dybdahl,Org q1,q1@example.org,"


def test_solve_options_are_checked(client: TestClient) -> None:
    event_id, headers = upload(client, **FILES)
    url = f"/api/events/{event_id}/solve"
    r = client.post(url, json={"mode": "repair"}, headers=headers)
    assert r.status_code == 409 and "no schedule to repair" in r.json()["detail"]
    r = client.post(url, json={"cutoff": "2027-03-10T10:00"}, headers=headers)
    assert r.status_code == 422 and "only apply to a repair" in r.json()["detail"]
    assert client.post(url, json={"move_cost": -1}, headers=headers).status_code == 422
    assert client.post(url, json={"mode": "later"}, headers=headers).status_code == 422
    assert client.get(f"/api/events/{event_id}/diff", headers=headers).status_code == 404
    solve(client, event_id, headers, time_limit=1)
    r = client.get(f"/api/events/{event_id}/diff", headers=headers)
    assert r.status_code == 404 and "no earlier version" in r.json()["detail"]
    assert client.get(f"/api/events/{event_id}/diff?from=1&to=7", headers=headers).status_code == 404
    schema = client.get("/openapi.json").json()
    fields = schema["components"]["schemas"]["SolveRequest"]["properties"]
    assert {"time_limit", "mode", "cutoff", "move_cost", "drop_cost"} <= set(fields)
    assert "local time" in fields["cutoff"]["description"]


def test_changes_wait_for_a_running_solve(client: TestClient) -> None:
    event_id, headers = upload(client, **big_event(people=120, seed=11))
    job_id = client.post(f"/api/events/{event_id}/solve", json={"time_limit": 30}, headers=headers).json()["job_id"]
    wait_for_job(client, job_id, headers, until=("running",))
    base = f"/api/events/{event_id}"
    for method, path, body in (
        ("PATCH", "/participants/b1", {"status": "absent"}),
        ("POST", "/participants", {"id": "late", "name": "Late"}),
        ("POST", "/wishes", {"requester": "b1", "target": "b2"}),
        ("POST", "/meetings/cancel", {"a": "b1", "b": "b2"}),
    ):
        r = client.request(method, base + path, json=body, headers=headers)
        assert r.status_code == 409 and job_id in r.json()["detail"], (path, r.text)
    client.post(f"/api/jobs/{job_id}/cancel", headers=headers)
    assert wait_for_job(client, job_id, headers, timeout=20)["state"] == "cancelled"
    assert client.patch(f"{base}/participants/b1", json={"status": "absent"}, headers=headers).status_code == 200


NEW_ROUTES = (
    ("PATCH", "/participants/q1", {"status": "absent"}),
    ("POST", "/participants", {"id": "x", "name": "X"}),
    ("GET", "/wishes", None),
    ("POST", "/wishes", {"requester": "q1", "target": "q2"}),
    ("POST", "/meetings/cancel", {"a": "q1", "b": "q2"}),
    ("POST", "/meetings/move", {"a": "q1", "b": "q2", "day": DAY, "slot": 1}),
    ("POST", "/meetings/pin", {"a": "q1", "b": "q2"}),
    ("GET", "/schedules/1", None),
    ("GET", "/schedules/1.csv", None),
    ("GET", "/diff", None),
    ("GET", "/diff.csv", None),
    ("GET", "/diff/agendas.pdf", None),
    ("POST", "/solve", {"mode": "repair", "cutoff": "2027-03-10T10:00"}),
)


def test_every_new_route_needs_the_events_own_token(client: TestClient) -> None:
    a_id, a_headers = _new_event(client)
    _, b_headers = upload(client, **FILES)
    for method, path, body in NEW_ROUTES:
        url = f"/api/events/{a_id}{path}"
        kwargs: dict[str, Any] = {"json": body} if body is not None else {}
        missing = client.request(method, url, **kwargs)
        assert missing.status_code == 401, (method, path, missing.text)
        wrong = client.request(method, url, headers={"Authorization": "Bearer nope"}, **kwargs)
        assert wrong.status_code == 401, (method, path)
        other = client.request(method, url, headers=b_headers, **kwargs)
        assert other.status_code == 404 and other.json() == {"detail": "Event not found"}, (method, path)
    assert client.get(f"/api/events/{a_id}/schedules", headers=a_headers).json()[0]["version"] == 1
    assert client.get(f"/api/events/{a_id}", headers=a_headers).json()["revision"] == 1  # nothing changed


def test_late_arrival_moves_only_their_meetings(client: TestClient) -> None:
    event_id, headers = _new_event(client)
    v1 = _places(_schedule(client, event_id, headers))
    mine = {pair for pair in v1 if "q4" in pair}
    r = client.patch(f"/api/events/{event_id}/participants/q4", json={"available": "10:20-12:00"}, headers=headers)
    assert r.status_code == 200 and r.json()["participant"]["available"] == "10:20-12:00"
    solve(client, event_id, headers, time_limit=2)
    v2 = _schedule(client, event_id, headers)
    after = _places(v2)
    assert mine <= set(after)  # still meeting everyone, later
    assert all(m["start"] >= "10:20" for m in v2["meetings"] if "q4" in (m["participant_a"], m["participant_b"]))
    partners = {p for pair in mine for p in pair}
    assert all(after[pair] == place for pair, place in v1.items() if not set(pair) & partners)
    diff = client.get(f"/api/events/{event_id}/diff", headers=headers).json()
    early = {pair for pair in mine if v1[pair][1] <= 4}  # slots 1-4 start before 10:20
    assert {(m["a"], m["b"]) for m in diff["meetings"] if m["change"] == "moved"} >= early
    assert "q4" in diff["people_affected"] or not early


def test_csv_edits_keep_the_organisers_own_file() -> None:
    from scheduler.io.loading import PARTICIPANT_COLUMNS, load_event_bytes
    from scheduler.io.table_edit import EditableTable

    data = (
        "\ufeffParticipant ID;Full Name;Availability;Notes\r\n"
        'p1;Søren Dybdahl;;vip\r\n\r\np2;"Jānis; Bērziņš";09:00-10:00;\r\n'
    ).encode()
    table = EditableTable.parse(data, PARTICIPANT_COLUMNS)
    [p2] = table.find(id="p2")
    table.set(p2, "available", "")
    table.set(p2, "status", "absent")
    table.append({"id": "p3", "name": "Zoë", "available": "11:00-12:00"})
    out = table.to_bytes()
    assert out.decode().splitlines() == [
        "Participant ID;Full Name;Availability;Notes;status",
        "p1;Søren Dybdahl;;vip",
        "",
        'p2;"Jānis; Bērziņš";;;absent',
        "p3;Zoë;11:00-12:00;;",
    ]
    event = load_event_bytes(TOML, out, b"requester,target\np1,p3\n").event
    assert event.participants["p2"].status == "absent" and event.participants["p2"].name == "Jānis; Bērziņš"
    assert event.participants["p1"].extra == {"Notes": "vip"} and len(event.participants["p3"].available) == 3


def test_a_cancel_that_breaks_a_hole_cap_is_refused_and_stores_nothing(client: TestClient) -> None:
    """Hand edits pass the checker's gate too: with max_holes = 0, cancelling the middle one of
    ann's three meetings would leave her a hole, so it is refused and the wish stays requested."""
    from factories import DaySpec, EventSpec, person, wish
    from factories import event_files as factory_files

    people = [
        person("ann"),
        person("ben", available="09:00-09:20"),
        person("cat", available="09:20-09:40"),
        person("dan", available="09:40-10:00"),
    ]
    spec = EventSpec(days=(DaySpec(end="10:00"),), max_holes=0)
    toml, participants, wishes = factory_files(people, [wish("ann", x, 1) for x in ("ben", "cat", "dan")], spec)
    event_id, headers = upload(client, event=toml, participants=participants, wishes=wishes)
    solve(client, event_id, headers, time_limit=2)
    before = _schedule(client, event_id, headers)
    assert {(m["slot"], m["participant_b"]) for m in before["meetings"]} == {(1, "ben"), (2, "cat"), (3, "dan")}
    r = client.post(f"/api/events/{event_id}/meetings/cancel", json={"a": "ann", "b": "cat"}, headers=headers)
    assert r.status_code == 422, r.text
    body = r.json()
    assert "nothing was changed" in body["detail"] and "re-solve" in body["detail"]
    assert {v["rule"] for v in body["violations"]} == {7}
    assert _schedule(client, event_id, headers)["version"] == before["version"]
    listed = client.get(f"/api/events/{event_id}/wishes", headers=headers).json()["data"]
    assert all(w["status"] != "declined" for w in listed)


@pytest.mark.parametrize("cutoff", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
def test_a_cutoff_at_the_ends_of_the_calendar_is_a_422_in_words(client: TestClient, cutoff: str) -> None:
    event_id, headers = _new_event(client)
    solve(client, event_id, headers)
    r = client.post(f"/api/events/{event_id}/solve", json={"time_limit": 1, "cutoff": cutoff}, headers=headers)
    assert r.status_code == 422 and "is not a time of this event" in r.json()["detail"]
