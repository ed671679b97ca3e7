"""Request and response bodies of the HTTP API (kept apart from the storage models)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field

from scheduler.results import MoveCosts


class ProblemPublic(BaseModel):
    """One problem in the uploaded files, exactly as the CLI reports it."""

    severity: Literal["error", "warning"]
    code: str = Field(description="Short machine-readable kind, e.g. 'unknown_participant'.")
    message: str = Field(description="A sentence for a person.")
    file: str | None = Field(None, description="event.toml, participants.csv or wishes.csv.")
    row: int | None = Field(
        None, description="Row as a spreadsheet shows it (header is row 1); for event.toml the line."
    )
    column: str | None = Field(None, description="Column, or the setting in event.toml.")


class InvalidEvent(BaseModel):
    """422: the files have errors; nothing was stored."""

    detail: str
    problems: list[ProblemPublic]


# --- events ------------------------------------------------------------------------------------


def _storable_text(text: str) -> str:
    """Text that UTF-8 can hold: JSON may carry a lone UTF-16 surrogate, which no file can."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"holds a character that is not text at position {exc.start} (a lone UTF-16 surrogate); "
            "send the file's contents as they are"
        ) from None
    return text


FileText = Annotated[str, AfterValidator(_storable_text)]


class EventCreateJSON(BaseModel):
    """The same three files as the multipart upload, as text."""

    event: FileText = Field(description="Contents of event.toml.")
    participants: FileText = Field(description="Contents of participants.csv.")
    wishes: FileText = Field(description="Contents of wishes.csv.")


class EventCreated(BaseModel):
    id: str = Field(description="The event's id.")
    organiser_token: str = Field(
        description="Bearer token for every organiser call on this event. Shown once: only its hash is stored."
    )
    warnings: list[ProblemPublic] = Field(default_factory=list, description="Warnings found in the files.")


class EventPublic(BaseModel):
    id: str
    name: str
    timezone: str
    dates: list[dt.date]
    slots: int = Field(description="Meeting slots over the whole event.")
    tables: list[str] = Field(description="Shared table labels.")
    participants: int
    wishes: int
    objective: str
    created_at: dt.datetime
    revision: int = Field(description="Bumped by every change of the participants or wishes.")
    latest_schedule_version: int | None
    published_version: int | None = Field(
        None, description="The version participants see (POST /api/events/{id}/publish); None before the first."
    )
    schedule_is_current: bool | None = Field(
        None,
        description="Whether the latest schedule was made for the current revision; false after a "
        "change: re-solve (POST /api/events/{id}/solve) to apply it. None before the first schedule.",
    )
    warnings: list[ProblemPublic]


class ParticipantPublic(BaseModel):
    id: str = Field(description="The id from participants.csv.")
    name: str
    organisation: str
    email: str
    role: str
    country: str
    status: str
    available: str = Field("", description="When the person can meet, as in participants.csv; empty: always.")
    max_meetings: int | None = None
    table: str | None = Field(None, description="Their fixed table or booth, if any.")
    language: str | None = Field(
        None, description="Their agenda's language (en, fr, de, …); null: the event's (event.toml `language`)."
    )
    meetings: int = Field(description="Meetings in the latest schedule.")
    agenda_url: str = Field(description="Private agenda page; anyone with this link sees this person's agenda.")
    agenda_pdf_url: str
    agenda_ics_url: str


class ParticipantsPublic(BaseModel):
    data: list[ParticipantPublic]
    count: int


# --- on-the-day changes ---------------------------------------------------------------------------


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


# A participant id as the loader reads it: a cell's surrounding whitespace (str.strip) is no part
# of it, so " p1" names p1. Stripped before the length checks.
IdText = Annotated[str, BeforeValidator(_strip)]

ParticipantStatus = Literal["registered", "cancelled", "absent"]


class ParticipantBase(BaseModel):
    """The columns of participants.csv an organiser may set; see formats.md for their meaning."""

    name: str | None = Field(None, min_length=1, max_length=500)
    organisation: str | None = Field(None, max_length=500)
    email: str | None = Field(None, max_length=500)
    role: str | None = Field(None, max_length=200)
    country: str | None = Field(None, max_length=200)
    available: str | None = Field(
        None,
        max_length=2000,
        description="Windows separated by ';', each 'YYYY-MM-DD HH:MM-HH:MM' or 'HH:MM-HH:MM' "
        "(every day); empty or null: the whole event.",
        examples=["2027-03-10 11:00-15:40"],
    )
    max_meetings: int | None = Field(None, ge=0, strict=True, description="Cap over the whole event; null: no cap.")
    status: ParticipantStatus | None = Field(
        None, description="cancelled or absent: takes no meetings from the next solve on."
    )
    table: str | None = Field(None, max_length=200, description="A fixed table or booth label; null: none.")
    language: str | None = Field(
        None,
        max_length=35,
        description="Their agenda's language as an ISO 639-1 code (en, fr, de, da, fi, sv, lv, et, lt, pl; "
        "any case, a region such as fr-FR ignored); null: the event's. Another value is a warning.",
    )


class ParticipantUpdate(ParticipantBase):
    """Only the fields sent are changed; null clears a field."""


class ParticipantCreate(ParticipantBase):
    """A late registrant."""

    id: IdText = Field(min_length=1, max_length=200, description="A new, unique id.")
    name: str = Field(min_length=1, max_length=500)


class ParticipantChanged(BaseModel):
    event_revision: int = Field(description="The event's revision after the change.")
    participant: ParticipantPublic
    warnings: list[ProblemPublic] = Field(description="Warnings the changed files now give.")
    hint: str = "Start a solve (POST /api/events/{id}/solve) to repair the schedule for this change."


class WishCreate(BaseModel):
    """A wish; for an existing (requester, target) row the row is updated instead."""

    requester: IdText = Field(min_length=1, max_length=200)
    target: IdText = Field(min_length=1, max_length=200)
    priority: Literal[1, 2, 3] = Field(2, description="1 = high, 2 = normal, 3 = low.")
    window: str | None = Field(
        None, max_length=2000, description="When the meeting may take place (syntax of 'available')."
    )
    status: Literal["requested", "declined"] = Field(
        "requested", description="declined: never scheduled again (what cancelling a meeting sets)."
    )


class WishPublic(BaseModel):
    requester: str
    target: str
    priority: int
    window: str
    status: Literal["requested", "declined"]


class WishesPublic(BaseModel):
    data: list[WishPublic]
    count: int


class WishChanged(BaseModel):
    event_revision: int
    created: bool = Field(description="False when an existing row was updated.")
    wish: WishPublic
    warnings: list[ProblemPublic]


# --- jobs --------------------------------------------------------------------------------------


class SolveRequest(BaseModel):
    """Every field is optional: `{}` (or no body) repairs the latest schedule, or solves afresh
    when there is none yet."""

    time_limit: float | None = Field(
        None, gt=0, allow_inf_nan=False, description="Seconds for the whole solve; the server's default when omitted."
    )
    mode: Literal["fresh", "repair"] | None = Field(
        None,
        description="repair: start from the latest schedule version; its locked meetings stay exactly, "
        "the others stay where they are unless moving them buys clearly more, and freed time is "
        "refilled. fresh: ignore earlier versions. Default: repair once a schedule exists.",
    )
    cutoff: dt.datetime | None = Field(
        None,
        description="Repair only: local time of the event (no zone, e.g. 2027-03-10T11:00). Meetings "
        "starting before it are history and are kept exactly as they were, whatever changed since; "
        "only later ones are re-planned. A time with a zone is converted to the event's time zone.",
        examples=["2027-03-10T11:00"],
    )
    move_cost: int | None = Field(
        None,
        ge=0,
        le=1000,
        description=f"Repair only: points a kept meeting must buy to move to another slot "
        f"(default {MoveCosts().move_slot}).",
    )
    drop_cost: int | None = Field(
        None,
        ge=0,
        le=1000,
        description=f"Repair only: points charged, on top of its own, for dropping a meeting that could "
        f"stay (default {MoveCosts().drop}).",
    )
    publish: bool = Field(
        False,
        description="Publish the new version when the solve ends (participants' links show it at once); "
        "otherwise it is a draft until POST /api/events/{id}/publish.",
    )


class SolveOptionsPublic(BaseModel):
    mode: Literal["fresh", "repair"] = "fresh"
    previous_version: int | None = Field(None, description="The version a repair starts from.")
    cutoff: dt.datetime | None = Field(None, description="Local time of the event; see SolveRequest.")
    move_cost: int | None = None
    drop_cost: int | None = None
    publish: bool = False


class JobCreated(BaseModel):
    job_id: str
    state: str = "queued"
    status_url: str
    options: SolveOptionsPublic


class ProgressPublic(BaseModel):
    phase: str | None = Field(None, description="starting, greedy, bound, search, polish or done.")
    points: int | None = Field(None, description="Points of the best schedule so far.")
    bound: int | None = Field(None, description="Proven upper bound on points.")
    gap: float | None = Field(None, description="(bound - points) / bound.")
    holes: int | None = None
    meetings: int | None = Field(None, description="Meetings in the best schedule so far.")
    elapsed: float | None = Field(None, description="Seconds since the solve started.")


class JobPublic(BaseModel):
    id: str
    event_id: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    time_limit: float
    options: SolveOptionsPublic
    progress: ProgressPublic
    error: str | None = Field(None, description="Why the job failed, for a person.")
    cancel_requested: bool
    attempts: int = Field(
        0, description="How many times a worker took the solve up: 2 or more when a worker stopped mid-solve."
    )
    schedule_version: int | None = Field(None, description="The schedule version this job produced.")
    submitted_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


# --- schedules ---------------------------------------------------------------------------------


class MeetingPublic(BaseModel):
    day: dt.date
    slot: int
    start: str
    end: str
    table: str
    participant_a: str
    participant_b: str
    name_a: str
    name_b: str
    organisation_a: str
    organisation_b: str
    mutual: bool
    points: int
    locked: bool


VersionKind = Literal["solve", "repair", "cancel", "move", "pin", "standby"]


class SchedulePublic(BaseModel):
    event_id: str
    version: int
    kind: VersionKind = Field(description="What made this version: a solve, a repair or a hand edit.")
    based_on: int | None = Field(None, description="The version it started from.")
    event_revision: int = Field(description="The event revision it was made for.")
    job_id: str | None
    created_at: dt.datetime
    meetings: list[MeetingPublic]
    points: int
    bound: int | None
    gap: float | None
    optimal: bool


class RepairReport(BaseModel):
    """What a repair bought, against the version it started from."""

    kept: int = Field(description="Meetings exactly where they were.")
    moved: int = Field(description="Meetings in another slot.")
    table_changed: int = Field(description="Meetings in the same slot at another table.")
    lost: int = Field(description="Meetings of the old version that are gone.")
    added: int = Field(description="New meetings.")
    people_affected: int = Field(description="People whose day changed (their agendas are re-issued).")
    points_before: int = Field(description="Points of the old version under the updated event.")
    points_after: int
    points_fresh_solve: int | None = Field(
        default=None, description='What a quick fresh solve of the updated event reaches (none in "all" mode).'
    )


class ChangeSummary(BaseModel):
    """Meetings kept, moved (table-only changes included), cancelled and added between two versions."""

    kept: int
    moved: int
    table_changed: int
    cancelled: int
    added: int
    before: int = Field(description="Meetings in the older version.")
    after: int = Field(description="Meetings in the newer version.")
    people_affected: int | None = None


class EditPublic(BaseModel):
    """A hand edit of the schedule, stored as a new version."""

    action: Literal["cancel", "move", "pin", "unpin", "standby"]
    a: str
    b: str
    locked: bool | None = None
    replacement: str | None = Field(None, description="For standby: who met b instead of a (absent).")


class ScheduleVersionPublic(BaseModel):
    version: int
    kind: VersionKind
    based_on: int | None
    event_revision: int
    job_id: str | None
    created_at: dt.datetime
    meetings: int
    points: int | None
    mutual_meetings: int | None = None
    holes: int | None = None
    bound: int | None = None
    optimal: bool = False
    cutoff: dt.datetime | None = Field(None, description="A repair's cut-off (local time of the event).")
    changes: ChangeSummary | None = Field(None, description="Against the version it is based on.")
    repair: RepairReport | None = Field(None, description="For a repair: what it bought.")
    edit: EditPublic | None = Field(None, description="For a hand edit: what was done.")
    warnings: list[ProblemPublic] = Field(default_factory=list)
    by: str = Field("api", description='Who made it: "api" or "browser" (the organiser\'s pages).')
    published_at: dt.datetime | None = Field(None, description="When it was published; None for a draft.")
    published_by: str | None = None


class PublishRequest(BaseModel):
    version: int | None = Field(
        None, ge=1, le=2**31 - 1, description="The version to publish; the latest when omitted."
    )


class PublishResult(BaseModel):
    version: int
    previous_version: int | None = Field(description="The version participants saw before; None at the first.")
    published_at: dt.datetime
    changes: ChangeSummary
    people_affected: list[PersonRef] = Field(description="Whose agenda changed: re-issue theirs only.")


class TableUse(BaseModel):
    table: str
    meetings: int
    slots: int = Field(description="Slots in which the table could host a meeting.")
    share: float = Field(description="meetings / slots.")


class PersonRef(BaseModel):
    id: str
    name: str


class DistributionPublic(BaseModel):
    """How evenly meetings and points fall on the active people."""

    people: int = Field(description="Active people counted (not cancelled or absent).")
    min_meetings: int
    median_meetings: float
    max_meetings: int
    share_below_3: float = Field(description="Fraction of them with fewer than 3 meetings.")
    gini_points: float = Field(
        description="Gini coefficient of points per person (a meeting's points count for both): 0 all equal."
    )


class ShortOfMinimumPublic(BaseModel):
    """Someone who could meet somebody but has fewer meetings than [fairness] min_meetings."""

    person: PersonRef
    meetings: int
    reason: str = Field(description="few_partners, own_limit, partners_full, no_table or not_found.")
    detail: str


class HostMoving(BaseModel):
    id: str
    name: str
    changes: int = Field(description="Times this host changes table between consecutive meetings of a day.")


class TableChangesPublic(BaseModel):
    """How often people change table between two consecutive meetings of theirs on one day."""

    changes: int
    consecutive: int = Field(description="Pairs of consecutive meetings on one day, over everybody.")
    share: float = Field(description="changes / consecutive.")
    mean_per_person: float
    max_per_person: int
    hosts: int = Field(0, description="People the event's `hosts` setting names who meet.")
    hosts_moving: list[HostMoving] = Field(default_factory=list, description="The hosts who change table.")
    hosts_forced: int = Field(
        0, description="Of the hosts' changes, those to or from a booth or a meeting with another host."
    )


class StatsPublic(BaseModel):
    version: int
    meetings: int
    mutual_meetings: int
    points: int
    bound: int | None
    gap: float | None
    optimal: bool
    holes: int
    max_holes_per_person: int
    people_left_out: list[PersonRef] = Field(description="Active people who could have met somebody and did not.")
    wished_pairs: int
    table_use: list[TableUse]
    distribution: DistributionPublic
    min_meetings: int = Field(0, description="The event's [fairness] min_meetings (0: none).")
    below_minimum: list[ShortOfMinimumPublic] = Field(
        default_factory=list, description="Who is below min_meetings though they could meet somebody, and why."
    )
    solve: dict[str, Any] = Field(default_factory=dict, description="Solver parameters, version and timing.")
    kind: VersionKind = "solve"
    based_on: int | None = None
    changes: ChangeSummary | None = Field(None, description="Against the version it is based on.")
    repair: RepairReport | None = Field(None, description="For a repair: what it bought.")
    table_changes: TableChangesPublic


# --- hand edits of the schedule -----------------------------------------------------------------


class MeetingRef(BaseModel):
    """A meeting of the latest schedule version, by its pair (a pair meets at most once)."""

    a: IdText = Field(min_length=1, max_length=200)
    b: IdText = Field(min_length=1, max_length=200)


class MeetingMove(MeetingRef):
    day: dt.date = Field(description="The day, YYYY-MM-DD.")
    slot: int = Field(ge=1, description="Slot number within the day, from 1 (as in schedule.csv).")
    table: str | None = Field(
        None,
        max_length=200,
        description="Table label; by default a fixed table of either, else the current shared "
        "table when free, else the first free shared table.",
    )
    locked: bool = Field(True, description="Lock the meeting there, so that repairs never move it.")


class MeetingPin(MeetingRef):
    locked: bool = Field(True, description="true locks the meeting where it is; false unlocks it.")


class ViolationPublic(BaseModel):
    """One broken hard rule (formats.md, "Hard rules of a valid schedule"), in words."""

    rule: int = Field(description="1-7, the numbered hard rules of formats.md.")
    code: str
    message: str
    people: list[str]
    day: dt.date | None = None
    slot: int | None = Field(None, description="Slot number within the day.")


class EditRefused(BaseModel):
    """422: the edit would break hard rules; nothing was changed."""

    detail: str
    violations: list[ViolationPublic]


class EditResult(BaseModel):
    version: int = Field(description="The new schedule version (the latest, unchanged, when nothing changed).")
    created: bool = Field(description="False when the schedule already was as asked.")
    kind: VersionKind
    based_on: int | None
    event_revision: int
    meeting: MeetingPublic | None = Field(None, description="The meeting as it is now (none once cancelled).")
    changes: ChangeSummary | None = None
    people_affected: list[str] = Field(description="Whose agenda changed: re-issue theirs only.")
    diff_url: str | None = Field(None, description="The diff against the version this one is based on.")


# --- diffs --------------------------------------------------------------------------------------


class Place(BaseModel):
    day: dt.date
    slot: int = Field(description="Slot number within the day.")
    start: str
    end: str
    table: str


ChangeKind = Literal["added", "cancelled", "moved", "table_changed"]


class MeetingChangePublic(BaseModel):
    change: ChangeKind
    a: str
    b: str
    old: Place | None = Field(description="Where it was (none when added).")
    new: Place | None = Field(description="Where it is now (none when cancelled).")


class PersonChangePublic(BaseModel):
    change: ChangeKind
    partner: str
    partner_name: str
    old: Place | None
    new: Place | None


class AffectedPerson(BaseModel):
    """One person whose day changed, with the links to send them their re-issued agenda."""

    id: str
    name: str
    email: str
    status: str
    added: list[PersonChangePublic]
    cancelled: list[PersonChangePublic]
    moved: list[PersonChangePublic] = Field(description="Moved meetings, table-only changes included.")
    agenda_url: str
    agenda_pdf_url: str
    agenda_ics_url: str


class DiffPublic(BaseModel):
    event_id: str
    from_version: int
    to_version: int
    summary: ChangeSummary
    people_affected: list[str] = Field(description="Ids of everyone on either side of a change.")
    meetings: list[MeetingChangePublic] = Field(description="Every change, in time order.")
    people: list[AffectedPerson]
    generator: dict[str, str]
