"""HTML of the documents, from the Jinja2 templates in `templates/` at the repository root.

Autoescaping is on for every template: names, organisations and table labels come from uploaded
files. Undefined variables raise (StrictUndefined) rather than print nothing. The PDFs
(`pdf.py`) render these same templates, so the web page and the printout never drift apart.

The participant-facing templates mark every sentence for translation (`{% trans %}`, `_()`), and
every date and time goes through `when`, the one place that decides how they are written: making
the documents speak another language means installing translations here and teaching `when` the
locale, not editing templates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from scheduler.domain import Event
from scheduler.export.agenda import AgendaData
from scheduler.export.qr import qr_svg_data_uri
from scheduler.export.tables import place
from scheduler.export.today import NowNext

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"

Style = Literal["time", "date", "day", "stamp"]


def when(value: dt.date | dt.time | dt.datetime, style: Style = "time") -> str:
    """A date or time as the documents write it: "time" 09:20, "date" Wednesday 10 March 2027,
    "day" Wed 10 Mar, "stamp" 2027-03-10 09:20 UTC (a moment, for "printed at")."""
    if style == "time":
        return f"{value:%H:%M}"
    if style == "stamp":
        assert isinstance(value, dt.datetime)
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    assert isinstance(value, dt.date)
    if style == "day":
        return f"{value:%a} {value.day} {value:%b}"
    return f"{value:%A} {value.day} {value:%B %Y}"


def long_date(value: dt.date) -> str:
    return when(value, "date")


def _dates(values: tuple[dt.date, ...] | list[dt.date]) -> str:
    if not values:
        return ""
    if len(values) == 1:
        return when(values[0], "date")
    return f"{when(values[0], 'date')} – {when(values[-1], 'date')}"


def hour_minute(value: dt.time) -> str:
    return when(value, "time")


_ENV = Environment(
    loader=FileSystemLoader(str(TEMPLATES_DIR)),
    autoescape=select_autoescape(["html", "xml"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
)
_ENV.install_null_translations(newstyle=True)  # type: ignore[attr-defined]  # added by the i18n extension
_ENV.filters.update(date=long_date, dates=_dates, hm=hour_minute, when=when, place=place, qr=qr_svg_data_uri)


def render_html(template: str, **context: Any) -> str:
    """One template of `templates/` rendered with `context`."""
    return _ENV.get_template(template).render(**context)


def generated_note(version: int | None, published: bool = True) -> str:
    """The footer line that tells a reader which version they hold and how fresh the printout is."""
    stamp = when(dt.datetime.now(dt.UTC), "stamp")
    if not published:
        return f"no schedule yet, printed {stamp}"
    return f"schedule version {version}, printed {stamp}" if version else f"Printed {stamp}"


def agenda_page(
    agenda: AgendaData,
    links: Mapping[str, str] | None = None,
    not_arranged: tuple[str, ...] = (),
    today: NowNext | None = None,
) -> str:
    """One person's agenda as a phone-first web page: `today` (from `today.now_next`) puts the
    meeting under way and the next one on top; `links` ("pdf", "ics", "webcal") adds the buttons;
    `not_arranged` the sentences on their wishes that did not become meetings (`unmet_lines`)."""
    return render_html("agenda.html", a=agenda, links=links or {}, not_arranged=not_arranged, today=today)


def link_problem_page(event: Event | None) -> str:
    """The page a wrong, replaced or expired agenda link leads to: what to do, and whom to ask when
    the event is known (its contact settings)."""
    return render_html("agenda_missing.html", event=event)
