"""docs/formats.md stays complete and true as the code changes.

The names are read from the code that defines them (the loader's column specifications, the
event.toml keys, the schedule file's columns, the checker's rule codes, the diff and report
outputs), never copied here, so that a new column, alias, setting or rule code that the page
does not mention fails this test. The page's examples are loaded, checked and
re-written through the real code, so they cannot drift from what matchday accepts and writes.
"""

from __future__ import annotations

import ast
import inspect
import re
import typing
from collections.abc import Iterable
from pathlib import Path

import pytest

import scheduler.check.checker as checker_module
from scheduler.check.checker import check_schedule
from scheduler.cli import main, report_figures
from scheduler.diff import CSV_COLUMNS, ChangeKind, diff_as_dict, diff_schedules
from scheduler.domain import Event, Meeting, Schedule, Weights
from scheduler.io.columns import (
    PARTICIPANT_COLUMNS,
    PRIORITY_WORDS,
    SCHEDULE_COLUMNS,
    STATUS_ALIASES,
    STATUSES,
    WISH_COLUMNS,
    WISH_STATUSES,
)
from scheduler.io.event_file import DAY_KEYS, FAIRNESS_KEYS, HOST_KEYS, SETTING_KEYS, WEIGHT_KEYS
from scheduler.io.loading import load_event_bytes
from scheduler.io.schedule_files import (
    COLUMNS,
    EXTRA_COLUMNS,
    FALSE_WORDS,
    TRUE_WORDS,
    read_schedule_csv,
    write_schedule_csv,
)
from scheduler.pipelines.repair_plan import repair_report
from scheduler.problems import EventError
from scheduler.report import schedule_stats
from scheduler.results import SolveResult

ROOT = Path(__file__).resolve().parents[1]
DOC_PATH = ROOT / "docs" / "formats.md"
DOC = DOC_PATH.read_text(encoding="utf-8")
_HEADING = re.compile(r"^(#{1,6}) (.+)$")


def section(title: str) -> str:
    """The text under the one heading that starts with `title`, up to the next heading of the same
    or a higher level (so a `##` section includes its `###` subsections)."""
    lines = DOC.splitlines()
    starts = [
        (i, len(m.group(1)))
        for i, line in enumerate(lines)
        if (m := _HEADING.match(line)) and m.group(2).startswith(title) and not _in_code(lines, i)
    ]
    assert len(starts) == 1, f"docs/formats.md needs exactly one heading starting with {title!r}, found {len(starts)}"
    first, level = starts[0]
    end = next(
        (
            i
            for i in range(first + 1, len(lines))
            if (m := _HEADING.match(lines[i])) and len(m.group(1)) <= level and not _in_code(lines, i)
        ),
        len(lines),
    )
    return "\n".join(lines[first:end])


def _in_code(lines: list[str], index: int) -> bool:
    """Whether line `index` lies inside a fenced code block (a `# comment` there is no heading)."""
    return sum(1 for line in lines[:index] if line.lstrip().startswith("```")) % 2 == 1


def row_of(text: str, name: str) -> list[str]:
    """The cells of the table row whose first cell is `name` in backticks."""
    rows = [line for line in text.splitlines() if line.startswith(f"| `{name}` |")]
    assert len(rows) == 1, f"expected one table row for `{name}`, found {len(rows)}"
    return [cell.strip() for cell in rows[0].strip().strip("|").split("|")]


def missing(text: str, words: Iterable[str]) -> list[str]:
    return sorted(w for w in set(words) if f"`{w}`" not in text)


def code_block(text: str, language: str, occurrence: int = 0) -> str:
    """The `occurrence`-th fenced block of `language`, without the indentation of a list item."""
    blocks = re.findall(rf"^( *)```{language}\n(.*?)^ *```", text, flags=re.M | re.S)
    assert len(blocks) > occurrence, f"expected a ```{language} example"
    indent, body = blocks[occurrence]
    return "".join(line.removeprefix(indent) for line in str(body).splitlines(keepends=True))


# --- the input tables ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "columns"),
    [("participants.csv", PARTICIPANT_COLUMNS), ("wishes.csv", WISH_COLUMNS)],
    ids=["participants", "wishes"],
)
def test_every_column_is_documented_with_its_aliases_and_whether_it_is_required(
    title: str, columns: tuple[typing.Any, ...]
) -> None:
    text = section(title)
    for column in columns:
        name, aliases, required, *_ = row_of(text, column.name)
        assert missing(aliases, column.aliases) == [], f"{title}: aliases of `{column.name}` not on its row"
        assert ("required" in required) == column.required, f"{title}: is `{column.name}` required?"


def test_every_event_toml_key_is_documented() -> None:
    """Every key, as `key`, or as `[key]` / `[[key]]` for the tables that TOML writes that way."""
    text = section("event.toml")
    for key in SETTING_KEYS | DAY_KEYS | WEIGHT_KEYS | FAIRNESS_KEYS | HOST_KEYS:
        assert any(f"`{form}`" in text for form in (key, f"[{key}]", f"[[{key}]]")), f"`{key}` is not documented"


def _without(toml: str, key: str) -> str:
    """`toml` without the line `key = …`, or without the `[key]` / `[[key]]` block."""
    out: list[str] = []
    skipping = False
    for line in toml.splitlines(keepends=True):
        stripped = line.strip()
        if stripped in (f"[{key}]", f"[[{key}]]"):
            skipping = True
        elif skipping and (not stripped or stripped.startswith("[")):
            skipping = False
        if not skipping and not re.match(rf"^{re.escape(key)}\s*=", stripped):
            out.append(line)
    return "".join(out)


def test_required_event_toml_keys_are_the_ones_the_loader_requires() -> None:
    """Each key of the page's example, left out in turn: the loader refuses the file exactly when
    the page calls that key required."""
    text = section("event.toml")
    toml = code_block(text, "toml")
    people = code_block(section("participants.csv"), "csv").encode()
    wishes = code_block(section("wishes.csv"), "csv").encode()
    keys = [k for k in sorted(SETTING_KEYS | DAY_KEYS) if _without(toml, k) != toml]
    assert {"slot_minutes", "tables", "days", "date", "start", "end"} <= set(keys), "the example lacks a key"
    for key in keys:
        try:
            load_event_bytes(_without(toml, key).encode(), people, wishes)
            required = False
        except EventError:
            required = True
        rows = [line for line in text.splitlines() if re.match(rf"^\| `(\[\[|\[)?{key}(\]\]|\])?` \|", line)]
        assert len(rows) == 1, f"expected one table row for `{key}`"
        assert ("required" in rows[0].split("|")[2]) == required, f"is `{key}` required?"


def test_the_documented_weights_are_the_defaults() -> None:
    """The weights' defaults and the worked points examples follow `Weights()`."""
    w = Weights()
    points = w.priority_points
    text = section("event.toml")
    inline = "{ " + ", ".join(f"{p} = {points[p]}" for p in sorted(points)) + " }"
    assert f"`{inline}`" in row_of(text, "priority_points")[1]
    assert f"`{w.mutual_multiplier}`" in row_of(text, "mutual_multiplier")[1]
    examples = section("Points")
    for p in sorted(points):
        assert re.search(rf"^\| one side, \w+ \({p}\) \| {points[p]} \|$", examples, flags=re.M), p
    for p, q in ((2, 2), (1, 2), (1, 1)):
        total = (points[p] + points[q]) * w.mutual_multiplier
        assert f"({points[p]} + {points[q]}) × {w.mutual_multiplier} = {total}" in examples


def test_statuses_and_priority_words_are_documented() -> None:
    people, wishes = section("participants.csv"), section("wishes.csv")
    assert missing(row_of(people, "status")[3], (STATUSES | set(STATUS_ALIASES)) - {""}) == []
    assert missing(row_of(wishes, "status")[3], WISH_STATUSES - {""}) == []
    priority = row_of(wishes, "priority")[3]
    assert missing(priority, PRIORITY_WORDS) == []
    for word, number in PRIORITY_WORDS.items():
        assert f"`{number}` or `{word}`" in priority


# --- schedule files --------------------------------------------------------------------------


def test_the_schedule_columns_written_and_read_are_documented() -> None:
    written = section("schedule.csv")
    assert ",".join(COLUMNS + EXTRA_COLUMNS) in code_block(written, "csv"), "the example's header is not the writer's"
    assert missing(written, COLUMNS + EXTRA_COLUMNS) == []
    read = section("Reading a schedule back")
    for column in SCHEDULE_COLUMNS:
        _name, aliases, required, *_ = row_of(read, column.name)
        assert missing(aliases, column.aliases) == [], f"aliases of `{column.name}` not on its row"
        assert ("required" in required) == (column.required or column.name in ("slot", "start"))
    assert missing(row_of(read, "locked")[3], (TRUE_WORDS | FALSE_WORDS) - {""}) == []


def _example_event() -> Event:
    """The event of the page's own examples, loaded by the real loader."""
    toml = code_block(section("event.toml"), "toml")
    people = code_block(section("participants.csv"), "csv")
    wishes = code_block(section("wishes.csv"), "csv")
    return load_event_bytes(toml.encode(), people.encode(), wishes.encode()).event


def test_the_examples_load_and_the_schedule_example_is_what_solve_writes() -> None:
    event = _example_event()
    example = code_block(section("schedule.csv"), "csv")
    schedule, warnings = read_schedule_csv(example.encode(), event)
    assert warnings == []
    assert check_schedule(event, schedule) == []
    assert write_schedule_csv(event, schedule) == example


def test_the_grid_example_matches_the_slots_built_from_it() -> None:
    """The page's worked example of the grid is the grid the loader builds from its event.toml."""
    event = _example_event()
    starts = [f"{s.start:%H:%M}" for s in event.slots]
    assert len(starts) == 17 and starts[0] == "09:00" and starts[8] == "11:40" and starts[9] == "13:00"
    assert starts[-1] == "15:20"
    assert "a day has 17 slots: nine from 09:00 to 11:40 (slots 1 to 9) and eight from 13:00 to 15:20" in " ".join(
        section("Days and slots").split()
    )


# --- the rules ---------------------------------------------------------------------------------


def checker_codes() -> set[tuple[int, str]]:
    """(rule, code) of every violation the checker can report, read from its source.

    A violation is built as `Violation(rule, code, …)` or `self.v(rule, code, …)`; where the code
    is a variable, the string constants assigned to it in the same function count.
    """
    tree = ast.parse(inspect.getsource(checker_module))
    out: set[tuple[int, str]] = set()
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        assigned: dict[str, set[str]] = {}
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                strings = {
                    c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant) and isinstance(c.value, str)
                }
                assigned.setdefault(node.targets[0].id, set()).update(strings)
        for call in (n for n in ast.walk(function) if isinstance(n, ast.Call)):
            func = call.func
            named = (isinstance(func, ast.Name) and func.id == "Violation") or (
                isinstance(func, ast.Attribute) and func.attr == "v"
            )
            if not named or len(call.args) < 2:
                continue
            rule, code = call.args[0], call.args[1]
            if not (isinstance(rule, ast.Constant) and isinstance(rule.value, int)):
                continue
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                out.add((rule.value, code.value))
            elif isinstance(code, ast.Name):
                out.update((rule.value, c) for c in assigned.get(code.id, ()))
    return out


def test_every_rule_code_of_the_checker_is_documented_under_its_rule() -> None:
    codes = checker_codes()
    assert {rule for rule, _ in codes} == set(range(1, 8)), "the checker's source no longer reads as expected"
    rules = section("The hard rules")
    for rule, code in sorted(codes):
        assert f"`{code}`" in section(f"Rule {rule}:"), f"rule {rule}: `{code}` is not documented"
        assert f"### Rule {rule}:" in rules


# --- outputs -------------------------------------------------------------------------------------


def test_every_diff_output_name_is_documented() -> None:
    event = _example_event()
    example = code_block(section("schedule.csv"), "csv")
    old, _ = read_schedule_csv(example.encode(), event)
    moved = [Meeting(slot=m.slot + 1, table=m.table, a=m.a, b=m.b) for m in old.meetings]
    data = diff_as_dict(event, diff_schedules(event, old, Schedule.of(moved)))
    person = data["people"][0]
    change = person["moved"][0]
    names = {
        *data,
        *data["generator"],
        *data["summary"],
        *data["meetings"][0],
        *person,
        *change,
        *change["new"],
        *typing.get_args(ChangeKind),
    }
    documented = section("The diff between two schedules")
    assert missing(documented, names) == []
    assert code_block(documented, "csv").splitlines()[0] == ",".join(CSV_COLUMNS)


def test_the_diff_examples_are_what_the_command_prints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The page's diff examples: its schedule example against the same with Jānis Bērziņš and Søren
    Dybdahl moved to slot 5 at table 2."""
    folder = tmp_path / "event"
    folder.mkdir()
    (folder / "event.toml").write_text(code_block(section("event.toml"), "toml"), encoding="utf-8")
    (folder / "participants.csv").write_text(code_block(section("participants.csv"), "csv"), encoding="utf-8")
    (folder / "wishes.csv").write_text(code_block(section("wishes.csv"), "csv"), encoding="utf-8")
    example = code_block(section("schedule.csv"), "csv")
    event = _example_event()
    old, _ = read_schedule_csv(example.encode(), event)
    slot5 = event.slot_at(event.days[0].date, 5)
    assert slot5 is not None
    new = Schedule.of(
        [Meeting(slot5.index, "2", m.a, m.b) if m.pair == {"P0003", "P0007"} else m for m in old.meetings]
    )
    (tmp_path / "old.csv").write_text(example, encoding="utf-8")
    (tmp_path / "new.csv").write_text(write_schedule_csv(event, new), encoding="utf-8")
    documented = section("The diff between two schedules")
    for fmt, language in (("text", "text"), ("csv", "csv")):
        code = main(["diff", str(folder), str(tmp_path / "old.csv"), str(tmp_path / "new.csv"), "--format", fmt])
        assert code == 0
        assert capsys.readouterr().out == code_block(documented, language), f"the {fmt} example"


def test_every_report_json_key_is_documented() -> None:
    event = _example_event()
    schedule, _ = read_schedule_csv(code_block(section("schedule.csv"), "csv").encode(), event)
    repair = repair_report(event, schedule, schedule, None)
    result = SolveResult(
        schedule=schedule,
        stats=schedule_stats(event, schedule),
        bound=None,
        optimal=False,
        seconds=0.0,
        objective=event.objective,
        parameters={"time_limit": 30.0},
        version="test",
        finished_at="",
        repair=repair,
    )
    figures = report_figures(result, 0.0)
    assert missing(section("The solve report as JSON"), {*figures, *repair}) == []


# --- links ---------------------------------------------------------------------------------------


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_within_the_page_leads_to_a_heading() -> None:
    lines = DOC.splitlines()
    anchors = {
        _slug(m.group(2)) for i, line in enumerate(lines) if (m := _HEADING.match(line)) and not _in_code(lines, i)
    }
    targets = set(re.findall(r"\]\(#([^)]+)\)", DOC))
    assert targets, "the page links its own sections"
    assert sorted(targets - anchors) == []


def test_the_readme_links_the_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/formats.md)" in readme
    assert "beside this repository" not in readme
