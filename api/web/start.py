"""The start page and the sample events a first-time organiser can try with one click."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse

from api import service
from api.deps import SecretDep, SessionDep
from api.web.access import created_page
from api.web.deps import CSRF
from api.web.pages import render
from scheduler.io.loading import load_event_dir

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "sample_events"
SAMPLE_FILES = ("event.toml", "participants.csv", "wishes.csv")

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Sample:
    key: str  # the folder's name
    name: str
    days: int
    participants: int
    wishes: int
    tables: int


@lru_cache(maxsize=1)
def samples() -> tuple[Sample, ...]:
    """The sample events shipped in sample_events/, smallest first."""
    found = []
    folders = sorted(p for p in SAMPLES_DIR.iterdir() if (p / "event.toml").is_file()) if SAMPLES_DIR.is_dir() else []
    for folder in folders:
        event = load_event_dir(folder).event
        sizes = len(event.days), len(event.participants), len(event.wishes), len(event.table_labels)
        found.append(Sample(folder.name, event.name, *sizes))
    return tuple(sorted(found, key=lambda s: s.participants))


@router.get("/", response_class=HTMLResponse)
def start_page(request: Request) -> HTMLResponse:
    return render(request, "start.html", samples=samples())


@router.get("/samples/{key}/{file_name}")
def sample_file(key: str, file_name: str) -> HTMLResponse:
    """A sample's file, to download and look at (or upload through "New event")."""
    if key not in {s.key for s in samples()} or file_name not in SAMPLE_FILES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such sample file")
    data = (SAMPLES_DIR / key / file_name).read_bytes()
    media = "text/csv; charset=utf-8" if file_name.endswith(".csv") else "text/plain; charset=utf-8"
    return HTMLResponse(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{key}-{file_name}"'}
    )


@router.post("/samples/{key}", response_class=HTMLResponse, dependencies=CSRF)
def try_sample(key: str, request: Request, session: SessionDep, secret: SecretDep) -> HTMLResponse:
    """Create a new event from a sample's three files and sign this browser in to it."""
    if key not in {s.key for s in samples()}:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such sample event")
    files = [(SAMPLES_DIR / key / name).read_bytes() for name in SAMPLE_FILES]
    created = service.create_event(
        session=session, secret=secret, event_toml=files[0], participants_csv=files[1], wishes_csv=files[2]
    )
    session.commit()
    return created_page(request, created)
