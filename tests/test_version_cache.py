"""Stored schedule versions are immutable, so the API parses each one once per process: repeated
agenda, calendar and diff requests parse nothing again; a change of the event's files, a reused
version number or a deleted event never serve a stale parse; the cache stays bounded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

import api.service as service
from api.storage import ScheduleRow
from scheduler.io.loading import load_event_bytes
from tests.api_helpers import API_DATA, client_for, solve, upload


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The versions parsed from their stored text, as the requests go."""
    seen: list[int] = []
    original = service.read_schedule_csv

    def counting(data: bytes, event: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(len(data))
        return original(data, event, *args, **kwargs)

    monkeypatch.setattr(service, "read_schedule_csv", counting)
    return seen


@pytest.fixture(scope="module")
def event(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The API test event with two versions: a solve, then a cancelled meeting."""
    with client_for(tmp_path_factory.mktemp("versions") / "matchday.db") as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        first = client.get(f"/api/events/{event_id}/schedule", headers=headers).json()["meetings"][0]
        pair = {"a": first["participant_a"], "b": first["participant_b"]}
        r = client.post(f"/api/events/{event_id}/meetings/cancel", json=pair, headers=headers)
        assert r.status_code == 200, r.text
        people = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
        yield {"client": client, "id": event_id, "headers": headers, "person": people[0], "pair": pair}


def _read_everything(event: dict[str, Any]) -> None:
    client: TestClient = event["client"]
    base, headers, person = f"/api/events/{event['id']}", event["headers"], event["person"]
    for url in (
        f"{base}/agendas.pdf",
        f"{base}/participants/{person['id']}/agenda.pdf",
        f"{base}/diff",
        f"{base}/diff.csv",
        f"{base}/stats?version=1",
        f"{base}/participants",
    ):
        assert client.get(url, headers=headers).status_code == 200, url
    for url in (person["agenda_url"], person["agenda_ics_url"]):
        assert client.get(url).status_code == 200, url


def test_each_version_is_parsed_once(event: dict[str, Any], parses: list[int]) -> None:
    _read_everything(event)
    assert len(parses) <= 2  # at most the two versions, however many requests read them
    before = len(parses)
    for _ in range(3):
        _read_everything(event)
    assert len(parses) == before  # nothing parsed again


def test_a_changed_event_reparses(event: dict[str, Any], parses: list[int]) -> None:
    """A new participants.csv makes a new Event: versions are parsed again against it, never
    served as they were parsed against the old one."""
    client: TestClient = event["client"]
    base, headers = f"/api/events/{event['id']}", event["headers"]
    _read_everything(event)
    parsed = len(parses)
    r = client.patch(f"{base}/participants/{event['person']['id']}", json={"country": "Åland"}, headers=headers)
    assert r.status_code == 200, r.text
    ics = client.get(event["person"]["agenda_ics_url"])  # reads every version
    assert ics.status_code == 200
    assert len(parses) == parsed + 2  # each of the two versions once more, against the new Event
    _read_everything(event)
    assert len(parses) == parsed + 2


def test_a_deleted_event_leaves_nothing_cached(tmp_path_factory: pytest.TempPathFactory) -> None:
    with client_for(tmp_path_factory.mktemp("deleted") / "matchday.db") as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        assert client.get(f"/api/events/{event_id}/agendas.pdf", headers=headers).status_code == 200
        assert any(key[0] == event_id for key in service._VERSIONS)
        assert client.delete(f"/api/events/{event_id}", headers=headers).status_code == 204
        assert not any(key[0] == event_id for key in service._VERSIONS)


def test_the_cache_is_bounded_and_checks_the_stored_text(parses: list[int]) -> None:
    files = [(API_DATA / name).read_bytes() for name in ("event.toml", "participants.csv", "wishes.csv")]
    event = load_event_bytes(*files).event
    header = "day,slot,table,participant_a,participant_b\n"
    one = header + f"{event.days[0].date},1,1,p1,p2\n"
    for version in range(1, service._VERSIONS_SIZE + 20):
        service.parse_schedule(event, ScheduleRow(event_id="bounded", version=version, csv=one))
    assert len(service._VERSIONS) <= service._VERSIONS_SIZE
    parsed = len(parses)
    last = service._VERSIONS_SIZE + 19
    assert len(service.parse_schedule(event, ScheduleRow(event_id="bounded", version=last, csv=one))) == 1
    assert len(parses) == parsed  # a hit
    # the same number with other text (a version rolled back and stored again): parsed afresh
    two = one + f"{event.days[0].date},2,1,p1,p3\n"
    assert len(service.parse_schedule(event, ScheduleRow(event_id="bounded", version=last, csv=two))) == 2
    assert len(parses) == parsed + 1
    service.forget("bounded")


def test_version_cache_serves_the_same_parsed_objects_only() -> None:
    from api.version_cache import VersionCache
    from scheduler.domain import Schedule
    from scheduler.io.loading import load_event_bytes
    from tests.api_helpers import API_DATA

    files = [(API_DATA / name).read_bytes() for name in ("event.toml", "participants.csv", "wishes.csv")]
    event, again = load_event_bytes(*files).event, load_event_bytes(*files).event
    schedule = Schedule.of([])
    cache: VersionCache[int] = VersionCache(size=2)
    made: list[int] = []

    def make(n: int) -> int:
        made.append(n)
        return n

    assert cache.get("e", 1, event, schedule, lambda: make(1)) == 1
    assert cache.get("e", 1, event, schedule, lambda: make(99)) == 1  # a hit
    assert cache.get("e", 1, again, schedule, lambda: make(2)) == 2  # an equal but newly parsed event: a miss
    cache.get("e", 2, event, schedule, lambda: make(3))
    cache.get("e", 3, event, schedule, lambda: make(4))  # evicts version 1, the least recently used
    assert cache.get("e", 1, again, schedule, lambda: make(5)) == 5
    assert made == [1, 2, 3, 4, 5]
