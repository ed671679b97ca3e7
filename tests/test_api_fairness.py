"""The API's statistics and the organiser's statistics page carry the distribution of meetings and
points and who is below [fairness] min_meetings, as the library computes them."""

from __future__ import annotations

import html
from pathlib import Path

from api_helpers import client_for, solve, upload
from factories import DaySpec, EventSpec, event_files, person, wish
from web_helpers import HTML, signed_in_event

from scheduler.io.loading import load_event_bytes
from scheduler.io.schedule_files import read_schedule_csv
from scheduler.report import distribution


def _files() -> tuple[bytes, bytes, bytes]:
    """x can meet a or z in the first slot, b or z in the second; z wishes x only."""
    people = [person("x"), person("z"), person("a", available="09:00-09:20"), person("b", available="09:20-09:40")]
    wishes = [wish("x", "a", 1), wish("a", "x", 1), wish("x", "b", 1), wish("b", "x", 1), wish("z", "x", 3)]
    toml, people_csv, wishes_csv = event_files(people, wishes, EventSpec(days=(DaySpec(end="09:40"),)))
    return toml + b"\n[fairness]\nmin_meetings = 2\n", people_csv, wishes_csv


def test_stats_show_the_distribution_and_who_is_below_the_minimum(tmp_path: Path) -> None:
    toml, people_csv, wishes_csv = _files()
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


def test_the_statistics_page_has_a_fairness_section(tmp_path: Path) -> None:
    folder = tmp_path / "event"
    folder.mkdir()
    for name, data in zip(("event.toml", "participants.csv", "wishes.csv"), _files(), strict=True):
        (folder / name).write_bytes(data)
    with client_for(tmp_path / "web.db") as client:
        event_id, headers = signed_in_event(client, folder)
        solve(client, event_id, headers, publish=False)
        text = html.unescape(client.get(f"/events/{event_id}/stats", headers=HTML).text)
        stats = client.get(f"/api/events/{event_id}/stats", headers=headers).json()
    section = text[text.index('<h2 id="fairness-title">Fairness</h2>') :]
    section = section[: section.index("</section>")]
    d = stats["distribution"]
    assert f"<dt>Fewest meetings</dt><dd>{d['min_meetings']}</dd>" in section
    assert f"<dt>Most meetings</dt><dd>{d['max_meetings']}</dd>" in section
    assert f"<dt>Gini of points</dt><dd>{d['gini_points']:.2f}" in section
    assert "3 people who could meet someone got fewer than the minimum of 2 meetings" in section
    assert f'<a href="/events/{event_id}/people/z">Z</a>' in section
    assert "only 1 wished partner they can meet (common time, both present)" in section
