"""HTML of the documents, from the Jinja2 templates in `templates/` at the repository root.

Autoescaping is on for every template: names, organisations and table labels come from uploaded
files. Undefined variables raise (StrictUndefined) rather than print nothing. The PDFs
(`pdf.py`) render this same HTML, so the web page and the printout never drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from scheduler.export.agenda import AgendaData
from scheduler.export.tables import place

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"


def long_date(value: dt.date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def _dates(values: tuple[dt.date, ...] | list[dt.date]) -> str:
    if not values:
        return ""
    if len(values) == 1:
        return long_date(values[0])
    return f"{long_date(values[0])} – {long_date(values[-1])}"


def hour_minute(value: dt.time) -> str:
    return f"{value:%H:%M}"


_ENV = Environment(
    loader=FileSystemLoader(str(TEMPLATES_DIR)),
    autoescape=select_autoescape(["html", "xml"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters.update(date=long_date, dates=_dates, hm=hour_minute, place=place)


def render_html(template: str, **context: Any) -> str:
    """One template of `templates/` rendered with `context`."""
    return _ENV.get_template(template).render(**context)


def generated_note(version: int | None, published: bool = True) -> str:
    """The footer line that tells a reader which version they hold and how fresh the printout is."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if not published:
        return f"no schedule yet, printed {stamp}"
    return f"schedule version {version}, printed {stamp}" if version else f"Printed {stamp}"


def agenda_page(agenda: AgendaData, links: Mapping[str, str] | None = None, not_arranged: tuple[str, ...] = ()) -> str:
    """One person's agenda as a web page; `links` ("pdf", "ics") adds download links at the top,
    `not_arranged` the sentences on their wishes that did not become meetings (`unmet_lines`)."""
    return render_html(
        "agenda.html",
        a=agenda,
        note=generated_note(agenda.schedule_version, agenda.published),
        links=links,
        not_arranged=not_arranged,
    )
