"""The export package and the CLI's `export` command: every document of a solved sample event,
named correctly; one pass for all agendas; bad input ends in words and exit code 2."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from icalendar import Calendar
from pypdf import PdfReader

import scheduler.export.agenda as agenda_module
from scheduler.cli import EXIT_BAD_INPUT, EXIT_OK, main
from scheduler.domain import Event, Meeting, Schedule
from scheduler.export.agenda import build_agenda, build_agendas
from scheduler.export.bundle import ScheduleBreaksRules, export_event, participant_file_stem
from scheduler.io.loading import load_event_dir
from scheduler.io.schedule_files import write_schedule_csv
from scheduler.pipelines.solve import solve
from scheduler.results import SolveOptions
from tests.factories import make_event, quick_solve

SOREN, JANIS = "Søren Dybdahl", "Jānis Bērziņš"  # both take part in open-networking


def pdf_text(path: Path) -> str:
    """All text of a PDF, whitespace collapsed, so that a name wrapped in a narrow cell reads whole."""
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def run_cli(*argv: str) -> tuple[int, str, str]:
    """`python -m scheduler …` in-process: exit code, stdout, stderr (stderr is no terminal here)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@dataclass(frozen=True)
class Exported:
    event: Event
    schedule: Schedule
    out: Path
    code: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def exported(sample_events: Path, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """open-networking solved briefly, then exported by the CLI into a fresh folder."""
    folder = sample_events / "open-networking"
    event = load_event_dir(folder).event
    schedule = solve(event, SolveOptions(time_limit=4.0, workers=1, seed=0)).schedule
    tmp = tmp_path_factory.mktemp("export")
    csv_path = tmp / "schedule.csv"
    csv_path.write_text(write_schedule_csv(event, schedule), encoding="utf-8")
    out = tmp / "out"
    code, stdout, stderr = run_cli("export", str(folder), str(csv_path), "--out", str(out))
    return Exported(event, schedule, out, code, stdout, stderr)


def _pid(event: Event, name: str) -> str:
    (pid,) = [p.id for p in event.participants.values() if p.name == name]
    return pid


def _partners(schedule: Schedule, pid: str) -> list[str]:
    return [m.b if m.a == pid else m.a for m in schedule.for_person(pid)]


def test_export_writes_every_document(exported: Exported) -> None:
    assert exported.code == EXIT_OK, exported.stderr
    active = [p.id for p in exported.event.participants.values() if p.active]
    expected = {"agendas.pdf", "plan.pdf", "table-signs.pdf"}
    expected |= {f"agendas/{pid}.{ext}" for pid in active for ext in ("pdf", "ics")}
    written = {str(p.relative_to(exported.out)) for p in exported.out.rglob("*") if p.is_file()}
    assert written == expected  # and no temporary file left behind
    assert f"{len(expected)} files written to {exported.out}" in exported.stdout
    # not a terminal: plain progress lines, the last one for the last file
    lines = exported.stderr.strip().splitlines()
    assert lines[-1].split() == ["export", f"{len(expected)}/{len(expected)}", "files", "table-signs.pdf"]


@pytest.mark.parametrize("name", [SOREN, JANIS])
def test_each_agenda_names_its_person_and_partners(exported: Exported, name: str) -> None:
    event, schedule = exported.event, exported.schedule
    pid = _pid(event, name)
    partners = _partners(schedule, pid)
    assert partners, f"{name} has no meeting in this schedule; the test needs one"
    text = pdf_text(exported.out / "agendas" / f"{pid}.pdf")
    assert name in text
    assert "not been published" not in text  # a schedule file has no version number, but it is out
    for other in partners:
        assert event.participants[other].name in text
    # ...and so does every other person's agenda: each names its own person and every partner
    for other_id in partners:
        other_text = pdf_text(exported.out / "agendas" / f"{other_id}.pdf")
        assert event.participants[other_id].name in other_text
        assert name in other_text


@pytest.mark.parametrize("name", [SOREN, JANIS])
def test_calendar_holds_each_meeting(exported: Exported, name: str) -> None:
    event, schedule = exported.event, exported.schedule
    pid = _pid(event, name)
    cal = Calendar.from_ical((exported.out / "agendas" / f"{pid}.ics").read_bytes())
    entries = cal.walk("VEVENT")
    assert str(cal["X-WR-CALNAME"]).endswith(name)
    assert sorted(str(e["SUMMARY"]) for e in entries) == sorted(
        f"Meeting with {event.participants[o].name}"
        + (f" ({event.participants[o].organisation})" if event.participants[o].organisation else "")
        for o in _partners(schedule, pid)
    )
    assert {str(e["STATUS"]) for e in entries} == {"CONFIRMED"}


def test_organiser_documents_name_the_people(exported: Exported) -> None:
    everyone = pdf_text(exported.out / "agendas.pdf")
    plan = pdf_text(exported.out / "plan.pdf")
    signs = pdf_text(exported.out / "table-signs.pdf")
    for name in (SOREN, JANIS):
        assert name in everyone
        assert name in plan
        assert name in signs
    active = [p for p in exported.event.participants.values() if p.active]
    assert all(p.name in everyone for p in active)
    reader = PdfReader(io.BytesIO((exported.out / "agendas.pdf").read_bytes()))
    assert len(reader.pages) >= len(active)  # one person per page at least


def test_an_agenda_without_a_schedule_says_so() -> None:
    from scheduler.export.html import agenda_page

    event, schedule = _small()
    assert "not been published" in agenda_page(build_agenda(event, None, "a"))
    assert "not been published" not in agenda_page(build_agenda(event, schedule, "a"))


# --- the library function ----------------------------------------------------------------------


def _small() -> tuple[Event, Schedule]:
    event = make_event(
        [("a", "Søren Dybdahl", "Org A"), ("b", "Jānis Bērziņš", "Org B"), ("c", "Ольга", "Org C"), "d"],
        [("a", "b", 1), ("b", "a", 2), ("c", "a", 1), ("d", "b", 3)],
    )
    return event, quick_solve(event).schedule


def test_progress_is_reported_after_each_file(tmp_path: Path) -> None:
    event, schedule = _small()
    calls: list[tuple[int, int, str]] = []
    done = export_event(event, schedule, tmp_path / "out", progress=lambda *c: calls.append(c))
    total = 2 * 4 + 3
    assert [c[0] for c in calls] == list(range(1, total + 1))
    assert {c[1] for c in calls} == {total}
    assert [Path(c[2]) for c in calls] == list(done.files)
    assert all((tmp_path / "out" / f).is_file() for f in done.files)


def test_a_schedule_breaking_a_hard_rule_writes_nothing(tmp_path: Path) -> None:
    event, schedule = _small()
    first = schedule.meetings[0]
    other = next(p for p in "abcd" if p not in (first.a, first.b))
    clash = Meeting(first.slot, "9", first.a, other)  # first.a twice in one slot
    with pytest.raises(ScheduleBreaksRules, match="hard rule"):
        export_event(event, Schedule.of([*schedule.meetings, clash]), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_participant_file_stems_are_safe_and_distinct() -> None:
    assert participant_file_stem("P0042") == "P0042"
    odd = ["../x", "a b", "a-b", "..", "Ølst/1", "Ølst 1"]
    stems = [participant_file_stem(pid) for pid in odd]
    assert len(set(stems)) == len(odd)
    assert all("/" not in s and s not in (".", "..") and s.isascii() for s in stems)


def test_all_agendas_are_one_pass_and_match_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    event = load_event_dir(Path(__file__).resolve().parents[1] / "sample_events" / "cluster-day").event
    schedule = quick_solve(event).schedule
    one_by_one = [build_agenda(event, schedule, pid, 3) for pid, p in event.participants.items() if p.active]
    passes = []
    original = agenda_module.wished_pairs

    def counting(e: Event) -> object:
        passes.append(1)
        return original(e)

    monkeypatch.setattr(agenda_module, "wished_pairs", counting)
    together = build_agendas(event, schedule, schedule_version=3)
    assert together == one_by_one
    assert len(passes) == 1  # one pass over the wishes for every agenda
    assert any(e.mutual for a in together for e in a.meetings)  # the mutual marks were really computed


# --- bad input on the command line -------------------------------------------------------------


@pytest.fixture
def small_files(tmp_path: Path) -> tuple[Path, Path]:
    from tests.factories import event_files

    event, schedule = _small()
    folder = tmp_path / "event"
    folder.mkdir()
    toml, people, wishes = event_files(
        [("a", "Søren Dybdahl", "Org A"), ("b", "Jānis Bērziņš", "Org B"), ("c", "Ольга", "Org C"), "d"],
        [("a", "b", 1), ("b", "a", 2), ("c", "a", 1), ("d", "b", 3)],
    )
    (folder / "event.toml").write_bytes(toml)
    (folder / "participants.csv").write_bytes(people)
    (folder / "wishes.csv").write_bytes(wishes)
    csv_path = tmp_path / "schedule.csv"
    csv_path.write_text(write_schedule_csv(event, schedule), encoding="utf-8")
    return folder, csv_path


def test_cli_export_of_a_small_event(small_files: tuple[Path, Path], tmp_path: Path) -> None:
    folder, csv_path = small_files
    code, out, err = run_cli("export", str(folder), str(csv_path), "--out", str(tmp_path / "docs"))
    assert code == EXIT_OK, err
    assert "11 files written" in out
    assert SOREN in pdf_text(tmp_path / "docs" / "agendas" / "a.pdf")


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no event folder", "event.toml"),
        ("no schedule file", "no such file"),
        ("garbage schedule", "schedule.csv"),
        ("double booking", "hard rule"),
        ("output is a file", "not a folder"),
    ],
)
def test_cli_bad_input_is_exit_2_in_words(
    small_files: tuple[Path, Path], tmp_path: Path, case: str, message: str
) -> None:
    folder, csv_path = small_files
    out = tmp_path / "docs"
    if case == "no event folder":
        folder = tmp_path / "missing"
    elif case == "no schedule file":
        csv_path = tmp_path / "nothing.csv"
    elif case == "garbage schedule":
        csv_path.write_text("day,slot,table,participant_a,participant_b\n2099-01-01,x,1,a,zz\n", encoding="utf-8")
    elif case == "double booking":
        lines = csv_path.read_text(encoding="utf-8").splitlines()
        row = lines[1].split(",")  # day,slot,start,end,table,participant_a,participant_b,...
        row[4], row[6] = "9", next(p for p in "abcd" if p not in (row[5], row[6]))  # a_ twice in one slot
        csv_path.write_text("\n".join([*lines, ",".join(row)]) + "\n", encoding="utf-8")
    else:
        out.write_text("in the way", encoding="utf-8")
    code, _, err = run_cli("export", str(folder), str(csv_path), "--out", str(out))
    assert code == EXIT_BAD_INPUT
    assert message in err
    assert "Traceback" not in err
    if case != "output is a file":
        assert not out.exists()


def test_export_knows_nothing_of_http_or_databases() -> None:
    """scheduler/export is the library's: no web framework, no database, nothing from api/."""
    import ast

    folder = Path(__file__).resolve().parents[1] / "scheduler" / "export"
    banned = ("api", "fastapi", "starlette", "sqlalchemy", "psycopg", "pydantic")
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in banned, f"{path.name} imports {name}"


def test_a_line_break_in_a_name_keeps_the_calendar_whole() -> None:
    import datetime as dt

    from icalendar import Calendar

    from scheduler.domain import Meeting, Schedule
    from scheduler.export.calendar import agenda_ics
    from scheduler.export.history import ScheduleVersion
    from scheduler.io.loading import load_event_bytes

    toml = (
        b'name = "Two\\nLines"\nslot_minutes = 20\ntables = 2\n'
        b'[[days]]\ndate = "2027-03-10"\nstart = "09:00"\nend = "10:00"\n'
    )
    people = b'id,name,organisation\na,"Ann\nNewline",X\nb,"Bo\nB",Y\n'
    event = load_event_bytes(toml, people, b"requester,target\na,b\n").event
    version = ScheduleVersion(1, dt.datetime.now(dt.UTC), Schedule.of([Meeting(0, "1", "a", "b")]))
    calendar = Calendar.from_ical(agenda_ics(event, "e1", "a", [version]))
    assert str(calendar["X-WR-CALNAME"]) == "Two Lines – Ann Newline"
    [meeting] = calendar.walk("VEVENT")
    assert "Bo B" in str(meeting["SUMMARY"])  # a summary is one line
    assert "Bo\nB" in str(meeting["DESCRIPTION"])  # a description keeps it, escaped
