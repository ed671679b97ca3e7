"""The B2B benchmark's bookkeeping: published optima (numbers and "unsat"), fixed meetings as
locked rows, the timeline that gives time-to-find and time-to-prove, and two real instances
solved and proven (skipped when the benchmark data is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import b2b
from benchmarks.dzn import DznError, dzn_to_event, fixed_rows, load_dzn
from scheduler.results import Progress
from tests.test_dzn import B2B, TINY

CSV = """instance,opt_breaks_d2,maxsat_fixed20_opt,maxsat_fixed40_opt
one,3,7,unsat
two,0,unsat?,12
"""

# four businesses, one table, two meetings fixed in slot 1: more than the tables hold
CROWDED = """\
nBusiness = 4; nMeetings = 2; nTables = 1; nTotalSlots = 2; nMorningSlots = 2;
requested = [|1, 2, 3|3, 4, 3|];
meetingsxBusiness = [{1,2}, {1,2}, {1,3}, {1,3}];
nMeetingsBusiness = [1,1,1,1];
forbidden = [{0}, {0}, {0}, {0}];
fixed = [1,1];
"""


def test_published_results(tmp_path: Path) -> None:
    (tmp_path / "published_results.csv").write_text(CSV, encoding="utf-8")
    got = b2b.published_results(tmp_path)
    assert got[("one", "original")] == b2b.Published(3)
    assert got[("one", "fixed040-Forb")] == b2b.Published(None, infeasible=True)
    assert got[("two", "fixed020-Forb")] == b2b.Published(None, infeasible=True, uncertain=True)
    assert str(got[("two", "fixed020-Forb")]) == "unsat?" and str(got[("two", "fixed040-Forb")]) == "12"
    assert b2b.published_optima(tmp_path) == {"one": 3, "two": 0}


def test_fixed_meetings_become_locked_rows(tmp_path: Path) -> None:
    path = tmp_path / "tiny.fixed020-Forb.dzn"
    path.write_text(TINY, encoding="utf-8")
    inst = load_dzn(path)
    rows = fixed_rows(inst, dzn_to_event(inst))
    assert [(m.slot, m.table, m.a, m.b, m.locked) for m in rows.meetings] == [(3, "1", "b02", "b03", True)]
    crowded = tmp_path / "crowded.fixed020-Forb.dzn"
    crowded.write_text(CROWDED, encoding="utf-8")
    inst = load_dzn(crowded)
    with pytest.raises(DznError, match="more fixed meetings in slot 1"):
        fixed_rows(inst, dzn_to_event(inst))


def test_timeline() -> None:
    t = b2b._Timeline()
    t.pairs = 10
    for p in [
        Progress("search", 0.5, holes=4, meetings=9),  # incomplete: not a schedule of this mode
        Progress("search", 1.0, holes=6, meetings=10),
        Progress("bound", 1.5, holes=2),
        Progress("polish", 2.0, holes=3, meetings=10),  # the polish's result is offered as "search"
        Progress("search", 2.5, holes=3, meetings=10),
        Progress("bound", 4.0, holes=3),
    ]:
        t(p)
    assert t.first_found(6) == 1.0 and t.first_found(3) == 2.5 and t.first_found(2) is None
    assert t.proven(3) == 4.0 and t.proven(4) is None and t.lower_bound() == 3


def test_tiny_fixed_variant_is_solved_with_its_row_in_place(tmp_path: Path) -> None:
    folder = tmp_path / "b2b"
    (folder / "instances").mkdir(parents=True)
    (folder / "instances" / "tiny.fixed020-Forb.dzn").write_text(TINY, encoding="utf-8")
    (folder / "published_results.csv").write_text(
        "instance,opt_breaks_d2,maxsat_fixed20_opt,maxsat_fixed40_opt\ntiny,0,1,0\n", encoding="utf-8"
    )
    [r] = b2b.run_all(5.0, folder=folder, variants=("fixed020-Forb",))
    assert r.name == "tiny.fixed020-Forb" and r.fixed == 1
    # b02 meets b01 in the morning and b03 at the fixed afternoon slot; b03 cannot take slot 2:
    # one hole is the least (worked out by hand), and it must be proven
    assert r.failure is None and r.valid and r.placed_in_full and r.holes == 1
    assert r.lower_bound == 1 and r.optimal and r.seconds_to_prove is not None and r.within_limit


def test_tables_separate_the_duplicated_pairs_and_judge_found_and_proven() -> None:
    def result(name: str, dup: bool, holes: int, opt: int, proven_at: float | None) -> b2b.B2BResult:
        return b2b.B2BResult(
            instance=name,
            participants=10,
            meetings=20,
            distinct_pairs=19 if dup else 20,
            published=b2b.Published(opt),
            time_limit=10,
            placed=19 if dup else 20,
            placed_in_full=True,
            holes=holes,
            max_holes=1,
            seconds=1.0,
            optimal=proven_at is not None,
            lower_bound=holes if proven_at is not None else 0,
            seconds_to_find=0.5,
            seconds_to_prove=proven_at,
            valid=True,
            duplicates=["meeting 20 repeats meeting 3: businesses 1 & 2"] if dup else [],
        )

    results = [
        result("a", False, 2, 2, 1.0),  # the optimum, proven in time
        result("b", True, 3, 6, 1.0),  # a duplicated pair: reported apart
        result("c", False, 1, 0, None),  # above the optimum
        result("d", False, 4, 4, None),  # the optimum, not proven
        result("e", False, 5, 5, 12.0),  # proven, too late
    ]
    table, dups = b2b.b2b_tables(results)
    assert table.columns == b2b.B2B_COLUMNS and table.column("instance") == ["a", "c", "d", "e"]
    assert table.column("at optimum, proven within limit") == [True, False, False, False]
    assert table.column("proven lower bound") == [2, 0, 0, 5]
    assert dups.column("instance") == ["b"] and dups.row("b")["distinct pairs"] == 19
    assert any("twice" in n for n in dups.notes)
    bars = {b.name: b for b in b2b.b2b_bars(results)}
    assert bars["every instance placed in full"].passed is True
    found = bars["published optimum found and proven within 10 s (comparable originals)"]
    assert found.measured == "1 of 4 (found: 3; holes 12 vs 11)" and found.passed is False


needs_data = pytest.mark.skipif(not B2B.is_dir(), reason=f"benchmark data not found at {B2B}")


@needs_data
def test_tic12_is_solved_and_its_fixed040_variant_proven_infeasible() -> None:
    """tic-12: the published optimum 0 within the limit; tic-12.fixed040-Forb: published "unsat",
    and matchday must say "no schedule" with a proof, not a time-out."""
    results = b2b.run_all(10.0, only=("tic-12",), variants=("original", "fixed040-Forb"))
    by = {r.variant: r for r in results}
    original, fixed = by["original"], by["fixed040-Forb"]
    assert original.holes == 0 and original.valid and original.at_published
    assert fixed.published.infeasible and fixed.infeasible and fixed.holes is None
    assert fixed.failure is not None and fixed.failure.startswith("no schedule (proven)")
    tables = b2b.b2b_tables(results)
    assert [t.title.split(" (")[0] for t in tables] == ["B2B benchmark", "B2B fixed variants"]
    assert tables[1].rows[0]["holes found"] == "no schedule"
