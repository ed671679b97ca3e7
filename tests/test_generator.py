"""The benchmark generator (benchmarks/generator.py) and the sample events built with it.

Benchmarks are only worth their numbers if the generated events are valid input, have the shape
of real B2B days and come out identical for a seed; the sample events in sample_events/ must load
and stay exactly what the README's commands produce.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.generator import (
    SAMPLE_SPECS,
    TRADE_EXCHANGE,
    GeneratorSpec,
    build_event,
    generate_event,
    trade_exchange_spec,
)
from scheduler.domain import Event, Participant
from scheduler.io.loading import LoadedEvent, load_event_dir

REPO_ROOT = Path(__file__).resolve().parents[1]
FILES = ("event.toml", "participants.csv", "wishes.csv")


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> LoadedEvent:
    """A buyer-seller-day-sized event with every default trait switched on."""
    folder = generate_event(tmp_path_factory.mktemp("medium"), participants=300, wishes=3500, seed=7)
    return load_event_dir(folder)


def _share(event: Event, predicate: Callable[[Participant], bool]) -> float:
    people = list(event.participants.values())
    return sum(predicate(p) for p in people) / len(people)


def test_generated_event_loads_with_17_slots_and_the_wish_count(medium: LoadedEvent) -> None:
    event = medium.event
    assert len(event.slots) == 17
    assert [f"{event.slots[i].start:%H:%M}" for i in event.days[0].slots][8:10] == ["11:40", "13:00"]
    assert len(event.participants) == 300
    assert abs(len(event.wishes) - 3500) <= 0.02 * 3500
    assert event.tables == 75
    assert not [w for w in medium.warnings if w.code == "duplicate_wish"]


def test_generated_event_has_the_shape_of_a_real_one(medium: LoadedEvent) -> None:
    event = medium.event
    people = event.participants
    wishes = event.wishes
    assert all(people[w.requester].organisation != people[w.target].organisation for w in wishes)
    orgs = collections.Counter(p.organisation for p in people.values())
    assert {2, 3} <= set(orgs.values()) and max(orgs.values()) <= 3
    outgoing = collections.Counter(w.requester for w in wishes)
    incoming = collections.Counter(w.target for w in wishes)
    assert max(outgoing.values()) <= 25
    mean = len(wishes) / len(people)
    assert sum(n >= 3 * mean for n in incoming.values()) >= 3  # a few stars wanted by dozens
    keys = {(w.requester, w.target) for w in wishes}
    assert 0.28 <= sum((w.target, w.requester) in keys for w in wishes) / len(wishes) <= 0.39
    priorities = collections.Counter(w.priority for w in wishes)
    for priority, share in ((1, 0.25), (2, 0.55), (3, 0.20)):
        assert abs(priorities[priority] / len(wishes) - share) < 0.04
    assert 0.02 <= sum(w.window is not None for w in wishes) / len(wishes) <= 0.04
    assert 0.25 <= _share(event, lambda p: len(p.available) < len(event.slots)) <= 0.35
    assert 0.15 <= _share(event, lambda p: p.max_meetings is not None) <= 0.25
    assert 0.07 <= _share(event, lambda p: p.table is not None) <= 0.13
    booths = [p.table for p in people.values() if p.table]
    assert all(t.startswith("Booth ") and t not in event.table_labels for t in booths)
    assert len(set(booths)) == len(booths)
    assert {p.role for p in people.values()} >= {"buyer", "seller", "investor"}
    assert any(not p.name.isascii() for p in people.values())
    assert all(p.email.isascii() for p in people.values())


@pytest.mark.parametrize(("days", "slots_per_day"), [(2, 17), (3, 17), (1, 8), (1, 12), (1, 20)])
def test_days_and_slots_per_day_are_honoured(tmp_path: Path, days: int, slots_per_day: int) -> None:
    folder = generate_event(tmp_path, participants=120, wishes=900, seed=3, days=days, slots_per_day=slots_per_day)
    event = load_event_dir(folder).event
    assert [len(d.slots) for d in event.days] == [slots_per_day] * days
    assert abs(len(event.wishes) - 900) <= 18


def test_multi_day_events_have_one_day_attendees(tmp_path: Path) -> None:
    event = load_event_dir(generate_event(tmp_path, participants=200, wishes=2000, seed=5, days=2)).event
    first, second = (frozenset(d.slots) for d in event.days)
    one_day = [p for p in event.participants.values() if p.available in (first, second)]
    assert 0.08 <= len(one_day) / len(event.participants) <= 0.25
    assert "2027-03-11 09:00-15:40" in (tmp_path / "participants.csv").read_text(encoding="utf-8")


def test_objective_and_name_reach_event_toml(tmp_path: Path) -> None:
    folder = generate_event(tmp_path, participants=30, wishes=60, seed=1, objective="all", name="Øresund Test Day")
    event = load_event_dir(folder).event
    assert (event.objective, event.name) == ("all", "Øresund Test Day")


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    a = generate_event(tmp_path / "a", participants=150, wishes=1500, seed=11)
    b = generate_event(tmp_path / "b", participants=150, wishes=1500, seed=11)
    c = generate_event(tmp_path / "c", participants=150, wishes=1500, seed=12)
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert (a / "wishes.csv").read_bytes() != (c / "wishes.csv").read_bytes()


def test_cli_in_another_process_writes_the_same_files(tmp_path: Path) -> None:
    """Also guards against hash randomisation leaking into the output."""
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.generator",
            str(tmp_path),
            "--participants",
            "80",
            "--wishes",
            "600",
            "--seed",
            "4",
            "--days",
            "2",
        ],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    expected = build_event(GeneratorSpec(participants=80, wishes=600, seed=4, days=2))
    assert (tmp_path / "event.toml").read_bytes() == expected.event_toml
    assert (tmp_path / "participants.csv").read_bytes() == expected.participants_csv
    assert (tmp_path / "wishes.csv").read_bytes() == expected.wishes_csv


def test_impossible_wish_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="max_outgoing"):
        build_event(GeneratorSpec(participants=10, wishes=1000, seed=1))
    with pytest.raises(ValueError, match="mutual_share"):
        GeneratorSpec(participants=10, wishes=10, seed=1, mutual_share=1.5)


@pytest.mark.parametrize("name", sorted(SAMPLE_SPECS))
def test_sample_event_loads_and_is_what_its_spec_generates(sample_events: Path, name: str) -> None:
    folder = sample_events / name
    loaded = load_event_dir(folder)
    assert loaded.event.participants and loaded.event.wishes
    generated = build_event(SAMPLE_SPECS[name])
    assert (folder / "event.toml").read_bytes() == generated.event_toml
    assert (folder / "participants.csv").read_bytes() == generated.participants_csv
    assert (folder / "wishes.csv").read_bytes() == generated.wishes_csv


def test_sample_events_have_their_promised_traits(sample_events: Path) -> None:
    cluster = load_event_dir(sample_events / "cluster-day").event
    trade = load_event_dir(sample_events / "buyer-seller-day").event
    open_days = load_event_dir(sample_events / "open-networking").event
    names = {p.name for e in (cluster, trade, open_days) for p in e.participants.values()}
    assert {"Søren Dybdahl", "Jānis Bērziņš"} <= names
    assert (len(cluster.participants), len(cluster.days)) == (40, 1)
    assert sum(p.table is not None for p in cluster.participants.values()) <= 4
    assert len(trade.participants) == 300
    assert {p.role for p in trade.participants.values()} >= {"buyer", "seller"}
    assert 1 <= sum(p.status == "cancelled" for p in trade.participants.values()) <= 2
    assert len(open_days.days) == 2 and all(d.breaks for d in open_days.days)
    assert open_days.days[0].start != open_days.days[1].start
    day_slots = [frozenset(d.slots) for d in open_days.days]
    assert any(p.available in day_slots for p in open_days.participants.values())
    assert {e.timezone for e in (cluster, trade, open_days)} <= {"Europe/Riga", "Europe/Copenhagen", "Europe/Tallinn"}


def test_trade_exchange_shape_is_pinned_and_has_its_traits(tmp_path: Path) -> None:
    """Issue 13's trade exchange: 2,300 people, ~26 % buyers, every seller at a booth of their own,
    3 days x 28 slots of 15 minutes, ~35 wishes a head with a heavy tail; the command line's
    --shape writes, in another process, exactly what the spec builds."""
    env = {**os.environ, "PYTHONHASHSEED": "777"}
    subprocess.run(
        [sys.executable, "-m", "benchmarks.generator", str(tmp_path), "--shape", TRADE_EXCHANGE],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    expected = build_event(trade_exchange_spec())
    assert (tmp_path / "event.toml").read_bytes() == expected.event_toml
    assert (tmp_path / "participants.csv").read_bytes() == expected.participants_csv
    assert (tmp_path / "wishes.csv").read_bytes() == expected.wishes_csv

    event = load_event_dir(tmp_path).event
    people = list(event.participants.values())
    assert len(people) == 2300
    assert 0.24 <= _share(event, lambda p: p.role == "buyer") <= 0.28
    sellers = [p for p in people if p.role == "seller"]
    assert all(p.table for p in sellers)
    assert len({p.table for p in sellers}) == len(sellers)  # their own booth each
    assert not any(p.table for p in people if p.role == "buyer")
    assert len(event.days) == 3
    assert all(len(day.slots) == 28 for day in event.days)
    assert {(s.end.hour * 60 + s.end.minute) - (s.start.hour * 60 + s.start.minute) for s in event.slots} == {15}
    assert len(event.wishes) == 80_500  # 35 a head
    incoming = collections.Counter(w.target for w in event.wishes)
    assert max(incoming.values()) > 10 * len(event.wishes) / len(people)  # a few are asked for by hundreds
