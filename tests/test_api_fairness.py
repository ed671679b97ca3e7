"""The API's statistics carry the distribution of meetings and points and who is below
[fairness] min_meetings, as the library computes them."""

from __future__ import annotations

from pathlib import Path

from api_helpers import client_for, solve, upload
from factories import DaySpec, EventSpec, event_files, person, wish

from scheduler.io.loading import load_event_bytes
from scheduler.io.schedule_files import read_schedule_csv
from scheduler.report import distribution


def test_stats_show_the_distribution_and_who_is_below_the_minimum(tmp_path: Path) -> None:
    people = [person("x"), person("z"), person("a", available="09:00-09:20"), person("b", available="09:20-09:40")]
    wishes = [wish("x", "a", 1), wish("a", "x", 1), wish("x", "b", 1), wish("b", "x", 1), wish("z", "x", 3)]
    toml, people_csv, wishes_csv = event_files(people, wishes, EventSpec(days=(DaySpec(end="09:40"),)))
    toml += b"\n[fairness]\nmin_meetings = 2\n"
    event = load_event_bytes(toml, people_csv, wishes_csv).event
    with client_for(tmp_path / "api.db") as client:
        event_id, headers = upload(client, event=toml, participants=people_csv, wishes=wishes_csv)
        solve(client, event_id, headers)
        stats = client.get(f"/api/events/{event_id}/stats", headers=headers).json()
        csv = client.get(f"/api/events/{event_id}/schedule.csv", headers=headers).content
    schedule, _ = read_schedule_csv(csv, event)
    assert stats["distribution"] == distribution(event, schedule).as_dict()
    assert stats["distribution"]["people"] == 4 and stats["distribution"]["max_meetings"] == 2
    assert stats["min_meetings"] == 2
    short = {s["person"]["id"]: s for s in stats["below_minimum"]}
    # z, a and b have one wished partner each; x meets a and b
    assert set(short) == {"z", "a", "b"}
    assert short["z"] == {
        "person": {"id": "z", "name": "Z"},
        "meetings": 0,
        "reason": "few_partners",
        "detail": "only 1 wished partner they can meet (common time, both present)",
    }
