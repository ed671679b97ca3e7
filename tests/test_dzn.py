"""The .dzn importer: the parser on a hand-written file, and the 20 published originals against
the statistics of JAIR Table 1 (published_results.csv). The benchmark data is read in place and
the tests skip when it is absent."""

from __future__ import annotations

import csv
from itertools import pairwise
from pathlib import Path

import pytest

from benchmarks.dzn import DuplicatePair, DznError, dzn_to_event, load_dzn, parse_dzn
from scheduler.domain import Meeting

B2B = Path(__file__).resolve().parents[1].parent / "shared" / "external" / "b2b-udg"

TINY = """\
% three businesses, 3 morning + 2 afternoon slots
nBusiness = 3;  nMeetings = 3;
nTables = 2;
nTotalSlots = 5;
nMorningSlots = 3;   % slots 1..3
requested = [|1, 2,1,
|2, 3,2,
|3, 1,3,
|];
meetingsxBusiness = [{1,2,4}, {1,2,3}, {1,3,4}];
nMeetingsBusiness = [2,2,2];
forbidden = [{0}, {0,5}, {2}];
fixed = [0,4,0];
precedences = [{}, {}, {1}];
"""


@pytest.fixture(scope="module")
def published() -> dict[str, dict[str, str]]:
    if not B2B.is_dir():
        pytest.skip(f"benchmark data not found at {B2B}")
    with open(B2B / "published_results.csv", newline="", encoding="utf-8") as f:
        return {row["instance"]: row for row in csv.DictReader(f)}


def originals() -> list[Path]:
    return sorted((B2B / "instances").glob("*.original.dzn")) if B2B.is_dir() else []


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.original.dzn"
    path.write_text(TINY, encoding="utf-8")
    return path


def test_parser_subset() -> None:
    raw = parse_dzn("a = 3; % note\nb = [| 1, 2, | 3, 4 |];\nc = [{}, {0, 2..4}];\nd = [-1, 2];")
    assert raw == {"a": 3, "b": [[1, 2], [3, 4]], "c": [frozenset(), frozenset({0, 2, 3, 4})], "d": [-1, 2]}
    for bad in ("a = ;", "a = [1, 2;", "a = x;", "= 3;", "a = [| 1, x |];"):
        with pytest.raises(DznError):
            parse_dzn(bad)


def test_tiny_instance_and_event(tiny: Path) -> None:
    inst = load_dzn(tiny)
    assert inst.name == "tiny.original"
    assert inst.requested == ((1, 2, 1), (2, 3, 2), (3, 1, 3))
    assert inst.forbidden_cells == 2 and inst.forbidden_slots(3) == {2}
    assert inst.fixed == (0, 4, 0) and inst.precedences == (frozenset(), frozenset(), frozenset({1}))
    assert inst.duplicate_pairs == ()

    event = dzn_to_event(inst, name="Tiny")
    assert event.name == "Tiny" and event.objective == "all"
    assert (event.max_holes, event.max_hole_spread, event.slot_minutes) == (2, 2, 20)
    assert event.table_labels == ("1", "2")
    assert len(event.days) == 1 and len(event.slots) == 5  # the lunch break adds no slot
    assert [s.start.strftime("%H:%M") for s in event.slots] == ["09:00", "09:20", "09:40", "11:00", "11:20"]
    assert list(event.participants) == ["b01", "b02", "b03"]
    p = event.participants
    assert p["b01"].name == "Business 1" and p["b01"].organisation == ""
    assert p["b02"].available == {0, 1, 2, 3} and p["b03"].available == {0, 2, 3, 4}
    assert [(w.requester, w.target, w.priority) for w in event.wishes] == [
        ("b01", "b02", 2),
        ("b02", "b03", 2),
        ("b03", "b01", 2),
    ]
    assert [w.window for w in event.wishes] == [frozenset({0, 1, 2}), frozenset({3, 4}), None]


def _jair_breaks(slot_numbers: list[int]) -> int:
    """Definition 2.3 of JAIR: a break wherever time(m_i) + 1 != time(m_i+1), slots 1..T."""
    s = sorted(slot_numbers)
    return sum(1 for x, y in pairwise(s) if x + 1 != y)


@pytest.mark.parametrize("slots", [[3, 4], [2, 5], [1, 3, 5], [1, 2, 3], [4, 5], [1, 5]])
def test_holes_match_the_published_definition_across_lunch(tiny: Path, slots: list[int]) -> None:
    """One day with a lunch break counts holes exactly as the papers count breaks."""
    from scheduler.check.checker import holes

    event = dzn_to_event(load_dzn(tiny))
    meetings = [Meeting(slot=t - 1, table="1", a="b01", b=f"b0{2 + k % 2}") for k, t in enumerate(slots)]
    assert holes(event, meetings).get("b01", 0) == _jair_breaks(slots)


def test_inconsistent_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bad.dzn"
    path.write_text(TINY.replace("{1,2,4}, {1,2,3}", "{1,2}, {1,2,3}"), encoding="utf-8")
    with pytest.raises(DznError, match="business 1"):
        load_dzn(path)


@pytest.mark.parametrize("path", originals(), ids=lambda p: p.name.split(".")[0])
def test_original_matches_published_statistics(path: Path, published: dict[str, dict[str, str]]) -> None:
    row = published[path.name.split(".")[0]]
    inst = load_dzn(path)
    assert inst.n_business == int(row["participants"])
    assert inst.n_meetings == int(row["meetings"])
    assert inst.n_total_slots == int(row["slots"])
    assert inst.n_tables == int(row["locations"])
    assert inst.n_morning_slots == int(row["am_slots"])
    assert inst.forbidden_cells == int(row["forbidden_cells"])
    assert inst.fixed == (0,) * inst.n_meetings and all(not p for p in inst.precedences)

    event = dzn_to_event(inst)
    assert len(event.participants) == inst.n_business
    assert len(event.wishes) == inst.n_meetings - len(inst.duplicate_pairs)
    assert len(event.slots) == inst.n_total_slots and len(event.days) == 1
    assert event.tables == inst.n_tables
    unavailable = sum(len(event.slots) - len(p.available) for p in event.participants.values())
    assert unavailable == inst.forbidden_cells
    am = frozenset(range(inst.n_morning_slots))
    repeats = {d.meeting for d in inst.duplicate_pairs}
    kept = [r for m, r in enumerate(inst.requested, start=1) if m not in repeats]
    for wish, (p1, p2, s) in zip(event.wishes, kept, strict=True):
        assert (wish.requester, wish.target) == (f"b{p1:02d}", f"b{p2:02d}")
        assert wish.window == {1: am, 2: frozenset(range(len(event.slots))) - am, 3: None}[s]


def test_duplicate_pairs(published: dict[str, dict[str, str]]) -> None:
    found = {p.name.split(".")[0]: load_dzn(p).duplicate_pairs for p in originals()}
    assert {k for k, v in found.items() if v} == {"forum-13crafb", "ticf-13crafb"}
    for name in ("forum-13crafb", "ticf-13crafb"):
        inst = load_dzn(B2B / "instances" / f"{name}.original.dzn")
        assert inst.duplicate_pairs == (DuplicatePair(meeting=112, first=55, pair=(53, 30)),)
        assert inst.requested[54][:2] == (30, 53)
        event = dzn_to_event(inst)
        pairs = [frozenset((w.requester, w.target)) for w in event.wishes]
        assert len(pairs) == len(set(pairs)) == 194
        assert pairs.count(frozenset(("b30", "b53"))) == 1


def test_all_variants_parse(published: dict[str, dict[str, str]]) -> None:
    """All 140 files load and pass the checks; fixed/precedence variants carry their data, and
    every precedence links two meetings of one participant (so the ids are plain 1-based)."""
    files = sorted((B2B / "instances").glob("*.dzn"))
    assert len(files) == 140
    for path in files:
        inst = load_dzn(path)
        assert any(inst.fixed) == (".fixed0" in path.name), path.name
        assert any(inst.precedences) == (".prec" in path.name), path.name
        for m, before in enumerate(inst.precedences, start=1):
            for q in before:
                assert set(inst.requested[m - 1][:2]) & set(inst.requested[q - 1][:2]), path.name
